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

/**
 * `POST …/pods/{pod}/debug-containers`, as a front end sends it (validated by `DebugContainerBody`
 * of `@cairn/api-contracts/requests`, which must give this type; declared here so that a front end
 * loads no validator).
 */
export interface DebugContainerRequest {
  image: string;
  target?: string;
  name?: string;
  command?: string[];
}

/** `POST …/pods/{pod}/debug-copies` (validated by `DebugCopyBody`). */
export interface DebugCopyRequest {
  copyName: string;
  image?: string;
  container?: string;
  command?: string[];
  shareProcesses?: boolean;
}
