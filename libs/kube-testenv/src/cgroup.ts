import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';
const CPU_ROOT = '/sys/fs/cgroup/cpu';

/** What the kernel says about a memory cgroup (cgroup v1 `memory.*` files), in bytes and counts. */
export interface CgroupMemory {
  /** `memory.usage_in_bytes`: charged now (anonymous memory, page cache, kernel memory). */
  usage: number;
  /** `memory.max_usage_in_bytes`: the highest charge since the cgroup was made. */
  maxUsage: number;
  /** `memory.failcnt`: how often a charge hit the limit (the kernel then reclaimed or killed). */
  failcnt: number;
  /** `oom_kill` of `memory.oom_control`: processes the OOM killer killed in this cgroup. */
  oomKills: number;
  /** `total_rss` of `memory.stat`: anonymous memory of the processes, without page cache. */
  rss: number;
  /** `total_cache` of `memory.stat`: page cache charged to the cgroup (reclaimable). */
  cache: number;
}

/**
 * A cgroup v1 memory (and optionally cpu) group for processes the benchmarks and the deploy tests start: the same
 * limit a pod's `resources.limits` sets, enforced by the kernel, so "fits in 128 MiB" is the
 * kernel's answer, not an estimate from RSS. Needs root and the v1 controllers mounted at
 * /sys/fs/cgroup/memory and /sys/fs/cgroup/cpu; `remove()` deletes the groups again.
 */
export class Cgroup {
  private constructor(
    readonly name: string,
    private readonly memoryDir: string,
    private readonly cpuDir: string | undefined,
  ) {}

  /** Whether this machine lets us make memory cgroups (root, v1 controller mounted). */
  static available(): boolean {
    try {
      return existsSync(join(MEMORY_ROOT, 'memory.limit_in_bytes')) && process.getuid?.() === 0;
    } catch {
      return false;
    }
  }

  /**
   * Makes `cairn-<name>-<pid>` with a memory limit in bytes (swap included, so the limit
   * cannot be dodged by swapping) and, when given, a CPU limit in millicores (100 = 0.1 core:
   * `cpu.cfs_quota_us` over a 100 ms period), as Kubernetes sets them for a container.
   */
  static create(name: string, limits: { memoryBytes: number; cpuMillicores?: number }): Cgroup {
    Cgroup.removeStale();
    const group = `cairn-${name}-${process.pid}`;
    const memoryDir = join(MEMORY_ROOT, group);
    mkdirSync(memoryDir);
    writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    if (existsSync(join(memoryDir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(memoryDir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    let cpuDir: string | undefined;
    if (limits.cpuMillicores !== undefined) {
      cpuDir = join(CPU_ROOT, group);
      mkdirSync(cpuDir);
      writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), '100000');
      writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), String(limits.cpuMillicores * 100));
    }
    return new Cgroup(group, memoryDir, cpuDir);
  }

  /**
   * The command that runs `command args…` inside this group: a shell puts itself in the group,
   * then `exec`s the command, so the process (same pid) and every child start inside it.
   */
  wrap(command: string, args: string[]): { command: string; args: string[] } {
    const targets = [join(this.memoryDir, 'cgroup.procs'), ...(this.cpuDir ? [join(this.cpuDir, 'cgroup.procs')] : [])];
    const script = `${targets.map((t) => `echo $$ > '${t}'`).join(' && ')} && exec "$0" "$@"`;
    return { command: '/bin/sh', args: ['-c', script, command, ...args] };
  }

  memory(): CgroupMemory {
    const read = (file: string) => Number(readFileSync(join(this.memoryDir, file), 'utf8').trim());
    const fields = (file: string) => new Map(readFileSync(join(this.memoryDir, file), 'utf8').trim().split('\n').map((line) => line.split(/\s+/) as [string, string]));
    const oom = fields('memory.oom_control');
    const stat = fields('memory.stat');
    return {
      usage: read('memory.usage_in_bytes'),
      maxUsage: read('memory.max_usage_in_bytes'),
      failcnt: read('memory.failcnt'),
      oomKills: Number(oom.get('oom_kill') ?? 0),
      rss: Number(stat.get('total_rss') ?? stat.get('rss') ?? 0),
      cache: Number(stat.get('total_cache') ?? stat.get('cache') ?? 0),
    };
  }

  /**
   * Deletes the `cairn-<name>-<pid>` groups a killed run left behind (its `remove()` never ran):
   * those whose creating process is gone and which hold no process. Called by `create`; returns
   * the groups removed.
   */
  static removeStale(): string[] {
    const removed: string[] = [];
    for (const root of [MEMORY_ROOT, CPU_ROOT]) {
      let entries: string[];
      try {
        entries = readdirSync(root);
      } catch {
        continue;
      }
      for (const entry of entries) {
        const pid = Number(/^cairn-.+-(\d+)$/.exec(entry)?.[1]);
        if (!pid || processAlive(pid)) continue;
        const dir = join(root, entry);
        try {
          if (readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim()) continue;
          rmdirSync(dir);
          removed.push(dir);
        } catch {
          // Not ours to judge (or already gone): left as it is.
        }
      }
    }
    return removed;
  }

  /** Starts the high-water mark again (`memory.max_usage_in_bytes`), e.g. after start-up. */
  resetPeak(): void {
    writeFileSync(join(this.memoryDir, 'memory.max_usage_in_bytes'), '0');
  }

  /** The pids in the group now. */
  pids(): number[] {
    return readFileSync(join(this.memoryDir, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean).map(Number);
  }

  /** Deletes the groups; their processes must have exited. Retries briefly while the kernel lets go of them. */
  async remove(): Promise<void> {
    for (const dir of [this.memoryDir, this.cpuDir]) {
      if (!dir || !existsSync(dir)) continue;
      for (let attempt = 0; ; attempt++) {
        try {
          rmdirSync(dir);
          break;
        } catch (err) {
          if (attempt >= 20) throw new Error(`could not remove cgroup ${dir}: ${(err as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
