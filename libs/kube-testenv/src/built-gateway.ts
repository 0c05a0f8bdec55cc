import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './binaries';
import { DevCluster } from './cluster';
import { freePort } from './processes';

export interface BuiltGateway {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  process: ChildProcess;
  stop(): void;
}

/**
 * The built gateway (`dist/apps/gateway/main.js`, from `nx build gateway`) as a child process
 * on a free loopback port, serving `cluster`'s kubeconfig, for tests of what sits in front of
 * it (the browser's data access, the auth service). `env` may fix the port (`CAIRN_PORT`).
 * Resolves once `/healthz` answers.
 */
export async function startBuiltGateway(cluster: DevCluster, env: Record<string, string> = {}): Promise<BuiltGateway> {
  const port = env['CAIRN_PORT'] ?? String(await freePort());
  const url = `http://127.0.0.1:${port}/`;
  const root = repoRoot();
  const child = spawn(process.execPath, [join(root, 'dist/apps/gateway/main.js')], {
    cwd: root,
    env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig, CAIRN_PORT: port, CAIRN_LOG_LEVEL: 'error', CAIRN_IN_CLUSTER: 'false', ...env },
    stdio: 'inherit',
  });
  const gateway = { url, process: child, stop: () => void child.kill() };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if ((await fetch(`${url}healthz`).catch(() => undefined))?.ok) return gateway;
    await new Promise((r) => setTimeout(r, 200));
  }
  gateway.stop();
  throw new Error(`the built gateway did not start${child.exitCode !== null ? ` (exit code ${child.exitCode})` : ''}: run npx nx build gateway`);
}
