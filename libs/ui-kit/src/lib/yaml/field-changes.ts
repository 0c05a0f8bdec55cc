/** One field that differs between two versions of an object. */
export interface FieldChange {
  /** Where, as a dotted path with list indexes: `spec.template.spec.containers[0].image`, `data.password`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** The value before and after, as one line of text (objects and lists as JSON); absent when added or removed. */
  before?: string;
  after?: string;
  /** A value that had content and would be empty or gone: the shape a silent wipe takes. */
  emptied: boolean;
}

type Value = unknown;

const isObject = (value: Value): value is Record<string, Value> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmpty = (value: Value) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
const show = (value: Value) => (typeof value === 'string' ? value : JSON.stringify(value));
const key = (path: string, name: string) => (/^[A-Za-z_$][\w$-]*$/.test(name) ? (path ? `${path}.${name}` : name) : `${path}[${JSON.stringify(name)}]`);

/**
 * Every leaf field that differs between `before` and `after`, depth first in the order the
 * fields appear: what an edit would change, field by field, so that a value emptied along
 * the way (a Secret's data written back from a redacted copy) cannot hide in a long YAML.
 * Lists are compared by position.
 */
export function fieldChanges(before: Value, after: Value, path = ''): FieldChange[] {
  // A mapping added or removed as a whole is reported key by key, so each emptied value shows.
  if ((isObject(before) || before === undefined) && (isObject(after) || after === undefined) && (isObject(before) || isObject(after))) {
    const [from, to] = [before ?? {}, after ?? {}] as Array<Record<string, Value>>;
    const names = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    if (names.length === 0) {
      // Both empty (`securityContext: {}` on both sides): nothing changed.
      if (before !== undefined && after !== undefined) return [];
      return before === undefined ? [{ path, kind: 'added', after: '{}', emptied: false }] : [{ path, kind: 'removed', before: '{}', emptied: false }];
    }
    return names.flatMap((name) => fieldChanges(from[name], to[name], key(path, name)));
  }
  if (isObject(before) && isObject(after)) {
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return names.flatMap((name) => fieldChanges(before[name], after[name], key(path, name)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => fieldChanges(before[i], after[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (before === undefined) return [{ path, kind: 'added', after: show(after), emptied: false }];
  if (after === undefined) return [{ path, kind: 'removed', before: show(before), emptied: !isEmpty(before) }];
  return [{ path, kind: 'changed', before: show(before), after: show(after), emptied: !isEmpty(before) && isEmpty(after) }];
}
