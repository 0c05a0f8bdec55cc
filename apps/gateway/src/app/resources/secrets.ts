/**
 * Secret values never reach the browser unless the user asks to reveal one: lists and
 * gets keep each key (so the console can show which keys exist) with a null value, and
 * `kubectl.kubernetes.io/last-applied-configuration`, which holds the values again in
 * clear, is redacted.
 */

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const REDACTED = '(redacted by Cairn)';

type Obj = Record<string, unknown>;

export function redactSecret(secret: Obj): Obj {
  const out: Obj = { ...secret };
  for (const field of ['data', 'stringData']) {
    const values = secret[field];
    if (values && typeof values === 'object') out[field] = Object.fromEntries(Object.keys(values).map((k) => [k, null]));
  }
  const metadata = secret['metadata'] as { annotations?: Record<string, string> } | undefined;
  if (metadata?.annotations?.[LAST_APPLIED] !== undefined) {
    out['metadata'] = { ...metadata, annotations: { ...metadata.annotations, [LAST_APPLIED]: REDACTED } };
  }
  return out;
}

/** A list of Secrets, or the API server's table of them (`?as=Table`: each row carries its object's metadata). */
export function redactSecretList(list: Obj): Obj {
  const items = list['items'];
  if (Array.isArray(items)) return { ...list, items: items.map((item) => redactSecret(item as Obj)) };
  const rows = list['rows'];
  if (Array.isArray(rows)) return { ...list, rows: rows.map((row) => (row && typeof row === 'object' && (row as Obj)['object'] ? { ...(row as Obj), object: redactSecret((row as Obj)['object'] as Obj) } : row)) };
  return list;
}

/**
 * Why writing `object` would store something Cairn hid from its reader, or undefined. A Secret
 * read without `reveal` carries `null` for every value, and the API server stores a null value
 * as an empty string: writing such an object back (an edit of the redacted YAML, or a pasted
 * copy of it) would silently empty every value. The same holds for the redaction marker in
 * `last-applied-configuration`. Both the replace and the apply endpoints refuse such a write.
 */
export function hiddenValueProblem(object: Obj, options: { secret?: boolean } = {}): string | undefined {
  const metadata = (object['metadata'] ?? {}) as { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> };
  const name = `${object['kind'] ?? 'Secret'} ${typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : ''}${metadata.name}`;
  const advice = 'Cairn hides Secret values until they are revealed, and writing this would store them empty. Reveal the values and edit from there; to remove a key, delete it from the YAML.';
  // The address decides too: the API server fills a missing kind in from the URL it was sent to.
  if (object['kind'] === 'Secret' || options.secret) {
    for (const field of ['data', 'stringData']) {
      const values = object[field];
      if (!values || typeof values !== 'object') continue;
      const hidden = Object.entries(values).filter(([, value]) => value === null || value === undefined || value === REDACTED).map(([key]) => `${field}.${key}`);
      if (hidden.length) return `${name}: ${hidden.join(', ')} ${hidden.length === 1 ? 'has' : 'have'} no value. ${advice}`;
    }
  }
  if (metadata.annotations?.[LAST_APPLIED] === REDACTED) {
    return `${name}: the annotation ${LAST_APPLIED} is Cairn's redaction marker, not the real value. Remove the annotation from the YAML, or reveal the object and edit from there.`;
  }
  return undefined;
}
