/**
 * Kubernetes' rules for label keys and values, once, for every view that sets a label (bulk
 * label, node labels) and for `kubectl label`'s `key=value` / `key-` arguments.
 *
 * Sources: k8s.io/apimachinery/pkg/util/validation — `IsQualifiedName` (a key: an optional
 * DNS-1123 subdomain prefix of at most 253 characters and a `/`, then a name of at most 63
 * characters), `IsValidLabelValue` (at most 63 characters, may be empty), `IsDNS1123Subdomain`;
 * and k8s.io/kubectl/pkg/cmd/label (`kubectl label`: `key=value` sets, `key-` removes).
 */

/** A qualified name's name part, and a label value when not empty: alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric. */
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Longest name part of a key, and longest value, in characters (apimachinery's qualifiedNameMaxLength, LabelValueMaxLength). */
export const LABEL_NAME_MAX = 63;
/** Longest prefix of a key, in characters (apimachinery's DNS1123SubdomainMaxLength). */
export const LABEL_PREFIX_MAX = 253;

/**
 * What is wrong with `key` as a label key (apimachinery's `IsQualifiedName`), in words; undefined
 * when it is valid. E.g. `app`, `app.kubernetes.io/name`.
 */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `label key "${key}" may hold at most one "/" (an optional prefix, then a name).`;
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : [undefined, parts[0] ?? ''];
  if (prefix !== undefined) {
    if (!prefix) return `label key "${key}" has an empty prefix before "/".`;
    if (prefix.length > LABEL_PREFIX_MAX) return `the prefix of label key "${key}" is longer than ${LABEL_PREFIX_MAX} characters.`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `the prefix of label key "${key}" must be a DNS subdomain (lowercase letters, digits, "-" and ".", e.g. example.com).`;
  }
  if (!name) return `label key "${key}" needs a name${prefix === undefined ? '' : ' after "/"'}.`;
  if (name.length > LABEL_NAME_MAX) return `the name of label key "${key}" is longer than ${LABEL_NAME_MAX} characters.`;
  if (!NAME_PART.test(name)) return `the name of label key "${key}" may hold only letters, digits, "-", "_" and ".", and must start and end with a letter or digit.`;
  return undefined;
}

/** What is wrong with `value` as a label value (apimachinery's `IsValidLabelValue`), in words; undefined when valid (empty is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_NAME_MAX) return `label value "${value.slice(0, 20)}…" is longer than ${LABEL_NAME_MAX} characters.`;
  if (value && !NAME_PART.test(value)) return `label value "${value}" may hold only letters, digits, "-", "_" and ".", and must start and end with a letter or digit (or be empty).`;
  return undefined;
}

/** One label change as `kubectl label` takes it: set `key` to `value`, or remove `key` (`value` undefined). */
export interface LabelChange {
  key: string;
  /** The value to set; undefined removes the label. */
  value?: string;
}

/**
 * Reads `kubectl label`'s argument: `key=value` sets (overwriting, as `--overwrite`), `key-`
 * removes. Answers the change, or `{ problem }` saying what is wrong in words.
 */
export function parseLabelChange(text: string): LabelChange | { problem: string } {
  const arg = text.trim();
  if (!arg) return { problem: 'Write key=value to set a label, or key- to remove one.' };
  const eq = arg.indexOf('=');
  if (eq < 0) {
    if (!arg.endsWith('-')) return { problem: `"${arg}" is neither key=value (set a label) nor key- (remove one).` };
    const key = arg.slice(0, -1);
    const problem = labelKeyProblem(key);
    return problem ? { problem: capitalise(problem) } : { key };
  }
  const key = arg.slice(0, eq);
  const value = arg.slice(eq + 1);
  const problem = labelKeyProblem(key) ?? labelValueProblem(value);
  return problem ? { problem: capitalise(problem) } : { key, value };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
