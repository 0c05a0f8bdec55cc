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
 * compare Cairn with. `input` is written to its stdin (for `apply -f -`). Never rejects for a
 * non-zero exit, so a test can check kubectl's refusal too.
 */
export function kubectl(info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'>, args: string[], input?: string): Promise<KubectlRun> {
  return runTool(join(info.binDir, 'kubectl'), args, { KUBECONFIG: info.kubeconfig }, input);
}

/** Runs `binary` with `args` and this process's environment plus `env`, answering its exit code and output (never rejecting for a non-zero exit). */
export function runTool(binary: string, args: string[], env: Record<string, string>, input?: string): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/**
 * {@link kubectl} for a step that must succeed: resolves its stdout; rejects, when it exits
 * non-zero, with an Error whose message ends with kubectl's stderr.
 */
export async function kubectlOut(cluster: { info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'> }, args: string[], input?: string): Promise<string> {
  const run = await kubectl(cluster.info, args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
  return run.stdout;
}

/**
 * The table `kubectl auth can-i --list` prints (Resources, Non-Resource URLs, Resource Names,
 * Verbs) as sorted `resource|names|verbs` rows, each list's words sorted; a URL row is
 * `url||verbs`. kubectl repeats a URL once per rule naming it, and so do the rows.
 */
export function canIListRows(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const cells = line.trim().split(/\s+(?=\[)/);
      const list = (cell = '') => cell.slice(1, -1).split(' ').filter(Boolean).sort().join(' ');
      const first = cells[0] ?? '';
      return first.startsWith('[') ? `${list(first)}||${list(cells[2])}` : `${first}|${list(cells[2])}|${list(cells[3])}`;
    })
    .sort();
}
