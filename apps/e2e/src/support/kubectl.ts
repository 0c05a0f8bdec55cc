import { type DevCluster, kubectlOut } from '@cairn/kube-testenv';

/**
 * Runs the dev cluster's own kubectl (built with the control plane) as its admin, and resolves
 * with what it printed; a non-zero exit rejects with its stderr. The stories' oracle: what
 * kubectl says is what the console must show.
 */
export function kubectl(cluster: DevCluster, args: string[]): Promise<string> {
  return kubectlOut(cluster, args);
}

/** `kubectl … -o json`, parsed. */
export async function kubectlJson<T>(cluster: DevCluster, args: string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, [...args, '-o', 'json'])) as T;
}
