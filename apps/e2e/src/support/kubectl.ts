import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevCluster } from '@cairn/kube-testenv';

/**
 * The real kubectl against the dev cluster, as its admin: the oracle stories check Cairn's
 * changes with. Resolves stdout; rejects with kubectl's stderr when it exits non-zero.
 * `input` is written to its stdin (for `apply -f -`).
 */
export function kubectl(cluster: DevCluster, args: string[], input?: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err.trim()}`))));
    child.stdin.end(input ?? '');
  });
}
