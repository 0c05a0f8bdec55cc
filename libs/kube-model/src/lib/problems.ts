import { asNumber, asObject, asString, Json } from './json-shape';
import { jobStatusText } from './kubectl-columns';
import { podColumns, podProblem, podStatus, restartsText, unschedulable } from './pod-status';
import { Health, Status } from './status';

/**
 * The health of a replicated workload from its ready and desired counts: all ready is well,
 * none ready a failure, some in progress; a workload scaled to 0 is suspended. `text` defaults
 * to `ready/desired ready`.
 */
export function replicaStatus(ready: number, desired: number, text = `${ready}/${desired} ready`): Status {
  if (desired === 0) return { health: 'suspended', text: 'Scaled to 0' };
  return { health: ready >= desired ? 'ok' : ready === 0 ? 'failed' : 'progressing', text };
}

/** A Job's STATUS in kubectl's word (`jobStatusText`, after the API server's `printJob`), with its health. */
export function jobStatus(job: Json): Status {
  const text = jobStatusText(job);
  const healths: Record<string, Health> = { Complete: 'done', SuccessCriteriaMet: 'done', Failed: 'failed', FailureTarget: 'failed', Suspended: 'suspended' };
  return { health: healths[text] ?? 'progressing', text };
}

const count = (o: Json, path: 'spec' | 'status', field: string, fallback = 0) => asNumber(asObject(asObject(o)[path])[field]) ?? fallback;

/**
 * The status of a workload of one of the kinds a problems list looks at (`PROBLEM_KINDS`), by
 * the counts its controller reports (`kubectl rollout status` reads the same fields): a
 * Deployment's `status.availableReplicas` against `spec.replicas` (default 1), a StatefulSet's
 * and a ReplicaSet's `status.readyReplicas`, a DaemonSet's `status.numberReady` against
 * `status.desiredNumberScheduled`, a Job's kubectl STATUS, a Pod's kubectl STATUS.
 */
export function workloadStatus(resource: ProblemResource | 'replicasets', o: Json): Status {
  switch (resource) {
    case 'pods':
      return podStatus(o);
    case 'jobs':
      return jobStatus(o);
    case 'deployments':
      return replicaStatus(count(o, 'status', 'availableReplicas'), count(o, 'spec', 'replicas', 1));
    case 'statefulsets':
      return replicaStatus(count(o, 'status', 'readyReplicas'), count(o, 'spec', 'replicas', 1));
    case 'replicasets':
      return replicaStatus(count(o, 'status', 'readyReplicas'), count(o, 'spec', 'replicas'));
    case 'daemonsets':
      return replicaStatus(count(o, 'status', 'numberReady'), count(o, 'status', 'desiredNumberScheduled'));
  }
}

/** The kinds every "needs attention" list reads, in the order it lists them, with their API group and version. */
export const PROBLEM_KINDS = [
  { resource: 'pods', group: 'core', version: 'v1', kind: 'Pod' },
  { resource: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment' },
  { resource: 'statefulsets', group: 'apps', version: 'v1', kind: 'StatefulSet' },
  { resource: 'daemonsets', group: 'apps', version: 'v1', kind: 'DaemonSet' },
  { resource: 'jobs', group: 'batch', version: 'v1', kind: 'Job' },
] as const;
export type ProblemResource = (typeof PROBLEM_KINDS)[number]['resource'];

/** One object that needs someone's attention. */
export interface Problem {
  /** `Pod`, `Deployment`, … */
  kind: string;
  /** The resource it is listed as (`pods`, `deployments`, …): the console's link to it is `/workloads/<resource>/<namespace>/<name>`. */
  resource: ProblemResource;
  namespace: string;
  name: string;
  status: Status;
  /** More than the status says: the scheduler's reason, the restarts (`5 (30s ago) restarts`); may be empty. */
  detail: string;
}

/** A pod Pending longer than this (seconds) needs a look even when the scheduler has said nothing yet. */
export const PENDING_GRACE_SECONDS = 120;
/** A workload short of ready replicas for longer than this (seconds) after it was created needs a look. */
export const PROGRESSING_GRACE_SECONDS = 300;

/**
 * Whether an object of `resource` needs attention, as the one rule behind the workloads overview
 * and the home page: a pod whose STATUS is a failure or a warning (`podProblem`: CrashLoopBackOff,
 * Error, Unknown, an unschedulable Pending, …) or that is still Pending after
 * `PENDING_GRACE_SECONDS`; a Job that failed; a Deployment, StatefulSet or DaemonSet with no
 * ready replica, or still short of them `PROGRESSING_GRACE_SECONDS` after it was created.
 * `now` in milliseconds since the epoch. Undefined when all is well.
 */
export function objectProblem(resource: ProblemResource, o: Json, now = Date.now()): Problem | undefined {
  const metadata = asObject(asObject(o)['metadata']);
  const created = Date.parse(asString(metadata['creationTimestamp']) ?? '');
  const ageSeconds = Number.isNaN(created) ? 0 : (now - created) / 1000;
  const kind = PROBLEM_KINDS.find((k) => k.resource === resource)?.kind ?? resource;
  const base = { kind, resource, namespace: asString(metadata['namespace']) ?? '', name: asString(metadata['name']) ?? '' };
  const status = workloadStatus(resource, o);
  if (resource === 'pods') {
    if (!podProblem(o) && !(status.text === 'Pending' && ageSeconds > PENDING_GRACE_SECONDS)) return undefined;
    const columns = podColumns(o);
    const detail = [unschedulable(o), columns.restarts ? `${restartsText(columns, now)} restarts` : ''].filter(Boolean).join(', ');
    return { ...base, status, detail };
  }
  const failing = status.health === 'failed' || (status.health === 'progressing' && resource !== 'jobs' && ageSeconds > PROGRESSING_GRACE_SECONDS);
  return failing ? { ...base, status, detail: '' } : undefined;
}

/** Problems in the order they are shown: failures, then warnings, then the rest; by namespace, then name. */
export function byProblemRank(a: Problem, b: Problem): number {
  const rank = (p: Problem) => (p.status.health === 'failed' ? 0 : p.status.health === 'warning' ? 1 : 2);
  return rank(a) - rank(b) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
}

/**
 * Every problem among the objects of each `PROBLEM_KINDS` resource (`objectProblem`), in the
 * order they are shown (`byProblemRank`). `itemsOf(resource)` gives the objects held for it
 * (none when it is not read); `now` in milliseconds since the epoch.
 */
export function problemsAmong(itemsOf: (resource: ProblemResource) => readonly Json[] | undefined, now = Date.now()): Problem[] {
  return PROBLEM_KINDS.flatMap(({ resource }) => (itemsOf(resource) ?? []).map((o) => objectProblem(resource, o, now)).filter((p): p is Problem => p !== undefined)).sort(byProblemRank);
}
