import type { Cluster, Context } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The clusters the gateway is configured with. Only where a cluster is and how to trust it
 * are taken from a kubeconfig: a user's request always carries the user's own credentials,
 * never the kubeconfig's users; the one exception is a context reached by impersonation
 * (CAIRN_IMPERSONATE_CLUSTERS), whose user's token is the gateway's own identity there.
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
  /**
   * Set for a cluster reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS): the gateway's own
   * bearer token for it, sent with `Impersonate-User`/`Impersonate-Group` for signed-in OIDC
   * users only. `token`: the context's user's token (client-node reads a `token-file` once, at
   * start); `tokenFile`: the in-cluster ServiceAccount's projected token, read again on every
   * request since the kubelet rotates it.
   */
  impersonation?: { token: string } | { tokenFile: string };
}

/** A context of KUBECONFIG the console cannot use, and why (a whole file when it is not YAML). */
export interface KubeconfigProblem {
  /** The context's name, or the file's path when the file itself cannot be read. */
  name: string;
  message: string;
}

/** Why a cluster cannot be used: the message names the cluster, its file and the reason. */
export class KubeconfigError extends Error {}

/**
 * Reads the kubeconfig files of `KUBECONFIG`, in order, and lists every usable context as a
 * cluster of the console.
 *
 * Each file is read by `@kubernetes/client-node` (`KubeConfig.loadFromFile`: its YAML reader,
 * its entry rules, and `certificate-authority` paths made absolute against the file's
 * directory), in a child process that ends once it has read them. The files are then merged with kubectl's rule rather than client-node's
 * `mergeConfig` (which throws on a name defined twice): in client-go's loader
 * (`k8s.io/client-go/tools/clientcmd/loader.go`, `ClientConfigLoadingRules.Load`) the first
 * file to set a map key wins, so a cluster or context defined again in a later file is ignored.
 * A file of `KUBECONFIG` that does not exist is skipped, as kubectl does; an empty one holds
 * nothing. The kubeconfig's `current-context` is not used, nor are its users, but for the
 * token of the user of each context in `impersonated` (missing: that context is a problem).
 *
 * A context is unusable, and reported in `problems` with its name and the reason, when its
 * cluster is not defined by any file (client-node leaves out a cluster without a server, so
 * such a cluster counts as undefined), when the server is not an https URL, when the
 * `certificate-authority` file is missing, or when both it and `certificate-authority-data`
 * are set. A file that kubectl refuses as a whole (not YAML, YAML that is not a mapping, a
 * name defined twice within the file), or that cannot be read, is reported under its path.
 * Everything else still works: nothing here throws for bad content.
 */
export function clustersFromKubeconfigs(paths: string[], impersonated: readonly string[] = []): { clusters: ClusterConfig[]; problems: KubeconfigProblem[] } {
  const problems: KubeconfigProblem[] = [];
  const clusters = new Map<string, { cluster: Cluster; file: string }>();
  const contexts = new Map<string, { context: Context; file: string }>();
  const tokens = new Map<string, string | null>();
  const files = paths.filter((file) => existsSync(file)); // kubectl ignores missing files in KUBECONFIG too
  const readings = readWithClientNode(files, impersonated);
  files.forEach((file, i) => {
    const reading = usableReading(file, readings[i], problems);
    for (const cluster of reading?.clusters ?? []) if (!clusters.has(cluster.name)) clusters.set(cluster.name, { cluster, file });
    for (const context of reading?.contexts ?? []) if (!contexts.has(context.name)) contexts.set(context.name, { context, file });
    for (const user of reading?.users ?? []) if (!tokens.has(user)) tokens.set(user, reading?.tokens?.[user] ?? null);
  });
  const result: ClusterConfig[] = [];
  for (const [name, { context, file }] of contexts) {
    const entry = clusters.get(context.cluster);
    try {
      if (!entry) throw new KubeconfigError(`context "${name}" in ${file} names cluster "${context.cluster}", which no kubeconfig file defines with a server`);
      const config = toClusterConfig(name, entry.cluster, entry.file, context.namespace, 'kubeconfig');
      if (impersonated.includes(name)) {
        const token = tokens.get(context.user);
        if (!token) {
          throw new KubeconfigError(
            `context "${name}" in ${file} is to be reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS), but its user "${context.user}" has no token (or token-file): the gateway impersonates with a bearer token of its own only`,
          );
        }
        config.impersonation = { token };
      }
      result.push(config);
    } catch (err) {
      if (!(err instanceof KubeconfigError)) throw err;
      problems.push({ name, message: err.message });
    }
  }
  return { clusters: result, problems };
}

/** What client-node read from one file: plain data (users by name only), or the error it threw. */
type FileReading = { clusters: Cluster[]; contexts: Context[]; users: string[]; tokens?: Record<string, string> } | { error: { name: string; message: string } };

/**
 * Runs in a child Node process: reads each file with client-node's `KubeConfig.loadFromFile`
 * ('filter': an entry client-node cannot read is left out instead of failing the whole file)
 * and prints what it read as JSON. Users are parsed by client-node (it even reads a user's
 * token-file), but only their names leave the child, and the bearer token of the users of the
 * contexts in `impersonated` (CAIRN_IMPERSONATE_CLUSTERS): the gateway's own credential there.
 */
const READ_WITH_CLIENT_NODE = `
const { files, from, impersonated } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const { KubeConfig } = require('node:module').createRequire(from)('@kubernetes/client-node');
const configs = files.map((file) => {
  const config = new KubeConfig();
  try {
    config.loadFromFile(file, { onInvalidEntry: 'filter' });
  } catch (err) {
    return { error: { name: String(err && err.name), message: String(err && err.message) } };
  }
  return config;
});
// Users of the impersonated contexts, wherever those contexts are defined.
const wanted = new Set(configs.flatMap((c) => (c.error ? [] : c.getContexts().filter((x) => impersonated.includes(x.name)).map((x) => x.user))));
process.stdout.write(JSON.stringify(configs.map((config) => {
  if (config.error) return config;
  const tokens = Object.fromEntries(config.getUsers().filter((u) => wanted.has(u.name) && u.token).map((u) => [u.name, u.token]));
  return { clusters: config.getClusters(), contexts: config.getContexts(), users: config.getUsers().map((u) => u.name), tokens };
})));
`;

/**
 * client-node's reading of `files`, done in a short-lived child process. Loading client-node
 * costs a process about 50 MiB for as long as it runs (its `KubeConfig` module brings the
 * whole generated API along: the built gateway, idle, measured 123–126 MiB RSS without it and
 * 171–173 MiB with it; the all-in-one console's idle charge in its 128 MiB cgroup went from 49
 * to 83 MiB), so the gateway never loads it itself. Start-up takes about half a second longer
 * when KUBECONFIG is set. Throws KubeconfigError when the child fails (client-node missing).
 */
function readWithClientNode(files: string[], impersonated: readonly string[]): FileReading[] {
  if (files.length === 0) return [];
  // Resolved from where the running program lives (dist/apps/gateway/main.js, /app/main.js).
  const from = process.argv[1] ?? join(process.cwd(), 'main.js');
  try {
    const output = execFileSync(process.execPath, ['-e', READ_WITH_CLIENT_NODE], { input: JSON.stringify({ files, from, impersonated }), encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024, stdio: 'pipe' });
    return JSON.parse(output) as FileReading[];
  } catch (err) {
    // Node prints the source line and a caret first; the line that says what went wrong names an Error.
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').split('\n');
    const reason = stderr.find((line) => /^\w*Error\b/.test(line)) ?? (err as Error).message.split('\n')[0];
    throw new KubeconfigError(`@kubernetes/client-node could not read the files (${reason})`);
  }
}

/**
 * One file as client-node read it; undefined when it holds nothing Cairn can use, with a
 * problem wherever kubectl would refuse the file too (`kubectl config view` names the file and stops).
 */
function usableReading(file: string, reading: FileReading, problems: KubeconfigProblem[]): Exclude<FileReading, { error: unknown }> | undefined {
  const refuse = (why: string) => {
    problems.push({ name: file, message: `${file} ${why}` });
    return undefined;
  };
  if ('error' in reading) {
    const { name, message } = reading.error;
    const firstLine = message.split('\n')[0];
    // kubectl reads an empty file (js-yaml: "the input is empty") or a null document (client-node
    // then reads `.clusters` of null) as an empty kubeconfig.
    if (name === 'YAMLException') return isBlank(file) ? undefined : refuse(`is not valid YAML: ${firstLine}`);
    if (name === 'TypeError' && yamlDocument(file) === null) return undefined;
    return refuse(`cannot be read: ${firstLine}`);
  }
  if (reading.clusters.length === 0 && reading.contexts.length === 0 && !isMappingOrNull(yamlDocument(file))) {
    // client-node reads a list or a string as an empty kubeconfig; kubectl refuses the file.
    return refuse('is not a kubeconfig: its YAML is not a mapping');
  }
  // Within one file a name defined twice is an error to kubectl (client-go's conversion of the
  // v1 lists: "duplicate name in list"); the first-wins rule is only across files.
  const names = { cluster: reading.clusters.map((c) => c.name), context: reading.contexts.map((c) => c.name), user: reading.users };
  for (const [kind, list] of Object.entries(names)) {
    const twice = list.find((n, i) => list.indexOf(n) !== i);
    if (twice !== undefined) return refuse(`defines ${kind} "${twice}" twice; kubectl refuses this file too`);
  }
  return reading;
}

/** No YAML document at all (empty, or only comments): kubectl reads such a file as an empty kubeconfig. */
function isBlank(file: string): boolean {
  return readFileSync(file, 'utf8')
    .split('\n')
    .every((line) => /^\s*(#.*)?$/.test(line));
}

/** The file's YAML as plain data, for the rare questions client-node does not answer; undefined when this reader fails. */
function yamlDocument(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'), { uniqueKeys: false });
  } catch {
    return undefined;
  }
}

function isMappingOrNull(document: unknown): boolean {
  // undefined: the second reader failed where client-node did not; client-node's reading stands.
  return document === null || document === undefined || (typeof document === 'object' && !Array.isArray(document));
}

function toClusterConfig(name: string, cluster: Cluster, file: string, namespace: string | undefined, source: ClusterConfig['source']): ClusterConfig {
  const where = `cluster "${cluster.name}" in ${file}`;
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new KubeconfigError(`${where}: server "${cluster.server}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new KubeconfigError(`${where}: server "${cluster.server}" must use https`);
  return {
    name,
    server: cluster.server.replace(/\/+$/, ''),
    ca: clusterCa(cluster, where),
    insecureSkipTlsVerify: cluster.skipTLSVerify,
    tlsServerName: cluster.tlsServerName,
    namespace,
    source,
  };
}

/**
 * The cluster's CA as PEM, from `certificate-authority-data` or the `certificate-authority`
 * file. Both at once is refused, as kubectl refuses to use such a context (client-go's
 * `validateClusterInfo`: "certificate-authority-data and certificate-authority are both
 * specified").
 */
function clusterCa(cluster: Cluster, where: string): string | undefined {
  if (cluster.caData && cluster.caFile) throw new KubeconfigError(`${where}: certificate-authority-data and certificate-authority are both set; kubectl refuses this too`);
  if (cluster.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (!cluster.caFile) return undefined;
  if (!existsSync(cluster.caFile)) throw new KubeconfigError(`${where}: certificate-authority ${cluster.caFile} does not exist`);
  return readFileSync(cluster.caFile, 'utf8');
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The cluster the gateway runs in: the API server from KUBERNETES_SERVICE_HOST/PORT (which a
 * proxy such as Capsule's may override; the port defaults to 443), always over https as in
 * client-go's `rest.InClusterConfig`, trusted with the service account's `ca.crt`, with the
 * service account's `namespace`. Undefined when the host is unset or `ca.crt` is missing;
 * throws KubeconfigError when host and port make no URL.
 *
 * Not client-node's `loadFromCluster`: it reads `process.env` rather than the settings'
 * environment, only finds the files at the fixed path below a prefix (so `serviceAccountDir`
 * cannot move them), and picks plain http for ports 80, 8080 and 8001.
 */
export function inClusterConfig(env: Readonly<Record<string, string | undefined>>, name: string, serviceAccountDir = SERVICE_ACCOUNT_DIR): ClusterConfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const caFile = join(serviceAccountDir, 'ca.crt');
  if (!host || !existsSync(caFile)) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = join(serviceAccountDir, 'namespace');
  const cluster: Cluster = { name, server: `https://${hostPart}:${port}`, caFile, skipTLSVerify: false };
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return toClusterConfig(name, cluster, serviceAccountDir, namespace, 'in-cluster');
}
