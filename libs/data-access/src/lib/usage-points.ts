import type { UsageSample } from '@cairn/api-contracts';

/** How often an open page reads usage again: metrics-server's default resolution is 15 s (ours samples every 10 s). */
export const USAGE_POLL_MS = 15_000;
/** Points one chart keeps (the oldest drop out): 40 at 15 s is the last 10 minutes. */
export const MAX_USAGE_POINTS = 40;

/** One point of a chart: when metrics-server measured it (ms since the epoch) and the values. */
export interface UsagePoint {
  at: number;
  cpuMillicores: number;
  memoryMiB: number;
}

/**
 * `points` with the samples of `samples` that are newer than its last point (metrics-server
 * answers the same sample until its next scrape), the oldest dropped past `max`.
 */
export function addPoints(points: readonly UsagePoint[], samples: readonly UsageSample[], max = MAX_USAGE_POINTS): UsagePoint[] {
  const last = points.at(-1)?.at ?? -Infinity;
  const fresh = samples
    .map((s) => ({ at: Date.parse(s.timestamp), cpuMillicores: s.cpuMillicores, memoryMiB: s.memoryMiB }))
    .filter((p) => Number.isFinite(p.at) && p.at > last)
    .sort((a, b) => a.at - b.at);
  const all = [...points, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
}
