import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './binaries';
import type { DevClusterInfo } from './cluster';
import { type KubectlRun, runTool } from './kubectl';

/** A small local chart (ConfigMaps only, NOTES.txt, defaults to coalesce), for Helm release tests and the seed. */
export function helmFixtureChart(): string {
  return join(repoRoot(), 'libs', 'kube-testenv', 'fixtures', 'helm', 'catalog');
}

/** The release the dev cluster's seed installs with the real helm binary: two revisions in team-b (an install and an upgrade). */
export const SEEDED_HELM_RELEASE = { namespace: 'team-b', name: 'storefront' } as const;

/**
 * Runs the dev cluster's own helm (`<binDir>/helm`, built from `helm.sh/helm/v3` by build.sh)
 * with `args` as the cluster's admin (its kubeconfig), Helm's cache, config and data kept beside
 * the kubeconfig; `env` adds to its environment (`HELM_DRIVER=configmap`). Never rejects for a non-zero exit, so a test can check a failed upgrade.
 */
export function helm(info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'>, args: string[], env: Record<string, string> = {}): Promise<KubectlRun> {
  const home = join(dirname(info.kubeconfig), 'helm-home');
  mkdirSync(home, { recursive: true });
  return runTool(join(info.binDir, 'helm'), args, {
    KUBECONFIG: info.kubeconfig,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    ...env,
  });
}

/** {@link helm} for a step that must succeed: resolves stdout, rejects with helm's stderr. */
export async function helmOut(info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'>, args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await helm(info, args, env);
  if (run.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
  return run.stdout;
}

/** The seed's release: `helm install` then `helm upgrade` with other values, so its page has a history and a diff; nothing when it is there already. */
export async function seedHelmRelease(info: Pick<DevClusterInfo, 'binDir' | 'kubeconfig'>): Promise<void> {
  const { namespace, name } = SEEDED_HELM_RELEASE;
  const chart = helmFixtureChart();
  // A cluster started again on its old data (npm run cluster) has it already.
  if ((await helm(info, ['status', name, '-n', namespace])).code === 0) return;
  await helmOut(info, ['install', name, chart, '-n', namespace, '--set', 'settings.color=green']);
  await helmOut(info, ['upgrade', name, chart, '-n', namespace, '--reuse-values', '--set', 'settings.pageSize=50,image.tag=1.5.0']);
}
