import { humanDuration } from './duration';
import { asArray, asNumber, asObject, asString, Json } from './json-shape';
import type { Health, Status } from './status';

/**
 * A pod's READY, STATUS and RESTARTS exactly as `kubectl get pods` prints them. The rules are
 * those of the API server's pod printer (`printPod` in k8s.io/kubernetes/pkg/printers/
 * internalversion/printers.go, which serves kubectl's table), restated here because every view
 * of the console needs them for objects it already holds (lists, watch events, detail headers,
 * overviews). `pod-status.spec.ts` and the browser tests compare the result with kubectl's own
 * answer for every pod of the dev cluster's seed.
 *
 * In words:
 * - STATUS starts as the phase, or `status.reason` when set (e.g. `Evicted`); `SchedulingGated`
 *   when the PodScheduled condition says so.
 * - Init containers, in order: one that exited 0 is skipped; a started native sidecar
 *   (`restartPolicy: Always`) counts towards READY and is skipped; the first other one decides:
 *   `Init:<reason>` (or `Init:ExitCode:n` / `Init:Signal:n`) when it terminated, `Init:<reason>`
 *   when it waits for a reason other than PodInitializing, else `Init:<i>/<n>`.
 * - Unless still initialising (and not marked Initialized), the app containers, last to first:
 *   a waiting reason, a terminated reason (or `ExitCode:n` / `Signal:n`), each overwrites STATUS;
 *   a ready running container counts towards READY. `Completed` with a container still running
 *   reads `Running` (pod Ready) or `NotReady`, and with a failed container that one's reason.
 * - Being deleted: `Unknown` if the node was lost (`NodeLost`), else `Terminating` unless the
 *   phase is already Succeeded or Failed.
 * - READY is ready/total, where total counts app containers and native sidecars.
 * - RESTARTS sums restartCount of the app containers and native sidecars (all init containers
 *   while initialising), with "(<age> ago)" of the latest last termination.
 */
export interface PodColumns {
  /** `1/2` */
  ready: string;
  readyCount: number;
  total: number;
  /** kubectl's STATUS: `Running`, `Init:CrashLoopBackOff`, `NotReady`, `Terminating`, … */
  status: string;
  restarts: number;
  /** When the latest restart's previous instance ended, if known (RFC 3339). */
  lastRestart?: string;
}

const terminal = (phase: string) => phase === 'Succeeded' || phase === 'Failed';

/**
 * The cells computed once per pod object: a list shows READY, STATUS and RESTARTS (and the
 * status badge, and its filter reads them) from the same object several times, 10 000 pods at a
 * time. Objects are replaced when they change (a watch event brings a new one), never changed
 * in place, so an object's cells stay true.
 */
const computed = new WeakMap<object, PodColumns>();

/** kubectl's READY, STATUS and RESTARTS cells of one pod. Any JSON shape is tolerated. */
export function podColumns(pod: Json): PodColumns {
  if (typeof pod !== 'object' || pod === null) return cellsOf(pod);
  let cells = computed.get(pod);
  if (!cells) computed.set(pod, (cells = cellsOf(pod)));
  return cells;
}

function cellsOf(pod: Json): PodColumns {
  const object = asObject(pod);
  const spec = asObject(object['spec']);
  const status = asObject(object['status']);
  const metadata = asObject(object['metadata']);
  const phase = asString(status['phase']) ?? '';
  let reason = asString(status['reason']) || phase;
  const conditions = asArray(status['conditions']).map(asObject);
  if (conditions.some((c) => c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated')) reason = 'SchedulingGated';

  const initSpecs = asArray(spec['initContainers']).map(asObject);
  const sidecars = new Set(initSpecs.filter((c) => c['restartPolicy'] === 'Always').map((c) => asString(c['name'])));
  let total = asArray(spec['containers']).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart: string | undefined;
  let sidecarRestarts = 0;
  let sidecarLastRestart: string | undefined;
  const later = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : Date.parse(b) > Date.parse(a) ? b : a);
  const finishedBefore = (s: Record<string, Json>) => asString(asObject(asObject(s['lastState'])['terminated'])['finishedAt']);

  let initializing = false;
  const initStatuses = asArray(status['initContainerStatuses']).map(asObject);
  for (let i = 0; i < initStatuses.length; i++) {
    const s = initStatuses[i] as Record<string, Json>;
    const count = asNumber(s['restartCount']) ?? 0;
    restarts += count;
    lastRestart = later(lastRestart, finishedBefore(s));
    const sidecar = sidecars.has(asString(s['name']));
    if (sidecar) {
      sidecarRestarts += count;
      sidecarLastRestart = later(sidecarLastRestart, finishedBefore(s));
    }
    const state = asObject(s['state']);
    const terminated = state['terminated'] === undefined ? undefined : asObject(state['terminated']);
    const waiting = state['waiting'] === undefined ? undefined : asObject(state['waiting']);
    if (terminated && (asNumber(terminated['exitCode']) ?? 0) === 0) continue;
    if (sidecar && s['started'] === true) {
      if (s['ready'] === true) ready++;
      continue;
    }
    if (terminated) reason = `Init:${exitReason(terminated)}`;
    else if (waiting && asString(waiting['reason']) && waiting['reason'] !== 'PodInitializing') reason = `Init:${waiting['reason']}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditions.some((c) => c['type'] === 'Initialized' && c['status'] === 'True')) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let running = false;
    let failedReason = '';
    const appStatuses = asArray(status['containerStatuses']).map(asObject);
    for (let i = appStatuses.length - 1; i >= 0; i--) {
      const s = appStatuses[i] as Record<string, Json>;
      restarts += asNumber(s['restartCount']) ?? 0;
      lastRestart = later(lastRestart, finishedBefore(s));
      const state = asObject(s['state']);
      const waiting = asObject(state['waiting']);
      if (state['waiting'] !== undefined && asString(waiting['reason'])) {
        reason = waiting['reason'] as string;
      } else if (state['terminated'] !== undefined) {
        const terminated = asObject(state['terminated']);
        reason = exitReason(terminated);
        if ((asNumber(terminated['exitCode']) ?? 0) !== 0) failedReason = reason;
      } else if (s['ready'] === true && state['running'] !== undefined) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed') {
      const podReady = conditions.some((c) => c['type'] === 'Ready' && c['status'] === 'True');
      if (running && podReady) reason = 'Running';
      else if (failedReason) reason = failedReason;
      else if (running) reason = 'NotReady';
    }
  }

  if (metadata['deletionTimestamp'] !== undefined && metadata['deletionTimestamp'] !== null) {
    if (status['reason'] === 'NodeLost') reason = 'Unknown';
    else if (!terminal(phase)) reason = 'Terminating';
  }
  total = Math.max(total, 0);
  return { ready: `${ready}/${total}`, readyCount: ready, total, status: reason, restarts, ...(lastRestart ? { lastRestart } : {}) };
}

/** A terminated container's reason, or `ExitCode:n` / `Signal:n` when it gives none. */
function exitReason(terminated: Record<string, Json>): string {
  const reason = asString(terminated['reason']);
  if (reason) return reason;
  const signal = asNumber(terminated['signal']) ?? 0;
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${asNumber(terminated['exitCode']) ?? 0}`;
}

/** kubectl's RESTARTS cell: `0`, or `3 (5m ago)` when the latest restart's time is known. */
export function restartsText(columns: Pick<PodColumns, 'restarts' | 'lastRestart'>, now = Date.now()): string {
  if (columns.restarts === 0 || !columns.lastRestart) return String(columns.restarts);
  return `${columns.restarts} (${humanDuration((now - Date.parse(columns.lastRestart)) / 1000)} ago)`;
}

const PROGRESSING = new Set(['Pending', 'ContainerCreating', 'PodInitializing', 'Terminating', 'SchedulingGated']);

/**
 * The pod's STATUS with a health for the badge: kubectl's word, never another one. Running
 * with every container ready is well; Completed is done; Pending, ContainerCreating, Init:i/n
 * and Terminating are in progress; Unknown (and a Running pod not yet ready) needs a look;
 * every other reason (CrashLoopBackOff, Error, Init:Error, ImagePullBackOff, OOMKilled,
 * Evicted, NotReady, ExitCode:n, …) is a failure.
 */
export function podStatus(pod: Json): Status {
  const columns = podColumns(pod);
  const health = podHealth(columns);
  // A pod nobody can schedule stays Pending in kubectl's words, but needs a look.
  return { text: columns.status, health: columns.status === 'Pending' && unschedulable(pod) ? 'warning' : health };
}

/** The reason the scheduler gives for not placing the pod (`Unschedulable`), if it does. */
export function unschedulable(pod: Json): string | undefined {
  const scheduled = asArray(asObject(asObject(pod)['status'])['conditions']).map(asObject).find((c) => c['type'] === 'PodScheduled');
  return scheduled && scheduled['status'] === 'False' ? (asString(scheduled['reason']) ?? 'Unschedulable') : undefined;
}

/**
 * Why a pod needs someone's attention, in kubectl's words, or undefined when it does not: its
 * STATUS when that is a failure or a warning (`CrashLoopBackOff`, `Init:Error`, `NotReady`,
 * `Unknown`, `Evicted`, …), and for a pod the scheduler cannot place, the scheduler's reason.
 * The one rule behind every "problems" list (the workloads overview, the cluster overview).
 */
export function podProblem(pod: Json): string | undefined {
  const status = podStatus(pod);
  if (status.health !== 'failed' && status.health !== 'warning') return undefined;
  const reason = status.text === 'Pending' ? unschedulable(pod) : undefined;
  return reason ? `${status.text}: ${reason}` : status.text;
}

/**
 * A pod's status from the API server's printed row alone (`Ready` "1/2" and `Status`, the cells
 * of `kubectl get pods`), for a list shown before its objects are read: the same text and
 * health as `podStatus`, except that a Pending pod the scheduler cannot place is not yet told
 * apart (its reason is in the object).
 */
export function podStatusFromCells(cells: Readonly<Record<string, string>>): Status {
  const status = cells['Status'] ?? '';
  const [ready, total] = (cells['Ready'] ?? '').split('/').map((n) => parseInt(n, 10));
  return { text: status, health: podHealth({ status, readyCount: ready || 0, total: total || 0 }) };
}

export function podHealth(columns: Pick<PodColumns, 'status' | 'readyCount' | 'total'>): Health {
  const status = columns.status;
  if (status === 'Running') return columns.readyCount >= columns.total ? 'ok' : 'progressing';
  if (status === 'Completed' || status === 'Succeeded') return 'done';
  if (PROGRESSING.has(status) || /^Init:\d+\/\d+$/.test(status)) return 'progressing';
  if (status === 'Unknown') return 'warning';
  return 'failed';
}
