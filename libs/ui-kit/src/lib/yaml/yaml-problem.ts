import { MANIFEST_YAML_OPTIONS as VERSION } from '@cairn/api-contracts';

/*
 * YAML as kubectl reads it (MANIFEST_YAML_OPTIONS: version 1.1, where `0644` is octal and `yes`
 * a boolean). Cairn writes drafts and reads them back with the same rules, so a value survives
 * the round trip through the editor (`"yes"` stays a string) and a number typed the kubectl way
 * means what kubectl would make of it. The parser loads when a draft is first made: views that
 * never edit do not pay for it.
 */

/** `value` as YAML 1.1 text, for a draft. */
export async function toYaml(value: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(value, VERSION);
}

/** Where a problem is in the text: 1-based line and column, and the 0-based character offsets it spans. */
export interface ProblemPosition {
  line: number;
  col: number;
  from: number;
  to: number;
}

/**
 * The one Kubernetes object a draft holds, or what is wrong with it: a syntax error with its
 * line and column, or a document that is not one object with apiVersion, kind and metadata.
 */
export async function parseYamlObject(
  text: string,
): Promise<{ object: Record<string, unknown>; problem?: undefined; at?: undefined } | { problem: string; object?: undefined; at?: ProblemPosition }> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, VERSION);
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return { problem: `${at ? `Line ${at.line}, column ${at.col}: ` : ''}${message}`, ...(at ? { at: { line: at.line, col: at.col, from: error.pos[0], to: Math.max(error.pos[1], error.pos[0] + 1) } } : {}) };
  }
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'The YAML must be one object, with apiVersion, kind and metadata.' };
  const object = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind', 'metadata'].filter((field) => !object[field]);
  if (missing.length) return { problem: `The object has no ${missing.join(', ')}: keep them as they are, they say which object to change.` };
  return { object };
}

/** What is wrong with YAML someone typed, before it goes to the API server; undefined when fine. */
export async function yamlProblem(text: string): Promise<string | undefined> {
  return (await parseYamlObject(text)).problem;
}
