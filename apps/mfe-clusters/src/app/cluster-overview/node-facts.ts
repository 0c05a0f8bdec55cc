import type { KubeObject } from '@cairn/data-access';
import { nodeStatusText } from '@cairn/kube-model';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  /** True when this condition is not as a healthy node has it (Ready=True, every pressure False). */
  bad: boolean;
}

export interface Resources {
  cpu: string;
  memory: string;
  pods: string;
}

/** Resources as numbers (cores, bytes, pods), for sorting; NaN when not a quantity. */
export interface Amounts {
  cpu: number;
  memory: number;
  pods: number;
}

/** What the overview says about one node. */
export interface NodeFacts {
  name: string;
  /** `Ready`, `NotReady` (Ready False or Unknown) or `Unknown` (no Ready condition), plus `SchedulingDisabled` when cordoned, as kubectl says it. */
  status: string;
  ready: boolean;
  roles: string[];
  version: string;
  internalIp?: string;
  capacity: Resources;
  allocatable: Resources;
  /** What is allocatable, as numbers. */
  allocatableAmounts: Amounts;
  /** Bad conditions first, so the ones that matter show in a narrow cell. */
  conditions: NodeCondition[];
  createdAt?: string;
  labels: Record<string, string>;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`64Gi`, `15500m`, `1e3`, `128974848`) as a number; NaN when it is not one. */
export function parseQuantity(quantity: string | number | undefined): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec((quantity ?? '').trim());
  if (!match) return NaN;
  const suffix = match[2] ?? '';
  return Number(match[1]) * (BINARY[suffix] ?? DECIMAL[suffix] ?? NaN);
}

const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, ''));

/** CPU for people: `16`, `3.5`, `250m`. */
export function formatCpu(quantity: string | undefined): string {
  const cores = parseQuantity(quantity);
  if (!Number.isFinite(cores)) return quantity ?? '—';
  return cores > 0 && cores < 1 ? `${Math.round(cores * 1000)}m` : trim(cores);
}

/** Memory for people, in binary units: `64 GiB`, `512 MiB`. */
export function formatBytes(quantity: string | undefined): string {
  const bytes = parseQuantity(quantity);
  if (!Number.isFinite(bytes)) return quantity ?? '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trim(value)} ${units[unit]}`;
}

/** `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, as kubectl's ROLES column. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [label, value] of Object.entries(node.metadata.labels ?? {})) {
    if (label.startsWith('node-role.kubernetes.io/')) roles.add(label.slice('node-role.kubernetes.io/'.length) || value);
    else if (label === 'kubernetes.io/role' && value) roles.add(value);
  }
  return [...roles].filter(Boolean).sort();
}

const resources = (r: Any | undefined): Resources => ({ cpu: formatCpu(r?.['cpu']), memory: formatBytes(r?.['memory']), pods: String(r?.['pods'] ?? '—') });
const amounts = (r: Any | undefined): Amounts => ({ cpu: parseQuantity(r?.['cpu']), memory: parseQuantity(r?.['memory']), pods: parseQuantity(r?.['pods']) });

export function nodeFacts(node: KubeObject): NodeFacts {
  const status = (node['status'] as Any | undefined) ?? {};
  const spec = (node['spec'] as Any | undefined) ?? {};
  const conditions: NodeCondition[] = ((status['conditions'] as Any[] | undefined) ?? []).map((c) => ({
    type: String(c['type']),
    status: String(c['status']),
    reason: c['reason'],
    message: c['message'],
    bad: c['type'] === 'Ready' ? c['status'] !== 'True' : c['status'] === 'True',
  }));
  // kubelet lists Ready last; a narrow cell should show what is wrong, then Ready.
  const rank = (c: NodeCondition) => (c.bad ? 0 : c.type === 'Ready' ? 1 : 2);
  conditions.sort((a, b) => rank(a) - rank(b));
  const readyCondition = conditions.find((c) => c.type === 'Ready');
  const ready = readyCondition?.status === 'True';
  return {
    name: node.metadata.name,
    status: nodeStatusText(node),
    ready,
    roles: nodeRoles(node),
    version: String((status['nodeInfo'] as Any | undefined)?.['kubeletVersion'] ?? ''),
    internalIp: ((status['addresses'] as Any[] | undefined) ?? []).find((a) => a['type'] === 'InternalIP')?.['address'],
    capacity: resources(status['capacity']),
    allocatable: resources(status['allocatable']),
    allocatableAmounts: amounts(status['allocatable']),
    conditions,
    createdAt: node.metadata.creationTimestamp,
    labels: node.metadata.labels ?? {},
  };
}
