/** One pod as a drain names it. */
export interface DrainPodRef {
  namespace: string;
  name: string;
}

/** Where one pod's eviction stands. */
export type DrainPodState =
  /** The eviction is being asked for. */
  | 'evicting'
  /** A PodDisruptionBudget does not allow it yet (the API server answered 429): asked again with backoff. */
  | 'waiting'
  /** Evicted: the API server accepted it; the pod is terminating. */
  | 'terminating'
  /** Gone from the node. */
  | 'evicted'
  /** Refused for good (no right to evict in its namespace, an error): says what to do. */
  | 'failed';

/** How a drain ended. */
export type DrainResult = 'drained' | 'refused' | 'failed' | 'timed out' | 'cancelled';

/**
 * The lines of `POST /api/v1/clusters/{cluster}/nodes/{name}/drain` (NDJSON, one per line):
 * `cordoned` first, then the `plan`, then `pod` as each eviction moves, and `done` last.
 */
export type DrainEvent =
  | { type: 'cordoned'; node: string; already: boolean }
  | {
      type: 'plan';
      evict: DrainPodRef[];
      skipped: Array<DrainPodRef & { reason: 'DaemonSet' | 'mirror pod' }>;
      needsConsent: Array<DrainPodRef & { concerns: Array<'no controller' | 'emptyDir data'> }>;
    }
  | ({ type: 'pod'; state: DrainPodState; budget?: string; message?: string } & DrainPodRef)
  | { type: 'done'; result: DrainResult; message: string; pods?: DrainPodRef[] };
