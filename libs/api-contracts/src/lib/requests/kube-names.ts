import * as z from 'zod/mini';

/**
 * The names a request may carry, with Kubernetes' own rules, declared once: the gateway
 * validates every path parameter, query and body against these before it builds an API-server
 * path, and builds paths only from values that pass them (no `..`, no `/`, no `?`).
 *
 * Where the rules come from: k8s.io/apimachinery/pkg/util/validation (IsDNS1123Label for
 * namespaces, IsDNS1123Subdomain for groups, IsDNS1035Label for CRD versions) and
 * k8s.io/apimachinery/pkg/api/validation/path (ValidatePathSegmentName, the widest rule any
 * kind's names follow: RBAC names such as `system:controller:x` or `Team Leads`).
 */
export const KUBE_NAME_PATTERNS = {
  /** An API group (`apps`, `cert-manager.io`), or `core` for the legacy group. */
  group: /^(core|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/,
  /**
   * An API version: built-in ones look like `v1`, `v1beta1`, but a CRD may serve any DNS-1035
   * label (`v1-preview`, `v2rc1`), which is all the API server asks of a CRD version.
   */
  version: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  /** A resource (plural) or subresource name: `pods`, `deployments`, `log`, `scale`. */
  resource: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  /**
   * An object name. Most kinds take DNS subdomains, but some (RBAC roles and bindings, some
   * CRDs) take any name that is a valid path segment (apimachinery's ValidatePathSegmentName):
   * not `.` or `..`, no `/` or `%`. Control characters are refused here too.
   */
  name: /^(?!\.{1,2}$)[^/%\p{Cc}]+$/u,
  /** A namespace: a DNS label. */
  namespace: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
} as const;

/** Longest names, in characters: 253 for DNS subdomains and object names, 63 for labels (namespaces, versions). */
export const KUBE_NAME_MAX = { group: 253, version: 63, resource: 253, name: 253, namespace: 63 } as const;

/** What each kind of name must look like, in words (used in every refusal). */
export const KUBE_NAME_RULES: Record<keyof typeof KUBE_NAME_PATTERNS, string> = {
  group: 'must be an API group such as apps or cert-manager.io (core for the legacy group)',
  version: 'must be an API version such as v1, v1beta1 or a CRD\'s own (lowercase letters, digits and "-", starting with a letter, at most 63 characters)',
  resource: 'must be a resource name such as pods or deployments (lowercase letters, digits, "-" and ".")',
  name: 'must be an object name: at most 253 characters, not "." or "..", without "/", "%" or control characters',
  namespace: 'must be a namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
};

/** A schema for one kind of Kubernetes name (length and pattern, one message). */
export function kubeName(kind: keyof typeof KUBE_NAME_PATTERNS) {
  const error = KUBE_NAME_RULES[kind];
  return z.string().check(z.minLength(1, { error }), z.maxLength(KUBE_NAME_MAX[kind], { error }), z.regex(KUBE_NAME_PATTERNS[kind], { error }));
}

/**
 * Whether `value` is a valid name of `kind`: for code that builds paths from values that did
 * not come through a request schema (discovery results, an object's own references).
 */
export function isKubeName(kind: keyof typeof KUBE_NAME_PATTERNS, value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= KUBE_NAME_MAX[kind] && KUBE_NAME_PATTERNS[kind].test(value);
}

/**
 * A cluster as the console names it: a kubeconfig context name, the in-cluster name, or
 * `user:<name>` for a cluster the browser added. Context names are free text in kubeconfig
 * files (EKS names hold `:` and `/`), and the name is only ever looked up, never put in a
 * path, so only its length and the absence of control characters are checked here; whether
 * the cluster exists is the gateway's answer (a 404).
 */
export const clusterName = z.string().check(
  z.minLength(1, { error: 'must name a cluster' }),
  z.maxLength(253, { error: 'must be a cluster name of at most 253 characters' }),
  z.refine((name: string) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), { error: 'must be a cluster name without control characters' }),
);
