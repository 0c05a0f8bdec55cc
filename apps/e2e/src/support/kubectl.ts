import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevCluster } from '@cairn/kube-testenv';

/**
 * Runs the dev cluster's own kubectl (built with the control plane) as its admin, and resolves
 * with what it printed; a non-zero exit rejects with its stderr. The stories' oracle: what
 * kubectl says is what the console must show.
 */
export function kubectl(cluster: DevCluster, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** `kubectl … -o json`, parsed. */
export async function kubectlJson<T>(cluster: DevCluster, args: string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, [...args, '-o', 'json'])) as T;
}
