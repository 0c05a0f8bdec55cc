import { heapLimitLine } from './heap-limit';

const MiB = 1024 * 1024;

describe('heapLimitLine', () => {
  it('names the heap limit against the memory limit', () => {
    expect(heapLimitLine(67 * MiB, 128 * MiB)).toEqual({ level: 'log', text: 'V8 heap limit 67 MiB of the memory limit 128 MiB' });
  });

  it('warns when the heap may outgrow the memory limit (V8 left to size itself from the host)', () => {
    const line = heapLimitLine(259 * MiB, 128 * MiB);
    expect(line.level).toBe('warn');
    expect(line.text).toContain('V8 heap limit 259 MiB is not below the memory limit 128 MiB');
    expect(line.text).toContain('--max-old-space-size-percentage');
  });

  it('says so when there is no memory limit', () => {
    expect(heapLimitLine(4144 * MiB, 0)).toEqual({ level: 'log', text: 'V8 heap limit 4144 MiB; no memory limit' });
    expect(heapLimitLine(4144 * MiB, 2 ** 63 - 4096)).toEqual({ level: 'log', text: 'V8 heap limit 4144 MiB; no memory limit' });
  });
});
