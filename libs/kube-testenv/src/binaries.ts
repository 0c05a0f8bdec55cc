import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (the directory holding nx.json), found from this file's location. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`kube-testenv: no nx.json above ${__dirname}; run from inside the Cairn repository`);
    dir = parent;
  }
  return dir;
}

export interface KubeBinaries {
  /** Holds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok, helm. */
  binDir: string;
  /** kwok's own stage configs (node/fast, pod/fast, ...). */
  stagesDir: string;
  bin(name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'kwok' | 'helm' | 'metrics-server'): string;
}

/**
 * Which control plane: `current` is the pinned release with every component; `older` is only
 * the older kube-apiserver (v1.29, no aggregated discovery v2), run with the current set's
 * etcd and kubectl.
 */
export type KubeBinarySet = 'current' | 'older';

/** A set of binaries build.sh builds: a control plane, or `metrics` (metrics-server alone, `build.sh metrics`). */
export type BuildSet = KubeBinarySet | 'metrics';

/**
 * Builds the pinned control plane with tools/kube-testenv/build.sh (`build.sh older` for the
 * older set, `build.sh metrics` for metrics-server alone), or finds it in the cache (instant). A cold build takes about 10 minutes on two
 * cores (the older kube-apiserver alone about 5, metrics-server alone about 3-4 CPU minutes: 27 min measured while the machine's CI build held the cores); `onProgress` gets its progress lines. `env`
 * is the script's environment (default: this process's).
 *
 * Rejects with "building the control plane failed" and the last 20 lines of the script's
 * stderr when it exits non-zero, or when it prints no bin directory holding kube-apiserver
 * (metrics-server for `metrics`).
 */
export function ensureBinaries(onProgress: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env, set: BuildSet = 'current'): Promise<KubeBinaries> {
  const script = join(repoRoot(), 'tools', 'kube-testenv', 'build.sh');
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [script, ...(set === 'current' ? [] : [set])], { maxBuffer: 64 * 1024 * 1024, env }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`building the control plane failed (${script}):\n${stderr.split('\n').slice(-20).join('\n')}`));
        return;
      }
      const binDir = stdout.trim().split('\n').pop() ?? '';
      if (!existsSync(join(binDir, set === 'metrics' ? 'metrics-server' : 'kube-apiserver'))) {
        reject(new Error(`${script} printed no bin directory (got "${binDir}")`));
        return;
      }
      resolve({ binDir, stagesDir: join(dirname(binDir), 'kwok-stages'), bin: (name) => join(binDir, name) });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) onProgress(line);
    });
  });
}
