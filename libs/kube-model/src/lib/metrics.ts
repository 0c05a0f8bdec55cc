import { asArray, asObject, asString } from './json-shape';

/**
 * CPU and memory usage as `kubectl top` prints it, from `metrics.k8s.io/v1beta1` objects
 * (`PodMetrics`: `containers[].usage`; `NodeMetrics`: `usage`).
 *
 * Quantities are parsed exactly (resource.Quantity's grammar, k8s.io/apimachinery/pkg/api/resource,
 * held as a whole number of nano-units so that `250m` is never 250.00000001) and printed by the
 * rules of kubectl's top printer (k8s.io/kubectl/pkg/metricsutil/metrics_printer.go,
 * `printSingleResourceUsage` and `printValue`): CPU as `Quantity.MilliValue()` + `m` (rounded up),
 * memory as `Quantity.Value() / (1024*1024)` + `Mi` (rounded down), a share of allocatable as
 * `int64(milli(used) / milli(allocatable) * 100)` + `%`; a pod is the sum of its containers
 * (`getPodMetrics` adds each container's usage).
 */

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const NANO = 1_000_000_000n;

/** Longest quantity text parsed (resource.Quantity values are short; a longer string is refused, not parsed). */
export const MAX_QUANTITY_LENGTH = 64;

/**
 * A quantity (`250m`, `12345678n`, `300Mi`, `1.5`, `2e3`) as a whole number of nano-units
 * (nanocores, nanobytes), rounded up below a nano-unit as resource.Quantity does; undefined when
 * the text is not a quantity or is longer than {@link MAX_QUANTITY_LENGTH}.
 */
export function quantityNanos(text: string): bigint | undefined {
  if (text.length > MAX_QUANTITY_LENGTH) return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m || (!m[2] && !m[3])) return undefined;
  const [, sign, whole = '', fraction = '', exponent, suffix = ''] = m;
  const digits = BigInt(`${whole}${fraction}` || '0');
  let pow10 = 9 - fraction.length;
  let pow2 = 0;
  if (exponent !== undefined) pow10 += Number(exponent);
  else if (suffix in BINARY_SUFFIX) pow2 = BINARY_SUFFIX[suffix] as number;
  else pow10 += DECIMAL_SUFFIX[suffix] as number;
  if (Math.abs(pow10) > 40) return undefined;
  let value = digits * 2n ** BigInt(pow2);
  if (pow10 >= 0) value *= 10n ** BigInt(pow10);
  else value = ceilDiv(value, 10n ** BigInt(-pow10));
  return sign === '-' ? -value : value;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : a / b;
}

/** kubectl top's CPU cell: millicores rounded up, e.g. `4m`, `1250m`. */
export function topCpu(nanocores: bigint): string {
  return `${ceilDiv(nanocores, 1_000_000n)}m`;
}

/** kubectl top's memory cell: whole MiB rounded down, e.g. `16Mi`. */
export function topMemory(nanobytes: bigint): string {
  return `${ceilDiv(nanobytes, NANO) / (1024n * 1024n)}Mi`;
}

/** kubectl top node's share cell: the used share of allocatable, truncated, e.g. `3%`; '' without an allocatable amount. */
export function topPercent(usedNanos: bigint, allocatableNanos: bigint | undefined): string {
  if (!allocatableNanos || allocatableNanos <= 0n) return '';
  const used = Number(ceilDiv(usedNanos, 1_000_000n));
  const available = Number(ceilDiv(allocatableNanos, 1_000_000n));
  return `${Math.trunc((used / available) * 100)}%`;
}

/** Usage of one object (a pod: its containers added up; a node) in nano-units, and when it was measured. */
export interface Usage {
  cpuNanos: bigint;
  memoryNanos: bigint;
  /** The sample's time (RFC 3339) and window (`10.5s`) as metrics-server gives them. */
  timestamp: string;
  window: string;
}

/** A pod's usage from its `PodMetrics` object: the sum over `containers[].usage` (kubectl's `getPodMetrics`). */
export function podUsage(podMetrics: unknown): Usage {
  const object = asObject(podMetrics);
  let cpu = 0n;
  let memory = 0n;
  for (const container of asArray(object['containers'])) {
    const usage = asObject(asObject(container)['usage']);
    cpu += quantityNanos(asString(usage['cpu']) ?? '') ?? 0n;
    memory += quantityNanos(asString(usage['memory']) ?? '') ?? 0n;
  }
  return { cpuNanos: cpu, memoryNanos: memory, timestamp: asString(object['timestamp']) ?? '', window: asString(object['window']) ?? '' };
}

/** A node's usage from its `NodeMetrics` object (`usage.cpu`, `usage.memory`). */
export function nodeUsage(nodeMetrics: unknown): Usage {
  const object = asObject(nodeMetrics);
  const usage = asObject(object['usage']);
  return {
    cpuNanos: quantityNanos(asString(usage['cpu']) ?? '') ?? 0n,
    memoryNanos: quantityNanos(asString(usage['memory']) ?? '') ?? 0n,
    timestamp: asString(object['timestamp']) ?? '',
    window: asString(object['window']) ?? '',
  };
}

/** Millicores as a plain number (for charts), rounded up as kubectl's CPU cell. */
export function cpuMillis(nanocores: bigint): number {
  return Number(ceilDiv(nanocores, 1_000_000n));
}

/** Whole MiB as a plain number (for charts), rounded down as kubectl's memory cell. */
export function memoryMiB(nanobytes: bigint): number {
  return Number(ceilDiv(nanobytes, NANO) / (1024n * 1024n));
}
