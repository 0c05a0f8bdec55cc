import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/**
 * The clusters the gateway is configured with. Only where a cluster is and how to trust it
 * are taken from a kubeconfig: a user's request always carries the user's own credentials,
 * never the kubeconfig's users.
 */
export interface ClusterConfig {
  /** The context name (or the in-cluster context name): what the console calls the cluster. */
  name: string;
  /** https://host:port of the API server. */
  server: string;
  /** PEM CA that signed the API server's certificate; absent: the system roots. */
  ca?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** The context's namespace, the console's default for this cluster. */
  namespace?: string;
  source: 'kubeconfig' | 'in-cluster';
}

export class KubeconfigError extends Error {}

interface NamedCluster {
  name: string;
  cluster?: {
    server?: string;
    'certificate-authority'?: string;
    'certificate-authority-data'?: string;
    'insecure-skip-tls-verify'?: boolean;
    'tls-server-name'?: string;
  };
}
interface NamedContext {
  name: string;
  context?: { cluster?: string; user?: string; namespace?: string };
}
interface Kubeconfig {
  clusters?: NamedCluster[];
  contexts?: NamedContext[];
}

/** A context of KUBECONFIG the console cannot use, and why (a whole file when it is not YAML). */
export interface KubeconfigProblem {
  /** The context's name, or the file's path when the file itself cannot be read. */
  name: string;
  message: string;
}

/**
 * Reads the kubeconfig files of `KUBECONFIG` (in order) with kubectl's merge rule: the
 * first file to define a name wins. Every usable context becomes a cluster of the console; a
 * context (or file) that cannot be used is reported in `problems` with the reason, and the
 * others still work.
 */
export function clustersFromKubeconfigs(paths: string[]): { clusters: ClusterConfig[]; problems: KubeconfigProblem[] } {
  const problems: KubeconfigProblem[] = [];
  const clusters = new Map<string, { cluster: NamedCluster; baseDir: string; file: string }>();
  const contexts = new Map<string, { context: NamedContext; file: string }>();
  for (const file of paths) {
    if (!existsSync(file)) continue; // kubectl ignores missing files in KUBECONFIG too
    let config: Kubeconfig;
    try {
      config = (parse(readFileSync(file, 'utf8')) ?? {}) as Kubeconfig;
    } catch (err) {
      problems.push({ name: file, message: `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    for (const cluster of config.clusters ?? []) {
      if (cluster?.name && !clusters.has(cluster.name)) clusters.set(cluster.name, { cluster, baseDir: dirname(file), file });
    }
    for (const context of config.contexts ?? []) {
      if (context?.name && !contexts.has(context.name)) contexts.set(context.name, { context, file });
    }
  }
  const result: ClusterConfig[] = [];
  for (const [name, { context, file }] of contexts) {
    try {
      const clusterName = context.context?.cluster;
      const entry = clusterName ? clusters.get(clusterName) : undefined;
      if (!entry) throw new KubeconfigError(`context "${name}" in ${file} names cluster "${clusterName ?? ''}", which no kubeconfig file defines`);
      result.push(toClusterConfig(name, entry.cluster, entry.baseDir, entry.file, context.context?.namespace));
    } catch (err) {
      if (!(err instanceof KubeconfigError)) throw err;
      problems.push({ name, message: err.message });
    }
  }
  return { clusters: result, problems };
}

function toClusterConfig(name: string, named: NamedCluster, baseDir: string, file: string, namespace: string | undefined): ClusterConfig {
  const c = named.cluster ?? {};
  if (!c.server) throw new KubeconfigError(`cluster "${named.name}" in ${file} has no server`);
  let url: URL;
  try {
    url = new URL(c.server);
  } catch {
    throw new KubeconfigError(`cluster "${named.name}" in ${file}: server "${c.server}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new KubeconfigError(`cluster "${named.name}" in ${file}: server "${c.server}" must use https`);
  let ca: string | undefined;
  if (c['certificate-authority-data']) ca = Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8');
  else if (c['certificate-authority']) {
    const path = isAbsolute(c['certificate-authority']) ? c['certificate-authority'] : join(baseDir, c['certificate-authority']);
    if (!existsSync(path)) throw new KubeconfigError(`cluster "${named.name}" in ${file}: certificate-authority ${path} does not exist`);
    ca = readFileSync(path, 'utf8');
  }
  return {
    name,
    server: c.server.replace(/\/+$/, ''),
    ca,
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: c['tls-server-name'],
    namespace,
    source: 'kubeconfig',
  };
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The cluster the gateway runs in: the API server from KUBERNETES_SERVICE_HOST/PORT (which a
 * proxy such as Capsule's may override), trusted with the service account's CA.
 */
export function inClusterConfig(env: Readonly<Record<string, string | undefined>>, name: string, serviceAccountDir = SERVICE_ACCOUNT_DIR): ClusterConfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const caFile = join(serviceAccountDir, 'ca.crt');
  if (!host || !existsSync(caFile)) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = join(serviceAccountDir, 'namespace');
  return {
    name,
    server: `https://${hostPart}:${port}`,
    ca: readFileSync(caFile, 'utf8'),
    insecureSkipTlsVerify: false,
    namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined,
    source: 'in-cluster',
  };
}
