import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { join } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Busy (non-idle) milliseconds sampled. */
  busyMs: number;
  /** Where the busy time went, by package or part (garbage collector, node internals, the gateway's own code). */
  byPart: Array<{ part: string; percent: number }>;
  /** The hottest functions by self time. */
  topFunctions: Array<{ fn: string; percent: number }>;
  /** Time with a package or part anywhere on the stack (inclusive: what a library's calls cost, natives they reach included). */
  inclusiveByPart: Array<{ part: string; percent: number }>;
}

function partOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  // es-module-shims rewrites the import-mapped modules and runs them from blob: URLs, so which file a function came from is lost.
  if (url.startsWith('blob:')) return 'modules run through es-module-shims (blob:)';
  // A page's scripts (Chromium's profiler): a remote's own files, or the shell's (shared Angular included).
  if (/^https?:/.test(url)) return /\/remotes\/([^/]+)\//.exec(url)?.[1] ?? `shell ${new URL(url).pathname.split('/').pop()?.replace(/[-.][\w-]{8,}\.m?js$/, '')}`;
  if (url.includes('dist/apps/')) return 'gateway code';
  return url;
}

/**
 * Reads the newest .cpuprofile in `dir` (written by node --cpu-prof on exit) and says where the
 * time went, leaving out the first `skipMs` (start-up: loading modules is not the workload).
 */
export function summarizeProfile(dir: string, skipMs = 0, topN = 8): ProfileSummary | undefined {
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (elapsedUs >= skipMs * 1000) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const parts = new Map<string, number>();
  const fns = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += us;
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (f && f.functionName !== '(root)') onStack.add(partOf(f.url, f.functionName));
    }
    for (const part of onStack) inclusive.set(part, (inclusive.get(part) ?? 0) + us);
    const part = partOf(frame.url, frame.functionName);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const where = frame.url ? ` ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/').replace(/^https?:\/\/[^/]+\//, '').replace(/^blob:.*$/, 'blob')}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => ({ k, percent: Math.round((us / Math.max(busy, 1)) * 1000) / 10 }));
  return {
    file: join(dir, file),
    busyMs: Math.round(busy / 1000),
    byPart: top(parts, 6).map(({ k, percent }) => ({ part: k, percent })),
    topFunctions: top(fns, topN).map(({ k, percent }) => ({ fn: k, percent })),
    inclusiveByPart: top(inclusive, topN).map(({ k, percent }) => ({ part: k, percent })),
  };
}

export function describeProfile(p: ProfileSummary | undefined, whose = 'gateway'): string {
  if (!p) return 'no CPU profile was written';
  return `${whose} CPU profile (${p.busyMs} ms busy): ${p.byPart.map((x) => `${x.part} ${x.percent}%`).join(', ')}; hottest: ${p.topFunctions
    .slice(0, 3)
    .map((x) => `${x.fn} ${x.percent}%`)
    .join(', ')} (${p.file})`;
}

/**
 * A CPU profile of a running Node process through its inspector (`--inspect=127.0.0.1:<port>`),
 * written by the benchmark, not by the process at its exit: `node --cpu-prof` writes its file
 * only when the process exits on its own, and a console stopped inside its 128 MiB cgroup never
 * wrote one (benchmark 3, 2026-11-30). Sampling every 1 ms; `stop` writes `<dir>/<name>.cpuprofile`.
 */
export class InspectorProfiler {
  private id = 0;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.resolve(message.result);
      if (message.id !== undefined) this.pending.delete(message.id);
    });
    // The process ended (an OOM kill in its cgroup): no answer will come, so nobody waits for one.
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the profiled process ended before answering (killed in its cgroup?)'));
      this.pending.clear();
    });
  }

  static async start(port: number): Promise<InspectorProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl?: string }>;
    const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on 127.0.0.1:${port}`);
    const socket = new WebSocket(url, { maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    const profiler = new InspectorProfiler(socket);
    await profiler.call('Profiler.enable');
    await profiler.call('Profiler.setSamplingInterval', { interval: 1000 });
    await profiler.call('Profiler.start');
    return profiler;
  }

  private call(method: string, params: object = {}): Promise<unknown> {
    const id = ++this.id;
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('the profiled process has ended (killed in its cgroup?)'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Writes the profile; rejects when the process ended first (no profile exists then). */
  async stop(dir: string, name: string): Promise<string> {
    const { profile } = (await this.call('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    this.socket.close();
    return file;
  }
}
