import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevCluster } from './cluster';

/**
 * The console's own ServiceAccount as the Helm chart gives it when namespace discovery by label
 * is on (CAIRN_NAMESPACE_DISCOVERY=labelled): it may list namespaces, nothing else. Seeded in
 * `kube-system`; the gateway lists labelled candidates with it, then checks each for the caller.
 */
export const DEV_GATEWAY_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cairn-gateway', clusterRole: 'cairn-gateway-namespace-discovery' } as const;

/** The label the seed puts on tenant-1, tenant-2 and team-b (where tina has no rights): the console's default discovery label. */
export const DEV_DISCOVERY_LABEL = { key: 'cairn.io/tenant-visible', value: 'true' } as const;

/**
 * A CAIRN_SERVICE_ACCOUNT_DIR for a gateway running outside the cluster as the seeded
 * `kube-system/cairn-gateway`: a fresh TokenRequest token (an hour), the cluster's CA and the
 * namespace, as a pod's projected volume holds them, in a new directory under `parent`
 * (default: the cluster's own directory, removed with it), or in `into` when given (written
 * again in place, as the kubelet refreshes a projected token: the gateway reads it each time).
 */
export async function gatewayServiceAccountDir(cluster: DevCluster, parent = cluster.info.dir, into?: string): Promise<string> {
  const sa = DEV_GATEWAY_SERVICE_ACCOUNT;
  const admin = cluster.adminApi();
  try {
    const { status } = await admin.json<{ status: { token: string } }>('POST', `/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    const dir = into ?? mkdtempSync(join(parent, 'gateway-sa-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), status.token, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), cluster.info.ca);
    writeFileSync(join(dir, 'namespace'), sa.namespace);
    return dir;
  } finally {
    admin.close();
  }
}
