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

export function redactSecretList(list: Obj): Obj {
  const items = list['items'];
  return Array.isArray(items) ? { ...list, items: items.map((item) => redactSecret(item as Obj)) } : list;
}
