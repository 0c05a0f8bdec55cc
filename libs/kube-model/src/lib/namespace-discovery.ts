/**
 * How a person who may not list namespaces finds theirs (issue 24 item 2): which namespaces are
 * candidates, how many are checked, and which right makes a candidate theirs. Pure rules; the
 * gateway lists labelled candidates with its own ServiceAccount and asks the API server, with
 * the caller's own credentials, whether each is theirs.
 */

/** The methods an administrator may choose (CAIRN_NAMESPACE_DISCOVERY), in the order they are applied. */
export const NAMESPACE_DISCOVERY_METHODS = ['labelled', 'groups'] as const;
export type NamespaceDiscoveryMethod = (typeof NAMESPACE_DISCOVERY_METHODS)[number];

/**
 * The right that makes a candidate namespace one of the caller's: `list pods` in it, asked as a
 * SelfSubjectAccessReview with `namespace` set (as `kubectl auth can-i list pods -n <ns>` asks;
 * k8s.io/kubectl/pkg/cmd/auth/cani.go RunAccessCheck).
 *
 * Why `list pods` and not `get namespace`: choosing a namespace in the picker leads to lists of
 * what runs there, and pods are what every role that gives a person a namespace lets them list
 * (the built-in `view`, `edit` and `admin` ClusterRoles, and custom reader roles such as the
 * dev cluster's `cairn-dev-list-no-watch`), while `get` on the Namespace object is in `view`
 * but missing from most custom roles. A person who may only `get` objects by name (no list)
 * gets nothing from a picked namespace's lists, so it is not offered; they still type it.
 * The rule is one right, so `kubectl auth can-i` is its oracle.
 */
export const NAMESPACE_ACCESS_CHECK = { verb: 'list', group: '', resource: 'pods' } as const;

/** The candidates to check for one caller, and whether the bound cut some off. */
export interface NamespaceCandidates {
  /** Sorted, without duplicates, at most `max`. */
  names: string[];
  /** More candidates than `max`: only the first `max` by name are checked. */
  truncated: boolean;
}

/**
 * The candidate namespaces of one caller: the labelled ones (the gateway's list) and those the
 * administrator's group mapping gives any of `groups` (the caller's verified ID token claims),
 * merged, sorted by name and cut at `max` (the first `max` by name, so the cut is the same on
 * every replica). Nothing here says a candidate is the caller's: each must still pass
 * NAMESPACE_ACCESS_CHECK with the caller's credentials before its name is shown to them.
 *
 * @param labelled names of the namespaces carrying the administrator's label (any order)
 * @param groupMapping group name → namespace names (CAIRN_NAMESPACE_DISCOVERY_GROUPS)
 * @param groups the caller's groups; a group the mapping does not name adds nothing
 * @param max at least 1 (CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES)
 */
export function namespaceCandidates(labelled: readonly string[], groupMapping: Readonly<Record<string, readonly string[]>>, groups: readonly string[], max: number): NamespaceCandidates {
  const all = new Set(labelled);
  for (const group of groups) {
    if (Object.prototype.hasOwnProperty.call(groupMapping, group)) for (const ns of groupMapping[group] ?? []) all.add(ns);
  }
  const sorted = [...all].sort();
  return { names: sorted.slice(0, Math.max(1, max)), truncated: sorted.length > max };
}
