import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevClusterInfo } from './cluster';

/** What one kubectl run printed and how it ended. */
export interface KubectlRun {
  /** kubectl's exit code (0: it did what it was asked). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the dev cluster's own kubectl (`<binDir>/kubectl`, built from the pinned module) with
 * `args` as the cluster's admin (its kubeconfig), and answers what it printed: the oracle tests
 * compare Cairn with. Never rejects for a non-zero exit, so a test can check kubectl's refusal too.
 */
export function kubectl(info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'>, args: string[]): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: info.kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
