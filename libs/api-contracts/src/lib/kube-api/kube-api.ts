/**
 * The shapes of the gateway's Kubernetes API (`/api/v1`), shared by the gateway that
 * answers and the data-access lib that asks, so both sides change together.
 */

/** `GET /api/v1/clusters`: a configured cluster. */
export interface ClusterSummary {
  name: string;
  /** Only for a signed-in caller. */
  server?: string;
  source: 'kubeconfig' | 'in-cluster';
  /** The default namespace its kubeconfig context names. */
  namespace?: string;
  /** Why this context of the gateway's KUBECONFIG cannot be used; absent for a usable cluster. */
  problem?: string;
}

/** `GET /api/v1/clusters/{cluster}/status`. */
export interface ClusterStatus {
  name: string;
  reachable: boolean;
  /** The API server's gitVersion, e.g. v1.36.3. */
  version?: string;
  /** Why it is not reachable. */
  error?: string;
}

/** `GET /api/v1/clusters/{cluster}/whoami`. */
export interface WhoAmI {
  username: string;
  uid?: string;
  groups: string[];
}

/** `GET /api/v1/clusters/{cluster}/api-resources`: one kind the cluster serves. */
export interface ApiResource {
  /** `core` for the legacy group. */
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
  /** Whether `version` is the group's preferred version. */
  preferred: boolean;
  /** kubectl's short names from discovery (`deploy`, `po`); absent when the cluster gives none. */
  shortNames?: string[];
  /** The singular resource name (`deployment`), when discovery gives it. */
  singular?: string;
}

/** At most this many questions per `access-reviews` call. */
export const MAX_ACCESS_CHECKS = 100;

/** Request shapes, declared once with their validation schemas (../requests); types only here, so front ends load no validator. */
export type { AccessCheck, WatchSubscription } from '../requests/gateway-requests';

export interface AccessResult {
  allowed: boolean;
  /** The authorizer's explanation, when it gave one. */
  reason?: string;
}

/** `POST /api/v1/clusters/{cluster}/apply`: what happened to one object. */
export interface ApplyResult {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  result: 'created' | 'configured' | 'unchanged';
}

/** `POST /api/v1/clusters/check-kubeconfig`: one context of a pasted kubeconfig. */
export interface KubeconfigContextCheck {
  name: string;
  server?: string;
  namespace?: string;
  /** The entry the browser sends in X-Cairn-Cluster for this context; absent when refused. */
  entry?: string;
  problem?: string;
}

/** One `watch` event of the stream (without its subscription id). */
export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'RESYNC' | 'ERROR';
  /** The object, for ADDED/MODIFIED/DELETED. */
  object?: unknown;
  /** For RESYNC: every object, as a fresh list returned them. */
  items?: unknown[];
  resourceVersion?: string;
  /** For ERROR: the HTTP status the console should act on (401: renew the session). */
  status?: number;
  message?: string;
}

/** A `watch` event as it arrives: the event and the subscription it belongs to. */
export type WatchMessage = WatchEventOut & { id: string };

/** The header that carries a user-added cluster's kubeconfig entry. */
export const USER_CLUSTER_HEADER = 'x-cairn-cluster';
/** Cluster names of user-added clusters start with this. */
export const USER_CLUSTER_PREFIX = 'user:';

/**
 * The words of the gateway's 403 when a user-added cluster refuses the credential of its entry
 * (the API server's 401: an expired or revoked token or certificate). Not the console session's
 * end, and not RBAC: views that explain refusals recognise it by these words and say to add the
 * cluster again instead of "your role does not allow this".
 */
export const USER_CLUSTER_CREDENTIAL_REJECTED = 'did not accept the credential in its kubeconfig entry';
/** The header a browser sends with every change made with the session cookie. */
export const CSRF_HEADER = 'x-cairn-csrf';
