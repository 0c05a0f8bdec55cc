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

/**
 * The 1-based line of a draft that holds the field an API server names
 * (`spec.template.spec.containers[0].image`, `metadata.labels[app]`), or of the deepest part of
 * that path the draft has (a missing field is reported at its parent); undefined when none is there.
 */
export async function lineOfField(text: string, field: string): Promise<number | undefined> {
  const { parseDocument, LineCounter, isNode } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...VERSION, lineCounter: lines });
  if (doc.errors.length) return undefined;
  const path = [...field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map((m) => (m[1] !== undefined ? m[1] : /^\d+$/.test(m[2] ?? '') ? Number(m[2]) : (m[2] ?? '')));
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    // A key's line, not its value's: find the pair's key when the value is a nested block.
    if (isNode(node) && node.range) return lines.linePos(keyOffset(doc, path.slice(0, depth)) ?? node.range[0]).line;
  }
  return undefined;
}

/** Where the key of the pair at `path` begins, when its parent is a mapping. */
function keyOffset(doc: import('yaml').Document, path: Array<string | number>): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items;
  const key = items?.find((pair) => pair?.key?.value === path[path.length - 1])?.key;
  return key?.range?.[0];
}
