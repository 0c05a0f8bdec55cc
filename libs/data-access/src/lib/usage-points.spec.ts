import type { UsageSample } from '@cairn/api-contracts';
import { addPoints, MAX_USAGE_POINTS } from './usage-points';

const sample = (second: number, cpu: number): UsageSample => ({
  name: 'web-1', namespace: 'team-a', cpu: `${cpu}m`, memory: '16Mi', cpuMillicores: cpu, memoryMiB: 16, timestamp: new Date(second * 1000).toISOString(), window: '10s',
});

/** A chart's points: one per metrics-server sample, the oldest dropped past the bound (the browser side of the gateway's metrics.spec oracle). */
describe('usage chart points', () => {
  it('adds a sample once: metrics-server answers the same one until its next scrape', () => {
    let points = addPoints([], [sample(10, 4)]);
    points = addPoints(points, [sample(10, 4)]);
    points = addPoints(points, [sample(20, 5)]);
    expect(points.map((p) => [p.at, p.cpuMillicores])).toEqual([[10_000, 4], [20_000, 5]]);
    expect(addPoints(points, [{ ...sample(30, 1), timestamp: 'not a time' }])).toHaveLength(2);
  });

  it(`keeps at most MAX_USAGE_POINTS (${MAX_USAGE_POINTS}), dropping the oldest`, () => {
    let points = addPoints([], []);
    for (let i = 1; i <= MAX_USAGE_POINTS + 5; i++) points = addPoints(points, [sample(i * 10, i)]);
    expect(points).toHaveLength(MAX_USAGE_POINTS);
    expect(points[0]?.cpuMillicores).toBe(6);
    expect(points.at(-1)?.cpuMillicores).toBe(MAX_USAGE_POINTS + 5);
  });
});
