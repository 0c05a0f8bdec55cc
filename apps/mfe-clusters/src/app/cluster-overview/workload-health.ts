import type { KubeObject } from '@cairn/data-access';
import { eventLastSeen, podProblem } from '@cairn/kube-model';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


export interface PodProblem {
  namespace: string;
  name: string;
  /** kubectl's STATUS of it: `CrashLoopBackOff`, `Init:Error`, `Pending: Unschedulable`… */
  reason: string;
}

export interface DeploymentShortfall {
  namespace: string;
  name: string;
  ready: number;
  desired: number;
}

export interface WorkloadHealth {
  deployments: { total: number; healthy: number; readyReplicas: number; desiredReplicas: number; short: DeploymentShortfall[] };
  pods: { total: number; running: number; succeeded: number; pending: number; failing: number; problems: PodProblem[] };
}

/** Deployments ready against desired, and the pods that fail or are stuck, worst first. */
export function workloadHealth(deployments: KubeObject[], pods: KubeObject[]): WorkloadHealth {
  const short: DeploymentShortfall[] = [];
  let readyReplicas = 0;
  let desiredReplicas = 0;
  for (const d of deployments) {
    const desired = Number((d['spec'] as Any | undefined)?.['replicas'] ?? 1);
    const ready = Number((d['status'] as Any | undefined)?.['readyReplicas'] ?? 0);
    readyReplicas += Math.min(ready, desired);
    desiredReplicas += desired;
    if (ready < desired) short.push({ namespace: d.metadata.namespace ?? '', name: d.metadata.name, ready, desired });
  }
  const problems: PodProblem[] = [];
  const phases = { running: 0, succeeded: 0, pending: 0 };
  for (const p of pods) {
    const phase = (p['status'] as Any | undefined)?.['phase'];
    if (phase === 'Running') phases.running++;
    else if (phase === 'Succeeded') phases.succeeded++;
    else if (phase === 'Pending') phases.pending++;
    const reason = podProblem(p);
    if (reason) problems.push({ namespace: p.metadata.namespace ?? '', name: p.metadata.name, reason });
  }
  const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
  return {
    deployments: { total: deployments.length, healthy: deployments.length - short.length, readyReplicas, desiredReplicas, short: short.sort(byName) },
    pods: { total: pods.length, ...phases, failing: problems.length, problems: problems.sort(byName) },
  };
}

/** When an event last happened, as kubectl's LAST SEEN (the resource model's rule). */
export function eventTime(e: KubeObject): string {
  return eventLastSeen(e) ?? e.metadata.creationTimestamp ?? '';
}
