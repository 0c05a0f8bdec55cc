import { ensureBinaries, KubeBinaries } from '@cairn/kube-testenv';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/** What the chart's tests read: the chart, its example values files and the binaries. */
export const DEPLOY_DIR = resolve(__dirname, '..');
export const CHART_DIR = join(DEPLOY_DIR, 'helm', 'cairn');
export const EXAMPLES_DIR = join(DEPLOY_DIR, 'helm', 'values');
export const REPO_ROOT = resolve(DEPLOY_DIR, '..');

/** The example values files, by name (`defaults`, `all-in-one`, ...). */
export function exampleValues(): { name: string; file: string }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), file: join(EXAMPLES_DIR, f) }));
}

export function chartMetadata(): { version: string; appVersion: string; name: string } {
  return parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8'));
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

export interface Rendered {
  objects: KubeObject[];
  text: string;
  find(kind: string, name?: string): KubeObject[];
  /** The pod spec of every Deployment, and of the `helm test` pod. */
  podSpecs(): { owner: KubeObject; spec: PodSpec }[];
  /** Every container of the chart's workloads named `name` (gateway, auth-service). */
  containers(name: string): Container[];
}

let binaries: Promise<KubeBinaries> | undefined;
/** helm and kubectl, built from the pinned modules of tools/kube-testenv (cached). */
export function kubeBinaries(): Promise<KubeBinaries> {
  binaries ??= ensureBinaries();
  return binaries;
}

/** Keeps helm's own config and cache out of $HOME. */
const helmHome = mkdtempSync(join(tmpdir(), 'cairn-helm-home-'));
export function helmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_DATA_HOME: join(helmHome, 'data'), ...extra };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(command, args, { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function helm(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run((await kubeBinaries()).bin('helm'), args, { env: helmEnv(env) });
}

/** `helm template` with the given values files and `--set` flags; throws with helm's message on failure. */
export async function render(options: { values?: string[]; set?: string[]; namespace?: string; release?: string } = {}): Promise<Rendered> {
  const result = await tryRender(options);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseRendered(result.stdout);
}

export function tryRender(options: { values?: string[]; set?: string[]; namespace?: string; release?: string } = {}): Promise<RunResult> {
  const args = ['template', options.release ?? 'cairn', CHART_DIR, '--namespace', options.namespace ?? 'cairn'];
  for (const v of options.values ?? []) args.push('--values', v);
  for (const s of options.set ?? []) args.push('--set', s);
  return helm(args);
}

export function parseRendered(text: string): Rendered {
  const objects = parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`helm rendered invalid YAML: ${d.errors[0]?.message}`);
      return d.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => Boolean(o));
  const find = (kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  const podSpecs = () => [
    ...find('Deployment').map((owner) => ({ owner, spec: (owner as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec })),
    ...find('Pod').map((owner) => ({ owner, spec: (owner as unknown as { spec: PodSpec }).spec })),
  ];
  return {
    objects,
    text,
    find,
    podSpecs,
    containers: (name) => podSpecs().flatMap(({ spec }) => spec.containers.filter((c) => c.name === name)),
  };
}
