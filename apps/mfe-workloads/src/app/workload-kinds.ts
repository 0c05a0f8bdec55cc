/** The workload kinds the console lists, in the order people look for them. */
export interface WorkloadKind {
  /** The URL segment and the Kubernetes resource name, e.g. `deployments`. */
  resource: string;
  label: string;
  /** What this kind runs, in one sentence for someone who does not know Kubernetes well. */
  summary: string;
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { resource: 'deployments', label: 'Deployments', summary: 'Stateless apps kept at a number of identical replicas.' },
  { resource: 'statefulsets', label: 'StatefulSets', summary: 'Replicas with stable names and their own storage.' },
  { resource: 'daemonsets', label: 'DaemonSets', summary: 'One pod on each matching node.' },
  { resource: 'replicasets', label: 'ReplicaSets', summary: 'The replica groups a Deployment rolls between.' },
  { resource: 'jobs', label: 'Jobs', summary: 'Pods that run to completion.' },
  { resource: 'cronjobs', label: 'CronJobs', summary: 'Jobs started on a schedule.' },
  { resource: 'pods', label: 'Pods', summary: 'The running containers themselves.' },
];

export function findWorkloadKind(resource: string): WorkloadKind | undefined {
  return WORKLOAD_KINDS.find((kind) => kind.resource === resource);
}
