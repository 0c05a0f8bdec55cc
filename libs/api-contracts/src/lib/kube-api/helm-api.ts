import type { HelmRevisionSummary } from '@cairn/kube-model';
/**
 * The Helm releases endpoints (`GET …/helm/releases`, `…/helm/releases/{name}`,
 * `…/helm/releases/{name}/revisions/{revision}`): read-only, decoded by the gateway from Helm's
 * own storage (release Secrets and ConfigMaps) with the caller's credentials. The decoding rule
 * is kube-model's `helm-release.ts`.
 */

/** Most bytes one revision may inflate to; a release over it is an error row naming this bound (MAX_HELM_RELEASE_BYTES). */
export const MAX_HELM_RELEASE_BYTES = 8 * 1024 * 1024;
/** Most releases one list answers with (`truncated` says when there are more; pick a namespace). */
export const MAX_HELM_RELEASES = 100;
/** Most revisions one history answers with, newest first (`truncated` says when there are more). */
export const MAX_HELM_REVISIONS = 100;
/** Most Helm storage objects (revisions of every release) one list reads the labels of. */
export const MAX_HELM_STORAGE_OBJECTS = 2000;

/** A release (its latest revision) or a revision, as `helm list` and `helm history` show it. */
export interface HelmReleaseRow extends HelmRevisionSummary {
  /** Which Helm storage driver holds it. */
  storage: 'secret' | 'configmap';
  /** The storage object's name (`sh.helm.release.v1.<name>.v<revision>`). */
  object: string;
  /** Set when the stored data cannot be read (bad base64, bad gzip, over MAX_HELM_RELEASE_BYTES, bad JSON, a missing field): what is wrong. The other fields are then the labels' (chart fields empty). */
  error?: string;
}

/** `GET /api/v1/clusters/{cluster}/helm/releases?namespace=`: the latest revision of each release. */
export interface HelmReleaseList {
  items: HelmReleaseRow[];
  /** Set when not everything was read: which bound, and what to do. */
  truncated?: string;
  /** Set when Helm's ConfigMap storage could not be read (only its Secret storage is shown): the API server's reason. */
  configMapsUnread?: string;
}

/** `GET …/namespaces/{namespace}/helm/releases/{name}`: the revisions of a release, newest first. */
export interface HelmHistory {
  name: string;
  namespace: string;
  revisions: HelmReleaseRow[];
  truncated?: string;
  configMapsUnread?: string;
}

/** `GET …/namespaces/{namespace}/helm/releases/{name}/revisions/{revision}`: one revision whole. */
export interface HelmRevision extends HelmReleaseRow {
  /** `helm get values`: what was supplied at install/upgrade. */
  userValues: Record<string, unknown>;
  /** `helm get values --all`: the user's values coalesced over the chart's defaults (Helm's CoalesceValues; top chart only, as stored). */
  computedValues: Record<string, unknown>;
  /** `helm get manifest`. */
  manifest: string;
  /** `helm get notes` (without its "NOTES:" heading); '' when none. */
  notes: string;
}
