import { age, KindRef, KubeObject } from '@cairn/data-access';
import { asArray, asObject, containerCells, jobStatus, kubectlCells, podColumns, podStatus, podStatusFromCells, PrintedKind, restartsText, selectorText, text, workloadStatus } from '@cairn/kube-model';
import type { Status, TableColumn } from '@cairn/ui-kit';

export { age };
export type { Health, Status } from '@cairn/ui-kit';

/** A kind's own columns in its list (after name, namespace and status). */
export type Column = TableColumn<KubeObject>;

/** The workload kinds the console lists, in the order people look for them. */
export interface WorkloadKind extends KindRef {
  /** The URL segment and the Kubernetes resource name, e.g. `deployments`. */
  resource: string;
  label: string;
  /** Singular, for headings: "Deployment web". */
  singular: string;
  /** What this kind runs, in one sentence for someone who does not know Kubernetes well. */
  summary: string;
  columns: Column[];
  status: (o: KubeObject) => Status;
  scalable?: boolean;
  restartable?: boolean;
  /** Its pods are found by `spec.selector` (or, for a Job/CronJob, by ownership). */
  hasPods?: boolean;
  /** Cluster-scoped kinds are listed without a namespace. Default true. */
  namespaced?: boolean;
  /** Where its list lives in the console, e.g. ['/workloads', 'deployments']. */
  path: string[];
  /** The group of the kind tabs it belongs to. */
  section?: KindSection;
  /**
   * Its list's columns are the API server's printer columns (what `kubectl get` prints), not
   * ours: for kinds with nothing to say beyond kubectl's columns (Services, ConfigMaps, storage…).
   */
  printed?: boolean;
  /** False for kinds that have no state to colour (a ConfigMap): no Status column. */
  hasStatus?: boolean;
  /**
   * Its list is shown first as the API server prints it, from a table without objects
   * (data-access `PrintedRows`), while the objects are read: `cells` names the printed column
   * each of our columns shows until then (the others stay empty), `status` reads the Status
   * column's text and health from the cells.
   */
  printedFirst?: { cells: Readonly<Record<string, string>>; status: (cells: Readonly<Record<string, string>>) => Status };
}

/** The groups of kinds in the console's tabs, in order, with their headings. */
export const KIND_SECTIONS = [
  { id: 'workloads', label: 'Workloads' },
  { id: 'network', label: 'Network' },
  { id: 'config', label: 'Configuration' },
  { id: 'storage', label: 'Storage' },
] as const;
export type KindSection = (typeof KIND_SECTIONS)[number]['id'];

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const spec = (o: KubeObject): Any => asObject(o['spec']);
const stat = (o: KubeObject): Any => asObject(o['status']);
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

const AGE: Column = { id: 'age', label: 'Age', value: (o) => age(o.metadata.creationTimestamp), since: (o) => o.metadata.creationTimestamp };
/** The pod template of a workload (or the pod's own spec). */
const podSpecOf = (o: KubeObject): Any => {
  const template = (spec(o)['template'] ?? (spec(o)['jobTemplate'] as Any | undefined)?.['spec']?.['template']) as Any | undefined;
  return template ? ((template['spec'] as Any | undefined) ?? {}) : spec(o);
};
/** The images a workload runs (kubectl -o wide's IMAGES): the column people add when chasing a rollout. */
const IMAGES: Column = {
  id: 'images', label: 'Images', hidden: true, minWidth: 12, grow: 2,
  value: (o) => containerCells(podSpecOf(o)['containers']).images,
};
/**
 * A column whose cells are kubectl's (kube-model's `kubectlCells`, held against the API
 * server's table for every seeded object): `name` is kubectl's column name.
 */
const kubectl = (kind: PrintedKind, name: string, column: Omit<Column, 'value'> & Partial<Pick<Column, 'value'>>): Column => ({ value: (o) => kubectlCells(kind, o)[name] ?? '', ...column });
const READY = (kind: PrintedKind): Column => kubectl(kind, 'Ready', { id: 'ready', label: 'Ready', sortValue: (o) => num(stat(o)['readyReplicas']), numeric: true });

// A workload's status is kube-model's rule (`workloadStatus`), shared with every problems list.
export { jobStatus };

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  {
    group: 'apps', version: 'v1', resource: 'deployments', section: 'workloads', path: ['/workloads', 'deployments'], label: 'Deployments', singular: 'Deployment',
    summary: 'Stateless apps kept at a number of identical replicas.',
    columns: [
      READY('Deployment'),
      kubectl('Deployment', 'Up-to-date', { id: 'up-to-date', label: 'Up to date', numeric: true }),
      kubectl('Deployment', 'Available', { id: 'available', label: 'Available', numeric: true }),
      IMAGES,
      AGE,
    ],
    status: (o) => workloadStatus('deployments', o),
    scalable: true, restartable: true, hasPods: true,
  },
  {
    group: 'apps', version: 'v1', resource: 'statefulsets', section: 'workloads', path: ['/workloads', 'statefulsets'], label: 'StatefulSets', singular: 'StatefulSet',
    summary: 'Replicas with stable names and their own storage.',
    columns: [READY('StatefulSet'), IMAGES, AGE],
    status: (o) => workloadStatus('statefulsets', o),
    scalable: true, restartable: true, hasPods: true,
  },
  {
    group: 'apps', version: 'v1', resource: 'daemonsets', section: 'workloads', path: ['/workloads', 'daemonsets'], label: 'DaemonSets', singular: 'DaemonSet',
    summary: 'One pod on each matching node.',
    columns: [
      kubectl('DaemonSet', 'Desired', { id: 'desired', label: 'Desired', numeric: true }),
      kubectl('DaemonSet', 'Current', { id: 'current', label: 'Current', numeric: true, hidden: true }),
      kubectl('DaemonSet', 'Ready', { id: 'ready', label: 'Ready', numeric: true }),
      kubectl('DaemonSet', 'Up-to-date', { id: 'up-to-date', label: 'Up to date', numeric: true, hidden: true }),
      kubectl('DaemonSet', 'Available', { id: 'available', label: 'Available', numeric: true, hidden: true }),
      kubectl('DaemonSet', 'Node Selector', { id: 'node-selector', label: 'Node selector', hidden: true }),
      IMAGES,
      AGE,
    ],
    status: (o) => workloadStatus('daemonsets', o),
    restartable: true, hasPods: true,
  },
  {
    group: 'apps', version: 'v1', resource: 'replicasets', section: 'workloads', path: ['/workloads', 'replicasets'], label: 'ReplicaSets', singular: 'ReplicaSet',
    summary: 'The replica groups a Deployment rolls between.',
    columns: [
      kubectl('ReplicaSet', 'Desired', { id: 'desired', label: 'Desired', numeric: true }),
      kubectl('ReplicaSet', 'Current', { id: 'current', label: 'Current', numeric: true }),
      kubectl('ReplicaSet', 'Ready', { id: 'ready', label: 'Ready', numeric: true }),
      IMAGES,
      AGE,
    ],
    status: (o) => workloadStatus('replicasets', o),
    scalable: true, hasPods: true,
  },
  {
    group: 'batch', version: 'v1', resource: 'jobs', section: 'workloads', path: ['/workloads', 'jobs'], label: 'Jobs', singular: 'Job',
    summary: 'Pods that run to completion.',
    columns: [
      kubectl('Job', 'Completions', { id: 'completions', label: 'Completions', sortValue: (o) => num(stat(o)['succeeded']), numeric: true }),
      kubectl('Job', 'Duration', { id: 'duration', label: 'Duration', hidden: true }),
      AGE,
    ],
    status: jobStatus,
    hasPods: true,
  },
  {
    group: 'batch', version: 'v1', resource: 'cronjobs', section: 'workloads', path: ['/workloads', 'cronjobs'], label: 'CronJobs', singular: 'CronJob',
    summary: 'Jobs started on a schedule.',
    columns: [
      kubectl('CronJob', 'Schedule', { id: 'schedule', label: 'Schedule' }),
      kubectl('CronJob', 'Timezone', { id: 'timezone', label: 'Time zone', hidden: true }),
      kubectl('CronJob', 'Suspend', { id: 'suspend', label: 'Suspend', hidden: true }),
      kubectl('CronJob', 'Active', { id: 'active', label: 'Active', numeric: true }),
      kubectl('CronJob', 'Last Schedule', {
        id: 'last-run', label: 'Last run', numeric: true,
        // The most recent run first; "<none>" (never ran) last.
        sortValue: (o) => -Date.parse(String(stat(o)['lastScheduleTime'] ?? '')) || Number.POSITIVE_INFINITY,
      }),
      AGE,
    ],
    status: (o) => (spec(o)['suspend'] ? { health: 'suspended', text: 'Suspended' } : { health: 'ok', text: 'Scheduled' }),
  },
  {
    group: 'core', version: 'v1', resource: 'pods', section: 'workloads', path: ['/workloads', 'pods'], label: 'Pods', singular: 'Pod',
    summary: 'The running containers themselves.',
    columns: [
      // READY and RESTARTS as kubectl prints them (native sidecars count; "3 (5m ago)").
      { id: 'ready', label: 'Ready', value: (o) => podColumns(o).ready, sortValue: (o) => podColumns(o).readyCount },
      { id: 'restarts', label: 'Restarts', value: (o) => restartsText(podColumns(o)), sortValue: (o) => podColumns(o).restarts, numeric: true },
      { id: 'node', label: 'Node', value: (o) => String(spec(o)['nodeName'] ?? '') },
      { id: 'ip', label: 'IP', hidden: true, value: (o) => String(stat(o)['podIP'] ?? '') },
      { id: 'qos', label: 'QoS class', hidden: true, value: (o) => String(stat(o)['qosClass'] ?? '') },
      IMAGES,
      AGE,
    ],
    status: podStatus,
    printedFirst: { cells: { ready: 'Ready', restarts: 'Restarts', node: 'Node', ip: 'IP', age: 'Age' }, status: podStatusFromCells },
  },
  ...printedKinds(),
];

/** Phase of a PersistentVolumeClaim or PersistentVolume as a status: Bound/Available are fine, Pending waits, Lost/Failed are problems. */
function phaseStatus(o: KubeObject): Status {
  const phase = text(stat(o)['phase']) || 'Unknown';
  const health = phase === 'Bound' || phase === 'Available' ? 'ok' : phase === 'Pending' ? 'progressing' : phase === 'Released' ? 'suspended' : 'failed';
  return { health, text: phase };
}


/**
 * The kinds people look for beyond workloads: their lists show the API server's printer columns
 * (exactly `kubectl get`), their detail pages our own sections (ports and endpoints, data,
 * storage facts).
 */
function printedKinds(): WorkloadKind[] {
  const kind = (section: KindSection, group: string, version: string, resource: string, label: string, singular: string, summary: string, extra: Partial<WorkloadKind> = {}): WorkloadKind => ({
    group, version, resource, section, label, singular, summary, path: ['/workloads', resource], columns: [AGE], printed: true, hasStatus: false, status: () => ({ health: 'done', text: '' }), ...extra,
  });
  return [
    kind('network', 'core', 'v1', 'services', 'Services', 'Service', 'Stable addresses in front of pods, chosen by labels.', {
      hasStatus: true,
      status: (o) => ({ health: 'ok', text: text(spec(o)['type']) || 'ClusterIP' }),
    }),
    kind('network', 'networking.k8s.io', 'v1', 'ingresses', 'Ingresses', 'Ingress', 'HTTP routes from outside the cluster to Services.'),
    kind('config', 'core', 'v1', 'configmaps', 'ConfigMaps', 'ConfigMap', 'Settings and files for pods, in plain text.'),
    kind('config', 'core', 'v1', 'secrets', 'Secrets', 'Secret', 'Passwords, tokens and keys for pods; values shown only on request.'),
    kind('config', 'core', 'v1', 'serviceaccounts', 'ServiceAccounts', 'ServiceAccount', 'Identities pods run as.'),
    kind('storage', 'core', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaims', 'PersistentVolumeClaim', 'Storage requested by pods.', { hasStatus: true, status: phaseStatus }),
    kind('storage', 'core', 'v1', 'persistentvolumes', 'PersistentVolumes', 'PersistentVolume', 'Storage the cluster has, bound to claims.', { hasStatus: true, status: phaseStatus, namespaced: false }),
    kind('storage', 'storage.k8s.io', 'v1', 'storageclasses', 'StorageClasses', 'StorageClass', 'Kinds of storage a claim can ask for.', { namespaced: false }),
  ];
}

/**
 * Any other kind the cluster serves (CRDs included), from discovery: listed with its age and,
 * when it has them, its Ready/Available conditions.
 */
export function genericKind(group: string, version: string, resource: string, kind = resource, namespaced = true): WorkloadKind {
  return {
    group, version, resource, namespaced,
    path: ['/workloads', 'other', group, version, resource],
    label: resource,
    singular: kind,
    summary: `${kind} (${group === 'core' ? '' : `${group}/`}${version}), as the cluster serves it.`,
    columns: [AGE],
    printed: true,
    status: (o) => {
      const ready = (asArray(stat(o)['conditions']).map(asObject) as Any[]).find((c) => c['type'] === 'Ready' || c['type'] === 'Available');
      if (!ready) return { health: 'done', text: 'no status' };
      return ready['status'] === 'True' ? { health: 'ok', text: ready['type'] } : { health: 'failed', text: ready['reason'] ?? `Not ${ready['type']}` };
    },
  };
}

export function findWorkloadKind(resource: string): WorkloadKind | undefined {
  return WORKLOAD_KINDS.find((kind) => kind.resource === resource);
}

/** Our own descriptor of a kind, by API group and resource (an owner reference, a link from discovery). */
export function builtInKind(group: string, resource: string): WorkloadKind | undefined {
  return WORKLOAD_KINDS.find((kind) => kind.group === group && kind.resource === resource);
}

/**
 * The label selector of a workload's pods (a CronJob's from its Job template), as `a=b,c=d`, or
 * undefined when it has none: kube-model's `selectorText`, the one place the rule lives.
 */
export function podSelector(o: KubeObject): string | undefined {
  return selectorText(spec(o)['selector'] ?? asObject(asObject(spec(o)['jobTemplate'])['spec'])['selector']);
}

/**
 * The console's page of an object named by its kind (an event's `involvedObject`, an owner):
 * a built-in kind's page, a Node's, or undefined for a kind the console has no page for by
 * that name alone. `namespace` is empty for a cluster-scoped object.
 */
export function objectPath(kind: string, namespace: string, name: string): string[] | undefined {
  if (!name) return undefined;
  if (kind === 'Node') return ['/workloads', 'other', 'core', 'v1', 'nodes', '_', name];
  const found = WORKLOAD_KINDS.find((k) => k.singular === kind);
  return found ? [...found.path, namespace || '_', name] : undefined;
}
