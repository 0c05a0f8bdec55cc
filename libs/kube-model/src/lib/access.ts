/**
 * What the API server says about access, read once for every screen: the request a 403
 * refused, whether a verb changes anything, and a rules review summarised as
 * `kubectl auth can-i --list` prints it.
 */

/**
 * The verbs that only read (Kubernetes "Authorization: Determine the Request Verb": GET and
 * HEAD are `get` or `list`, a watch is `watch`). Every other verb — create, update, patch,
 * delete, deletecollection, and the special ones (bind, escalate, impersonate, approve, sign…)
 * — may change something, so a verb not listed here is a write: a new verb is refused by a
 * read-only console rather than offered.
 */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];

/** Whether `verb` may change something (see READ_VERBS); `*` is a write. */
export function isWriteVerb(verb: string): boolean {
  return !READ_VERBS.includes(verb.toLowerCase());
}

/** The request a 403 refused, as the API server's message names it. */
export interface RefusedRequest {
  /** `system:anonymous`, `alice@example.com`, `system:serviceaccount:team-a:deployer`. */
  user: string;
  verb: string;
  /** `""` is the core group. */
  group: string;
  resource: string;
  /** `log`, `exec`, `scale`…; absent for the resource itself. */
  subresource?: string;
  /** Absent when refused at the cluster scope. */
  namespace?: string;
  /** The object's name, when the message named one (`secrets "db" is forbidden`). */
  name?: string;
}

// k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go (forbiddenMessage):
//   User "<user>" cannot <verb> resource "<resource>[/<subresource>]" in API group "<group>"
//   (in the namespace "<ns>" | at the cluster scope)
// preceded by the StatusError's `<resource>[.group] "<name>" is forbidden: `.
const FORBIDDEN = /User "((?:[^"\\]|\\.)*)" cannot (\S+) resource "([^"/]*)(?:\/([^"]*))?" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)?/;
const NAMED = /(?:^|\s)[^\s"]+ "([^"]+)" is forbidden:/;

/**
 * Reads the refused request out of an API server's 403 message (with any prefix the console
 * added, such as `Cluster main refused: `). The format is the API server's
 * (`k8s.io/apiserver` responsewriters `forbiddenMessage`, the text of every RBAC refusal);
 * undefined for a 403 worded otherwise (an admission webhook, a proxy), which the caller then
 * explains from what it asked for instead.
 */
export function parseForbidden(message: string | undefined): RefusedRequest | undefined {
  const m = message ? FORBIDDEN.exec(message) : null;
  if (!m || !message) return undefined;
  const name = NAMED.exec(message.slice(0, m.index))?.[1];
  return {
    user: m[1].replace(/\\(.)/g, '$1'),
    verb: m[2],
    group: m[5],
    resource: m[3],
    ...(m[4] ? { subresource: m[4] } : {}),
    ...(m[6] !== undefined ? { namespace: m[6] } : {}),
    ...(name ? { name } : {}),
  };
}

/** One `resourceRules` entry of a SelfSubjectRulesReview (`authorization.k8s.io/v1`). */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** One `nonResourceRules` entry: URLs such as `/healthz`, `/api/*`. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** One line of the summary: a resource (or a URL) and every verb allowed on it. */
export interface RuleLine {
  /** `pods`, `deployments.apps`, `pods/log`, `*.*`; a URL for a non-resource line. */
  resource: string;
  /** Only these objects; empty: all of them. */
  resourceNames: string[];
  /** Sorted; `*` means every verb. */
  verbs: string[];
  /** A URL rule (`/healthz`), not a resource rule. */
  nonResource: boolean;
}

/**
 * A rules review as `kubectl auth can-i --list` prints it (k8s.io/kubectl/pkg/cmd/auth/cani.go:
 * each rule broken down to one group and one resource, rules that differ only by verb merged
 * — rbac's `CompactRules` — and one line per resource, named `resource.group/subresource`,
 * `resource` for the core group). Sorted by resource, then names; URL rules after the
 * resources, one line per URL (kubectl prints a URL once per rule that names it).
 */
export function summariseRules(resourceRules: ResourceRule[], nonResourceRules: NonResourceRule[] = []): RuleLine[] {
  const lines = new Map<string, RuleLine>();
  const add = (resource: string, names: string[], verbs: string[], nonResource: boolean) => {
    const key = JSON.stringify([nonResource, resource, names]);
    const line = lines.get(key) ?? { resource, resourceNames: names, verbs: [], nonResource };
    line.verbs = [...new Set([...line.verbs, ...verbs])].sort();
    lines.set(key, line);
  };
  for (const rule of resourceRules) {
    const names = [...(rule.resourceNames ?? [])].sort();
    for (const group of rule.apiGroups?.length ? rule.apiGroups : ['']) {
      for (const resource of rule.resources ?? []) add(resourceName(resource, group), names, rule.verbs ?? [], false);
    }
  }
  for (const rule of nonResourceRules) for (const url of rule.nonResourceURLs ?? []) add(url, [], rule.verbs ?? [], true);
  return [...lines.values()].sort(
    (a, b) => Number(a.nonResource) - Number(b.nonResource) || a.resource.localeCompare(b.resource) || a.resourceNames.join(',').localeCompare(b.resourceNames.join(',')),
  );
}

/** kubectl's name of a resource in a group: `deployments.apps/scale`, `pods/log`, `*.*`. */
function resourceName(resource: string, group: string): string {
  if (!group) return resource;
  const [name, ...sub] = resource.split('/');
  return `${name}.${group}${sub.length ? `/${sub.join('/')}` : ''}`;
}

/**
 * The verbs the summary allows on every object of one resource (`group` `""` for core; lines
 * limited to named objects are left out), `*` rules included: what a refused person may still
 * do with that resource. Sorted; `*` when every verb is allowed.
 */
export function verbsOn(lines: RuleLine[], target: { group: string; resource: string; subresource?: string }): string[] {
  const verbs = new Set<string>();
  for (const line of lines) {
    if (line.nonResource || line.resourceNames.length) continue;
    const m = /^([^./]+)(?:\.([^/]+))?(?:\/(.+))?$/.exec(line.resource);
    if (!m) continue;
    const [, name, group = '', sub] = m;
    const groupOk = group === '*' || group === target.group;
    const resourceOk = name === '*' || (name === target.resource && (sub ?? '') === (target.subresource ?? '')) || (sub === '*' && name === target.resource && target.subresource !== undefined);
    if (groupOk && resourceOk) line.verbs.forEach((v) => verbs.add(v));
  }
  return verbs.has('*') ? ['*'] : [...verbs].sort();
}
