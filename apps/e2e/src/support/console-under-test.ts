import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MfeRemote } from '@cairn/api-contracts';
import { freePort } from '@cairn/kube-testenv';
import { RoundRobin } from './round-robin';

const workspace = resolve(__dirname, '../../../..');

/** A free loopback port for a server started next (kube-testenv's rule: below the kernel's ephemeral range). */
export { freePort };

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url} never answered: the process exited with ${child.exitCode}\n${log()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch {
      // not listening yet
    }
    await new Promise((next) => setTimeout(next, 150));
  }
  throw new Error(`${url} was not ready after 30 s (last answer: ${last})\n${log()}`);
}

function startService(main: string, env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const path = join(workspace, main);
  if (!existsSync(path)) {
    throw new Error(`${main} is missing: the e2e target builds it first (npx nx run e2e:e2e)`);
  }
  let output = '';
  const child = spawn(process.execPath, [path], {
    cwd: workspace,
    env: { ...process.env, CAIRN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, log: () => output };
}

/** One all-in-one console process behind the round-robin front. */
export interface Replica {
  /** Its own address, which the browser never uses. */
  url: string;
  /** Ends the process at once (SIGKILL), as a node failure or an OOM kill would. */
  kill(): Promise<void>;
}

export interface ConsoleUnderTest {
  /** The public URL (CAIRN_PUBLIC_URL): the gateway's, or the round-robin front's when there are replicas. */
  url: string;
  /** The session key both services share, so a test can seal a session as the auth service would. */
  sessionKey: string;
  /** With `replicas`: the processes, in the front's order, and the front that spreads requests over them. */
  replicas?: Replica[];
  front?: RoundRobin;
  stop(): Promise<void>;
}

export interface ConsoleLayout {
  /**
   * Instead of the two services, this many all-in-one processes (dist/apps/console) with the
   * same settings and session key, behind a round-robin front on the public URL.
   */
  replicas?: number;
}

function stopped(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * The built console as `npm start` runs it: the auth service and the gateway from `dist/`,
 * on free loopback ports, with extra remotes registered the way an operator would. With
 * `layout.replicas`, several all-in-one processes behind a round-robin front instead.
 */
export async function startConsole(extraRemotes: MfeRemote[] = [], settings: Record<string, string> = {}, layout: ConsoleLayout = {}): Promise<ConsoleUnderTest> {
  const [gatewayPort, authPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    CAIRN_PORT: String(gatewayPort),
    CAIRN_AUTH_PORT: String(authPort),
    CAIRN_AUTH_SERVICE_URL: `http://127.0.0.1:${authPort}`,
    CAIRN_SESSION_KEY: randomBytes(36).toString('base64url'),
    CAIRN_PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
    CAIRN_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    CAIRN_INSECURE_COOKIES: 'true',
    CAIRN_IN_CLUSTER: 'false',
    ...settings,
  };
  if (extraRemotes.length > 0) {
    const file = join(mkdtempSync(join(tmpdir(), 'cairn-e2e-')), 'remotes.json');
    writeFileSync(file, JSON.stringify(extraRemotes));
    env['CAIRN_REMOTES_FILE'] = file;
  }
  if (layout.replicas) return startReplicas(layout.replicas, env);
  const services = [
    startService('dist/apps/auth-service/main.js', env),
    startService('dist/apps/gateway/main.js', env),
  ];
  const stop = async () => {
    await Promise.all(services.map(({ child }) => stopped(child)));
  };
  try {
    await waitReady(`http://127.0.0.1:${authPort}/readyz`, services[0].child, services[0].log);
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, services[1].child, services[1].log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${gatewayPort}`, sessionKey: env['CAIRN_SESSION_KEY'] as string, stop };
}

/**
 * `count` all-in-one processes, the same settings and session key but each on its own port,
 * behind a RoundRobin that listens on the public URL (so cookies, Origin and the OIDC callback
 * are the front's, as behind a real load balancer).
 */
async function startReplicas(count: number, env: Record<string, string>): Promise<ConsoleUnderTest> {
  const frontPort = await freePort();
  const publicUrl = `http://127.0.0.1:${frontPort}`;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const processes = ports.map((port) => startService('dist/apps/console/main.js', { ...env, CAIRN_PORT: String(port), CAIRN_PUBLIC_URL: publicUrl }));
  let front: RoundRobin | undefined;
  const stop = async () => {
    await front?.stop();
    await Promise.all(processes.map(({ child }) => stopped(child)));
  };
  try {
    await Promise.all(ports.map((port, i) => waitReady(`http://127.0.0.1:${port}/readyz`, processes[i].child, processes[i].log)));
    front = await RoundRobin.start(frontPort, ports);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: publicUrl,
    sessionKey: env['CAIRN_SESSION_KEY'] as string,
    replicas: ports.map((port, i) => ({ url: `http://127.0.0.1:${port}`, kill: () => stopped(processes[i].child, 'SIGKILL') })),
    front,
    stop,
  };
}
