import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevClusterInfo } from './cluster';

/**
 * The real kubectl of the dev cluster's binaries, as its admin (the cluster's kubeconfig): the
 * oracle tests hold Cairn against. Resolves its stdout; rejects, when it exits non-zero, with
 * an Error whose message ends with kubectl's stderr. `input` is written to its stdin (for
 * `apply -f -`).
 */
export function kubectl(cluster: { info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'> }, args: string[], input?: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err.trim()}`))));
    child.stdin.end(input ?? '');
  });
}
