import type { KubeApi, KubeObject } from './kube-api';
import { POD_STATES_NAMESPACE } from './pod-states';
import { SEED_LABEL } from './seed';

/**
 * Jobs in every state kubectl's job printer tells apart (STATUS Complete, Running, Failed,
 * Suspended; COMPLETIONS `3/3` with `spec.completions`, `1/1` and `0/1 of 3` without), frozen
 * so that the list a console shows can be compared with `kubectl get jobs` at any moment.
 *
 * They carry `spec.managedBy` naming a controller that does not exist, so the built-in job
 * controller leaves them alone (batch/v1 `JobSpec.managedBy`, GA in 1.35) and their status is
 * only what the seed writes through the status subresource. They have no pods. The API server
 * checks such a status strictly (a Complete Job needs SuccessCriteriaMet and a completionTime,
 * a Failed one FailureTarget first), which keeps the shapes realistic.
 */
export const FROZEN_JOBS_MANAGER = 'cairn.test/frozen';

export interface FrozenJob {
  job: KubeObject;
  status: Record<string, unknown>;
}

/** Every frozen Job, at `now` (RFC 3339). */
export function frozenJobs(now: string): FrozenJob[] {
  const ago = (seconds: number) => new Date(Date.parse(now) - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, reason: string, at: number) => ({ type, status: 'True', reason, message: `${type} (seeded)`, lastProbeTime: ago(at), lastTransitionTime: ago(at) });
  const job = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: POD_STATES_NAMESPACE, labels: { [SEED_LABEL]: 'true' } },
    spec: {
      managedBy: FROZEN_JOBS_MANAGER,
      backoffLimit: 2,
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'ghcr.io/cairn-test/task:1.0.0' }] } },
    },
  });
  const complete = (at: number) => [condition('SuccessCriteriaMet', 'CompletionsReached', at), condition('Complete', 'CompletionsReached', at)];
  return [
    // Complete, with completions: "3/3", ran 1m35s.
    { job: job('complete-with-completions', { completions: 3, parallelism: 1 }), status: { startTime: ago(3695), completionTime: ago(3600), succeeded: 3, ready: 0, terminating: 0, conditions: complete(3600) } },
    // Complete, a work queue (parallelism set, no completions): "1/1".
    { job: job('complete-work-queue', { parallelism: 1 }), status: { startTime: ago(700), completionTime: ago(640), succeeded: 1, ready: 0, terminating: 0, conditions: complete(640) } },
    // Running, with completions: "2/5", duration still counting.
    { job: job('running-with-completions', { completions: 5, parallelism: 2 }), status: { startTime: ago(300), active: 2, succeeded: 2, ready: 2, terminating: 0 } },
    // Running, a work queue of three workers: "0/1 of 3".
    { job: job('running-work-queue', { parallelism: 3 }), status: { startTime: ago(150), active: 3, ready: 3, terminating: 0 } },
    // Failed after its retries: "0/2".
    {
      job: job('failed-with-completions', { completions: 2, parallelism: 1 }),
      status: { startTime: ago(900), failed: 3, ready: 0, terminating: 0, conditions: [condition('FailureTarget', 'BackoffLimitExceeded', 860), condition('Failed', 'BackoffLimitExceeded', 860)] },
    },
    // Suspended before it started: "0/4", no duration.
    { job: job('suspended-with-completions', { completions: 4, parallelism: 2, suspend: true }), status: { ready: 0, terminating: 0, conditions: [condition('Suspended', 'JobSuspended', 120)] } },
    // Suspended work queue: "0/1 of 2".
    { job: job('suspended-work-queue', { parallelism: 2, suspend: true }), status: { ready: 0, terminating: 0, conditions: [condition('Suspended', 'JobSuspended', 60)] } },
  ];
}

/** The STATUS words kubectl prints for these Jobs, for tests that check the seed still has every shape. */
export const FROZEN_JOB_STATUSES = ['Complete', 'Running', 'Failed', 'Suspended'];

/** Creates the frozen Jobs in the pod-states namespace (which exists already) and writes their status. */
export async function seedJobStates(admin: KubeApi): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const { job, status } of frozenJobs(now)) {
    await admin.create(job);
    await admin.json('PATCH', `/apis/batch/v1/namespaces/${POD_STATES_NAMESPACE}/jobs/${job.metadata.name}/status`, { status }, 'application/merge-patch+json');
  }
}
