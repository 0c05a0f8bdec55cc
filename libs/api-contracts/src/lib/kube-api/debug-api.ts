/**
 * The answer to `POST …/pods/{pod}/debug-containers` and `…/debug-copies`: the pod that now
 * holds the debug container (the same pod, or the new copy) and the container's name, to
 * attach to once it runs.
 */
export interface DebugStarted {
  namespace: string;
  pod: string;
  container: string;
}
