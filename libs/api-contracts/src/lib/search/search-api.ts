/**
 * Global search (`GET /api/v1/search`): the NDJSON lines of its answer, one JSON object a line.
 * NDJSON and not server-sent events: the browser reads it with `fetch`, which can send a
 * user-added cluster's `X-Cairn-Cluster` header and be aborted when the query changes;
 * `EventSource` can do neither, and would reconnect on its own to a search that has ended.
 */

/** Most clusters one search reads. */
export const MAX_SEARCH_CLUSTERS = 10;
/** Most namespaces given for one cluster (the console context's namespaces of a tenant who may not list them). */
export const MAX_SEARCH_NAMESPACES = 50;

/** One object found: enough to name it and link to its page. */
export interface SearchHit {
  namespace?: string;
  name: string;
}

/** The bounds a search can run into, by the setting that sets each. */
export type SearchBound = 'CAIRN_SEARCH_MAX_RESULTS' | 'CAIRN_SEARCH_MAX_PAGES' | 'CAIRN_SEARCH_DEADLINE_SECONDS';

/** The kind of a group of results, as discovery names it. */
export interface SearchKind {
  cluster: string;
  /** `core` for the legacy group. */
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export type SearchEvent =
  /** Which kinds of which cluster are being read (after that cluster's discovery). */
  | { type: 'cluster'; cluster: string; kinds: number; unknownKinds: string[] }
  /** Objects of one kind that match, as each page of its list arrives (one line per page, only when there are some). */
  | ({ type: 'results'; items: SearchHit[] } & SearchKind)
  /**
   * A kind (in one namespace, when `namespace` is set) the caller may not list: skipped and
   * counted, not an error. `error`: the cluster answered otherwise (said in `message`).
   */
  | ({ type: 'skipped'; reason: 'forbidden' | 'error'; namespace?: string; message?: string } & SearchKind)
  /** A cluster that could not be searched at all (unknown, no credentials, discovery failed). */
  | { type: 'cluster-error'; cluster: string; message: string }
  /** A bound was reached: what is shown is not everything. `kind` names the one kind when the bound is per kind. */
  | { type: 'truncated'; bound: SearchBound; limit: number; message: string; kind?: SearchKind }
  /** Last line: how many objects were sent, kinds (or namespaces of a kind) skipped, and whether a bound cut it short. */
  | { type: 'done'; results: number; skipped: number; truncated: boolean; elapsedMs: number };

/** One cluster to search (declared with its schema in ../requests); a type only here, so front ends load no validator. */
export type { SearchTarget } from '../requests/search-requests';
