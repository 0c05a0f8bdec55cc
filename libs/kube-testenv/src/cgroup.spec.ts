import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { Cgroup } from './cgroup';

/**
 * The kernel's own memory cgroup (v1, root): the footprint benchmark's oracle for "fits in
 * 128 MiB". These tests need root and the controller mounted, as the benchmark does.
 */
describe('Cgroup', () => {
  const available = Cgroup.available();

  (available ? it : it.skip)('removes the groups a killed run left behind (its process gone, no process inside), and only those', async () => {
    // A pid no process has (above the kernel's pid_max default of 4 194 304).
    const stale = '/sys/fs/cgroup/memory/cairn-spec-stale-4999999';
    const live = `/sys/fs/cgroup/memory/cairn-spec-live-${process.pid}`;
    mkdirSync(stale);
    mkdirSync(live);
    try {
      const group = Cgroup.create('spec-new', { memoryBytes: 64 * 1024 * 1024 });
      expect(existsSync(stale)).toBe(false);
      // This process is alive: its groups stay.
      expect(existsSync(live)).toBe(true);
      expect(group.memory().usage).toBeGreaterThanOrEqual(0);
      await group.remove();
    } finally {
      for (const dir of [stale, live]) if (existsSync(dir)) rmdirSync(dir);
    }
  });
});
