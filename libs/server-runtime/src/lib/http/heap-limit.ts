import { getHeapStatistics } from 'node:v8';

const MiB = 1024 * 1024;

/**
 * The start-up line that says how large V8 may grow its heap against the memory the process
 * may use (its cgroup's limit: a pod's `resources.limits.memory`), and a warning when the heap
 * may outgrow it: V8 then does not collect before the kernel's OOM killer ends the process
 * (Node 24 in a 128 MiB cgroup picks ~259 MiB). NODE_OPTIONS=--max-old-space-size-percentage
 * (set by the images and the chart) ties the heap to the limit.
 *
 * `constrained` is process.constrainedMemory(): 0, or a huge number, when there is no limit.
 */
export function heapLimitLine(heapLimit: number, constrained: number): { level: 'log' | 'warn'; text: string } {
  const heap = `V8 heap limit ${(heapLimit / MiB).toFixed(0)} MiB`;
  // Without a limit the kernel reports its "unlimited" (about 2^63, rounded to a page).
  if (!constrained || constrained >= 2 ** 60) return { level: 'log', text: `${heap}; no memory limit` };
  const limit = `memory limit ${(constrained / MiB).toFixed(0)} MiB`;
  if (heapLimit >= constrained) {
    return { level: 'warn', text: `${heap} is not below the ${limit}: the process would be killed before V8 collects; set NODE_OPTIONS=--max-old-space-size-percentage=50` };
  }
  return { level: 'log', text: `${heap} of the ${limit}` };
}

/** heapLimitLine for this process. */
export function currentHeapLimitLine(): { level: 'log' | 'warn'; text: string } {
  return heapLimitLine(getHeapStatistics().heap_size_limit, process.constrainedMemory?.() ?? 0);
}
