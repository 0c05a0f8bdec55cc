import { ChildProcess, spawn } from 'node:child_process';
import type { Cgroup } from '@cairn/kube-testenv';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container, KubeObject, PodSpec, Rendered, REPO_ROOT } from './chart';
import { SOME_CA } from './fixtures';

/**
 * Runs a container of a rendered pod as a local process, as the kubelet would run it from the
 * image: its args, its environment with every `secretKeyRef`/`configMapKeyRef` resolved (from
 * the rendered objects, else the user's objects), and its mounts written to a temp dir whose
 * paths replace the mount paths in the environment. Only what cannot be the same on this
 * machine is changed: the listen address and port, and the partner service's URL.
 */

/** Where the images put things (deploy/docker), and what stands for them here. */
export const IMAGE_PATHS = {
  gatewayMain: join(REPO_ROOT, 'dist/apps/gateway/main.js'),
  authMain: join(REPO_ROOT, 'dist/apps/auth-service/main.js'),
  consoleMain: join(REPO_ROOT, 'dist/apps/console/main.js'),
  webRoot: '/app/web',
  serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount',
};

export interface LocalProcess {
  name: string;
  port: number;
  url: string;
  env: Record<string, string>;
  args: string[];
  child: ChildProcess;
  output(): string;
  exitCode(): number | null;
  stop(): Promise<void>;
}

const nodeBinary = existsSync(join(REPO_ROOT, 'node_modules/.bin/node')) ? join(REPO_ROOT, 'node_modules/.bin/node') : process.execPath;

function decodeData(object: KubeObject): Record<string, string> {
  const o = object as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  const fromData = object.kind === 'Secret' ? Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : (o.data ?? {});
  return { ...fromData, ...(o.stringData ?? {}) };
}

/** Looks Secrets and ConfigMaps up in the rendered objects first, then in the user's. */
export class ObjectSource {
  constructor(
    private readonly rendered: Rendered,
    private readonly userObjects: KubeObject[],
  ) {}

  data(kind: 'Secret' | 'ConfigMap', name: string): Record<string, string> | undefined {
    const object = [...this.rendered.objects, ...this.userObjects].find((o) => o.kind === kind && o.metadata.name === name);
    return object ? decodeData(object) : undefined;
  }
}

/**
 * A web root laid out as the gateway image lays it out (the shell, and each built-in remote's
 * mfe.json and remoteEntry.json), from the sources: no front-end build needed.
 */
export function imageWebRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cairn-web-'));
  mkdirSync(join(root, 'shell/browser'), { recursive: true });
  writeFileSync(join(root, 'shell/browser/index.html'), '<!doctype html><title>Cairn</title>');
  for (const app of readdirSync(join(REPO_ROOT, 'apps'))) {
    const mfe = join(REPO_ROOT, 'apps', app, 'public/mfe.json');
    if (!existsSync(mfe)) continue;
    mkdirSync(join(root, app, 'browser'), { recursive: true });
    cpSync(mfe, join(root, app, 'browser/mfe.json'));
    // The build writes remoteEntry.json with the federation name, which is the app's folder name.
    writeFileSync(join(root, app, 'browser/remoteEntry.json'), JSON.stringify({ name: app, exposes: [], shared: [] }));
  }
  return root;
}

/** What the kubelet mounts for a pod's service account. */
function serviceAccountDir(namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-sa-'));
  writeFileSync(join(dir, 'ca.crt'), SOME_CA);
  writeFileSync(join(dir, 'namespace'), namespace);
  writeFileSync(join(dir, 'token'), 'not-a-real-token');
  return dir;
}

/** The container's environment as the kubelet would give it; throws where the pod could not start. */
export function resolveEnv(container: Container, source: ObjectSource): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
      const ref = (e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef) as { name: string; key: string; optional?: boolean };
      const value = source.data(e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name)?.[ref.key];
      if (value !== undefined) env[e.name] = value;
      else if (!ref.optional) throw new Error(`${container.name}: ${e.name} needs key ${ref.key} of ${ref.name}, which no object has: the pod would not start`);
    } else env[e.name] = '';
  }
  return env;
}

/** Writes each mounted volume's files to a temp dir; returns mountPath → local dir. */
export function materializeMounts(container: Container, pod: PodSpec, source: ObjectSource): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`${container.name}: volumeMount ${mount.name} has no volume`);
    const dir = mkdtempSync(join(tmpdir(), `cairn-mount-${mount.name}-`));
    const write = (kind: 'Secret' | 'ConfigMap', name: string, items?: { key: string; path: string }[]) => {
      const data = source.data(kind, name);
      if (!data) throw new Error(`${container.name}: volume ${mount.name} needs ${kind} ${name}`);
      for (const item of items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
        if (data[item.key] === undefined) throw new Error(`${container.name}: ${kind} ${name} has no key ${item.key}`);
        writeFileSync(join(dir, item.path), data[item.key] as string);
      }
    };
    const v = volume as Record<string, { name?: string; secretName?: string; items?: { key: string; path: string }[]; sources?: Record<string, { name: string; items?: { key: string; path: string }[] }>[] }>;
    if (v['configMap']) write('ConfigMap', v['configMap'].name as string, v['configMap'].items);
    else if (v['secret']) write('Secret', v['secret'].secretName as string, v['secret'].items);
    else if (v['projected']) {
      for (const s of v['projected'].sources ?? []) {
        if (s['configMap']) write('ConfigMap', s['configMap'].name, s['configMap'].items);
        if (s['secret']) write('Secret', s['secret'].name, s['secret'].items);
      }
    }
    mounts.set(mount.mountPath, dir);
  }
  return mounts;
}

export type ServiceName = 'gateway' | 'auth-service' | 'console';

export interface StartOptions {
  /** `gateway`, `auth-service` or `console` (both in one process): which built service the container's image holds. */
  service: ServiceName;
  container: Container;
  pod: PodSpec;
  source: ObjectSource;
  namespace: string;
  port: number;
  /** The partner service's local URL (CAIRN_AUTH_SERVICE_URL / CAIRN_GATEWAY_URL); the console has none. */
  partnerUrl?: string;
  /** Run inside this cgroup (made with the container's `limits.memory`), as the kubelet would. */
  cgroup?: Cgroup;
  webRoot: string;
  /** The API server the kubelet points the pod at, and its service-account mount; default: none reachable. */
  kubelet?: { host: string; port: string; serviceAccountDir: string };
}

export function startLocal(options: StartOptions): LocalProcess {
  const { container, pod, source, service, port } = options;
  const env = resolveEnv(container, source);
  const mounts = materializeMounts(container, pod, source);
  mounts.set(IMAGE_PATHS.webRoot, options.webRoot);
  // The kubelet's part: the service-account mount (when automounted) and the API server's address.
  if (pod.automountServiceAccountToken !== false) {
    const kubelet = options.kubelet ?? { host: '127.0.0.1', port: '9', serviceAccountDir: serviceAccountDir(options.namespace) };
    mounts.set(IMAGE_PATHS.serviceAccountDir, kubelet.serviceAccountDir);
    env['CAIRN_SERVICE_ACCOUNT_DIR'] ??= IMAGE_PATHS.serviceAccountDir;
    env['KUBERNETES_SERVICE_HOST'] ??= kubelet.host;
    env['KUBERNETES_SERVICE_PORT'] ??= kubelet.port;
  }
  for (const [name, value] of Object.entries(env)) {
    for (const [mountPath, local] of mounts) {
      if (value === mountPath || value.startsWith(`${mountPath.replace(/\/$/, '')}/`)) env[name] = local + value.slice(mountPath.replace(/\/$/, '').length);
    }
  }
  if (service === 'gateway') {
    Object.assign(env, { CAIRN_HOST: '127.0.0.1', CAIRN_PORT: String(port), CAIRN_AUTH_SERVICE_URL: options.partnerUrl ?? 'http://127.0.0.1:9' });
  } else if (service === 'auth-service') {
    Object.assign(env, { CAIRN_AUTH_HOST: '127.0.0.1', CAIRN_AUTH_PORT: String(port), CAIRN_GATEWAY_URL: options.partnerUrl ?? 'http://127.0.0.1:9' });
  } else {
    // One process: only the gateway's address; the two halves talk in memory.
    Object.assign(env, { CAIRN_HOST: '127.0.0.1', CAIRN_PORT: String(port) });
  }
  const args = container.args ?? [];
  const main = { gateway: IMAGE_PATHS.gatewayMain, 'auth-service': IMAGE_PATHS.authMain, console: IMAGE_PATHS.consoleMain }[service];
  const command = options.cgroup ? options.cgroup.wrap(nodeBinary, [main, ...args]) : { command: nodeBinary, args: [main, ...args] };
  const child = spawn(command.command, command.args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let code: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (c, signal) => {
      code = c ?? (signal ? 128 : null);
      resolve();
    }),
  );
  return {
    name: `${service} (${container.name})`,
    port,
    url: `http://127.0.0.1:${port}`,
    env,
    args,
    child,
    output: () => output,
    exitCode: () => code,
    stop: async () => {
      if (code === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `/healthz` answers 200 or the process exits; says which. */
export async function waitHealthy(p: LocalProcess, timeoutMs = 60_000): Promise<'healthy' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.exitCode() !== null) return 'exited';
    const res = await httpGet(`${p.url}/healthz`).catch(() => undefined);
    if (res?.status === 200) return 'healthy';
    await new Promise((r) => setTimeout(r, 250));
  }
  return 'timeout';
}

/** A Kubernetes memory quantity (`128Mi`, `1G`, `500M`, `134217728`) in bytes. */
export function memoryBytes(quantity: string): number {
  const match = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`${quantity} is not a memory quantity this test reads`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] ?? ''] ?? 1;
  return Math.round(Number(match[1]) * unit);
}
