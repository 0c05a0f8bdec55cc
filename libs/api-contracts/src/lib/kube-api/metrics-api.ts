/**
 * Replies of `GET /api/v1/clusters/{cluster}/metrics/pods` and `…/metrics/nodes`: CPU and memory
 * usage from the cluster's `metrics.k8s.io` (metrics-server), printed as `kubectl top` prints it
 * (kube-model's metrics rules). The upstream answer is read whole, so it is bounded by
 * CAIRN_MAX_UPSTREAM_BODY_BYTES (a 502 naming it when crossed: ask for one namespace).
 */

/** One pod's or node's usage at one moment. */
export interface UsageSample {
  /** Pod or node name. */
  name: string;
  /** The pod's namespace (absent for a node). */
  namespace?: string;
  /** kubectl top's CPU cell: millicores, e.g. `4m`. */
  cpu: string;
  /** kubectl top's memory cell: MiB, e.g. `16Mi`. */
  memory: string;
  /** The same as numbers (millicores, MiB), for charts. */
  cpuMillicores: number;
  memoryMiB: number;
  /** kubectl top node's shares of allocatable (`3%`); only for nodes, and only when the caller may read the node. */
  cpuPercent?: string;
  memoryPercent?: string;
  /** When metrics-server measured it (RFC 3339), over which window (`10.5s`). */
  timestamp: string;
  window: string;
}

/**
 * `served: false` when the cluster has no `metrics.k8s.io` (no metrics-server: the APIService is
 * missing) or it is unavailable (registered, but the aggregated server does not answer);
 * `message` says which and what to do. Never invented numbers.
 */
export type MetricsReply = { served: true; items: UsageSample[] } | { served: false; message: string };
