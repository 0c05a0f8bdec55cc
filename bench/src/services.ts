import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Cgroup, DevCluster, freePort, repoRoot } from '@cairn/kube-testenv';
import { sleep } from './stats';

/** A built service (dist/apps/<app>/main.js) running as a child process of the benchmark. */
export class Service {
  constructor(
    readonly name: string,
    readonly url: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** Whether the process has exited (e.g. killed by the OOM killer of its cgroup). */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resident set size now, in bytes (VmRSS of /proc/<pid>/status). */
  rss(): number {
    return procStatus(this.pid, 'VmRSS');
  }

  /** Highest resident set size the process has had, in bytes (VmHWM). */
  peakRss(): number {
    return procStatus(this.pid, 'VmHWM');
  }

  /** Anonymous (heap, stacks, buffers) and file-backed (the node binary, libraries) resident memory, in bytes. */
  rssParts(): { anon: number; file: number } {
    return { anon: procStatus(this.pid, 'RssAnon'), file: procStatus(this.pid, 'RssFile') };
  }

  /**
   * Proportional set size, in bytes: shared pages (the node binary both services map) split
   * between the processes sharing them, closer to what a pod's memory limit charges.
   */
  pss(): number {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  }

  /**
   * The process's established TCP connections to `port` on the loopback (e.g. the API server's):
   * its sockets (/proc/<pid>/fd) matched by inode against /proc/<pid>/net/tcp (RFC 793 state 01).
   */
  tcpConnectionsTo(port: number): number {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${this.pid}/fd`)) {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${this.pid}/fd/${fd}`));
        if (socket?.[1]) inodes.add(socket[1]);
      } catch {
        // closed meanwhile
      }
    }
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    return readFileSync(`/proc/${this.pid}/net/tcp`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[2]?.endsWith(`:${hexPort}`) && f[3] === '01' && inodes.has(f[9] ?? '')).length;
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void> {
    return new Promise((done) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return done();
      this.child.once('exit', () => done());
      this.child.kill('SIGTERM');
      setTimeout(() => this.child.kill('SIGKILL'), 5_000).unref();
    });
  }
}

export function procStatus(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export interface ServiceOptions {
  /** Where the service's output goes (one file per start). */
  logsDir: string;
  env?: Record<string, string>;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Start the process inside this cgroup (a pod's memory and CPU limits, enforced by the kernel). */
  cgroup?: Cgroup;
  /** Another build of the app to run instead of dist/apps/<app>/main.js (an earlier commit's, for a before/after in one run). */
  main?: string;
}

let started = 0;

/**
 * Starts `app` and resolves once `upPath` answers 200. (The gateway's /readyz caches a failed
 * cluster check for 10 s, which would only slow the run down; /healthz says it listens.)
 */
async function startService(app: 'gateway' | 'auth-service' | 'console', port: number, upPath: string, options: ServiceOptions): Promise<Service> {
  const root = repoRoot();
  const main = options.main ?? join(root, 'dist/apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build it (npm run bench builds it first)`);
  mkdirSync(options.logsDir, { recursive: true });
  const logFile = join(options.logsDir, `${String(++started).padStart(2, '0')}-${app}.log`);
  const out = openSync(logFile, 'a');
  const argv = [...(options.nodeFlags ?? []), main];
  const run = options.cgroup ? options.cgroup.wrap(process.execPath, argv) : { command: process.execPath, args: argv };
  const child = spawn(run.command, run.args, {
    cwd: root,
    env: { ...process.env, CAIRN_LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${port}`;
  const service = new Service(app, url, child, logFile);
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    if ((await fetch(`${url}${upPath}`).catch(() => undefined))?.ok) return service;
    await sleep(200);
  }
  await service.stop();
  throw new Error(`${app} did not answer ${url}${upPath}; see ${logFile}`);
}

/** The console's two services, configured the way `npm start` configures them for the dev cluster. */
export interface Console {
  gateway: Service;
  auth?: Service;
  sessionKey: string;
  stop(): Promise<void>;
}

export async function startConsole(
  cluster: DevCluster,
  options: ServiceOptions & { withAuthService?: boolean; gatewayFlags?: string[]; allInOne?: boolean },
): Promise<Console> {
  const gatewayPort = await freePort();
  const authPort = await freePort();
  const sessionKey = randomBytes(36).toString('base64url');
  const shared = {
    CAIRN_SESSION_KEY: sessionKey,
    CAIRN_LOG_LEVEL: 'log',
  };
  const { oidc } = cluster.info;
  const authEnv = {
    CAIRN_AUTH_PORT: String(authPort),
    CAIRN_PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
    CAIRN_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    CAIRN_INSECURE_COOKIES: 'true',
    CAIRN_CA_BUNDLE: oidc.caFile,
    OIDC_ISSUER_URL: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clients.cairn.clientId,
    OIDC_CLIENT_SECRET: oidc.clients.cairn.clientSecret as string,
    OIDC_SCOPES: 'openid profile email groups offline_access',
  };
  const gatewayEnv = {
    KUBECONFIG: cluster.info.kubeconfig,
    CAIRN_PORT: String(gatewayPort),
    CAIRN_IN_CLUSTER: 'false',
    CAIRN_AUTH_SERVICE_URL: `http://127.0.0.1:${authPort}`,
  };
  if (options.allInOne) {
    // Seed 001's layout: both services in one process (apps/console), on the gateway's port.
    const one = await startService('console', gatewayPort, '/healthz', { ...options, nodeFlags: options.gatewayFlags, env: { ...shared, ...authEnv, ...gatewayEnv, ...options.env } });
    return { gateway: one, sessionKey, stop: () => one.stop() };
  }
  let auth: Service | undefined;
  if (options.withAuthService) {
    auth = await startService('auth-service', authPort, '/readyz', {
      ...options,
      env: { ...shared, ...authEnv, ...options.env },
    });
  }
  try {
    const gateway = await startService('gateway', gatewayPort, '/healthz', {
      ...options,
      nodeFlags: options.gatewayFlags,
      env: { ...shared, ...gatewayEnv, ...options.env },
    });
    return {
      gateway,
      auth,
      sessionKey,
      stop: async () => {
        await gateway.stop();
        await auth?.stop();
      },
    };
  } catch (err) {
    await auth?.stop();
    throw err;
  }
}

/** Samples the resident memory of some processes every `intervalMs` until stopped. */
export class RssSampler {
  readonly samples: Array<{ at: number; rss: number[] }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly services: Service[],
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    try {
      this.samples.push({ at: Date.now(), rss: this.services.map((s) => s.rss()) });
    } catch {
      // a process that has exited has no /proc entry; its last sample stands
    }
  }

  stop(): { peak: number[]; peakSum: number; last: number[] } {
    clearInterval(this.timer);
    this.sample();
    const peak = this.services.map((_, i) => Math.max(...this.samples.map((s) => s.rss[i] ?? 0)));
    const peakSum = Math.max(...this.samples.map((s) => s.rss.reduce((a, b) => a + b, 0)));
    return { peak, peakSum, last: this.samples.at(-1)?.rss ?? [] };
  }
}

/**
 * The resident memory of an empty Node HTTP server on the same Node binary: the floor under
 * any Node service, measured in the same run as the services it is compared with.
 */
export async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => console.log('up'))"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bare node exited with ${code}`)));
    });
    await sleep(1000);
    return procStatus(child.pid as number, 'VmRSS');
  } finally {
    child.kill();
  }
}
