/**
 * What is wrong with YAML someone typed, before it goes to the API server: a syntax error with
 * its line and column, or a document that is not one Kubernetes object. Undefined when fine.
 */
export async function yamlProblem(text: string): Promise<string | undefined> {
  // The parser loads when a draft is first checked: views that never edit do not pay for it.
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return `${at ? `Line ${at.line}, column ${at.col}: ` : ''}${message}`;
  }
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'The YAML must be one object, with apiVersion, kind and metadata.';
  const object = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind', 'metadata'].filter((field) => !object[field]);
  if (missing.length) return `The object has no ${missing.join(', ')}: keep them as they are, they say which object to change.`;
  return undefined;
}
