import { nodeUsage, podUsage, quantityNanos, topCpu, topMemory, topPercent } from './metrics';

/** The printing rule is held against kubectl top itself in apps/gateway/src/app/metrics/metrics.spec.ts; these pin the arithmetic. */
describe('kubectl top quantities', () => {
  it('parses resource.Quantity text exactly, in nano-units', () => {
    expect(quantityNanos('250m')).toBe(250_000_000n);
    expect(quantityNanos('12345678n')).toBe(12_345_678n);
    expect(quantityNanos('0.3')).toBe(300_000_000n);
    expect(quantityNanos('300Mi')).toBe(300n * 1024n * 1024n * 1_000_000_000n);
    expect(quantityNanos('1.5Gi')).toBe(1536n * 1024n * 1024n * 1_000_000_000n);
    expect(quantityNanos('2e3')).toBe(2000n * 1_000_000_000n);
    expect(quantityNanos('16')).toBe(16n * 1_000_000_000n);
    expect(quantityNanos('1e-12')).toBe(1n); // rounded up to one nano-unit
    for (const bad of ['', 'abc', '1.2.3', '10mi', 'x'.repeat(65), '1e99']) expect(quantityNanos(bad)).toBeUndefined();
  });

  it('prints CPU as millicores rounded up and memory as MiB rounded down, as kubectl top', () => {
    expect(topCpu(quantityNanos('2000001n') as bigint)).toBe('3m');
    expect(topCpu(quantityNanos('0.3') as bigint)).toBe('300m');
    expect(topCpu(0n)).toBe('0m');
    expect(topMemory(quantityNanos('16777215') as bigint)).toBe('15Mi');
    expect(topMemory(quantityNanos('8Mi') as bigint)).toBe('8Mi');
    expect(topMemory(quantityNanos('65536Ki') as bigint)).toBe('64Mi');
  });

  it('prints a share of allocatable truncated, and nothing without allocatable', () => {
    expect(topPercent(quantityNanos('259m') as bigint, quantityNanos('16') as bigint)).toBe('1%');
    expect(topPercent(quantityNanos('8') as bigint, quantityNanos('16') as bigint)).toBe('50%');
    expect(topPercent(quantityNanos('1Gi') as bigint, undefined)).toBe('');
  });

  it('adds up a pod\u2019s containers and reads a node\u2019s usage', () => {
    const pod = podUsage({
      timestamp: '2026-01-01T00:00:00Z',
      window: '10.5s',
      containers: [
        { name: 'a', usage: { cpu: '1500001n', memory: '8Mi' } },
        { name: 'b', usage: { cpu: '1500000n', memory: '8388608' } },
      ],
    });
    expect(topCpu(pod.cpuNanos)).toBe('4m');
    expect(topMemory(pod.memoryNanos)).toBe('16Mi');
    expect(pod.window).toBe('10.5s');
    const node = nodeUsage({ usage: { cpu: '259123456n', memory: '308Mi' } });
    expect([topCpu(node.cpuNanos), topMemory(node.memoryNanos)]).toEqual(['260m', '308Mi']);
    expect(podUsage({}).cpuNanos).toBe(0n);
  });
});
