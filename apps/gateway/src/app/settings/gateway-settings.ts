import { Environment, LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel, SettingError, SettingsReader } from '@cairn/server-runtime';
import { MIN_KEY_LENGTH } from '@cairn/session';
import { delimiter, join } from 'node:path';
import { AddressPolicy, AddressPolicyError } from '../clusters/address-policy';
import { ClusterConfig, clustersFromKubeconfigs, inClusterConfig, KubeconfigProblem, SERVICE_ACCOUNT_DIR } from '../clusters/kubeconfig';

/** Everything the gateway is told at start-up; read once, validated, then immutable. */
export interface GatewaySettings {
  host: string;
  port: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Where the built front ends are: `<webRoot>/shell/browser` and `<webRoot>/mfe-<x>/browser`. */
  webRoot: string;
  /** A JSON file listing remotes served elsewhere (the Helm chart's `remotes` value). */
  remotesFile?: string;
  /** The auth service; `/auth/*` and `/oidc-callback` are forwarded to it. */
  authServiceUrl: URL;
  /** Configured clusters: every usable context of KUBECONFIG, and the in-cluster one. */
  clusters: ClusterConfig[];
  /** Contexts of KUBECONFIG that cannot be used, and why: logged at start and listed with the clusters. */
  kubeconfigProblems: KubeconfigProblem[];
  /** Extra trusted CAs (PEM), added to the system roots and to each cluster's CA. */
  extraCa: string[];
  /** Skip TLS verification of every configured API server (logged as a warning at start). */
  insecureSkipTlsVerify: boolean;
  /** Session keys: the first is current, the rest still accepted. Empty: bearer headers only. */
  sessionKeys: string[];
  /** Sustained requests a second each caller may send to each cluster (burst: 4x). */
  userRequestRate: number;
  /** Where user-added clusters may point (CIDRs); undefined when the feature is off. */
  userClusterAllow?: string[];
  /** Where teams register remotes with labelled ConfigMaps; undefined when off or not in a cluster. */
  remotesConfigMaps?: { cluster: string; namespace: string };
  serviceAccountDir: string;
}

export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');

/** Every setting the gateway reads; each is also a flag (see flagsToEnvironment). */
export const GATEWAY_SETTING_NAMES = [
  'CAIRN_HOST',
  'CAIRN_PORT',
  'CAIRN_LOG_LEVEL',
  'CAIRN_LOG_FORMAT',
  'CAIRN_WEB_ROOT',
  'CAIRN_REMOTES_FILE',
  'CAIRN_AUTH_SERVICE_URL',
  'KUBECONFIG',
  'CAIRN_IN_CLUSTER',
  'CAIRN_IN_CLUSTER_CONTEXT_NAME',
  'CAIRN_SERVICE_ACCOUNT_DIR',
  'CAIRN_CA_BUNDLE',
  'CAIRN_INSECURE_SKIP_TLS_VERIFY',
  'CAIRN_SESSION_KEY',
  'CAIRN_SESSION_KEY_PREVIOUS',
  'CAIRN_USER_REQUEST_RATE',
  'CAIRN_USER_CLUSTERS',
  'CAIRN_USER_CLUSTER_ALLOW',
  'CAIRN_REMOTES_CONFIGMAPS',
  'CAIRN_REMOTES_NAMESPACE',
] as const;

export function readGatewaySettings(env: Environment, cwd: string): GatewaySettings {
  const read = new SettingsReader(env);
  const settings: GatewaySettings = {
    host: read.host('CAIRN_HOST', '127.0.0.1'),
    port: read.port('CAIRN_PORT', 4466),
    logLevel: read.oneOf('CAIRN_LOG_LEVEL', LOG_LEVELS, 'log'),
    logFormat: read.oneOf('CAIRN_LOG_FORMAT', LOG_FORMATS, 'json'),
    webRoot: read.directory('CAIRN_WEB_ROOT', 'dist/apps', cwd),
    remotesFile: read.optionalFile('CAIRN_REMOTES_FILE', cwd),
    authServiceUrl: read.url('CAIRN_AUTH_SERVICE_URL', 'http://127.0.0.1:4467'),
    ...readClusters(env, read),
    extraCa: read.caBundle('CAIRN_CA_BUNDLE', cwd),
    insecureSkipTlsVerify: read.boolean('CAIRN_INSECURE_SKIP_TLS_VERIFY', false),
    sessionKeys: read.sessionKeys('CAIRN_SESSION_KEY', 'CAIRN_SESSION_KEY_PREVIOUS', MIN_KEY_LENGTH),
    userClusterAllow: readUserClusterAllow(read),
    userRequestRate: readRate(read),
    serviceAccountDir: read.string('CAIRN_SERVICE_ACCOUNT_DIR', SERVICE_ACCOUNT_DIR),
  };
  return { ...settings, remotesConfigMaps: readRemotesConfigMaps(read, settings) };
}

function readRemotesConfigMaps(read: SettingsReader, settings: GatewaySettings): GatewaySettings['remotesConfigMaps'] {
  const enabled = read.boolean('CAIRN_REMOTES_CONFIGMAPS', true);
  const inCluster = settings.clusters.find((c) => c.source === 'in-cluster');
  if (!enabled || !inCluster) return undefined;
  const namespace = read.optionalString('CAIRN_REMOTES_NAMESPACE') ?? inCluster.namespace;
  if (!namespace) throw new SettingError('CAIRN_REMOTES_NAMESPACE', `is needed: ${join(settings.serviceAccountDir, 'namespace')} is missing, so the gateway does not know its own namespace`);
  return { cluster: inCluster.name, namespace };
}

function readRate(read: SettingsReader): number {
  const text = read.string('CAIRN_USER_REQUEST_RATE', '50');
  const rate = Number(text);
  if (!/^\d+$/.test(text) || rate < 1 || rate > 100_000) throw new SettingError('CAIRN_USER_REQUEST_RATE', `"${text}" is not a whole number of requests a second from 1 to 100000`);
  return rate;
}

function readUserClusterAllow(read: SettingsReader): string[] | undefined {
  if (!read.boolean('CAIRN_USER_CLUSTERS', true)) return undefined;
  const allow = read.string('CAIRN_USER_CLUSTER_ALLOW', '0.0.0.0/0,::/0').split(',').map((s) => s.trim()).filter(Boolean);
  try {
    new AddressPolicy(allow);
  } catch (err) {
    if (err instanceof AddressPolicyError) throw new SettingError('CAIRN_USER_CLUSTER_ALLOW', err.message);
    throw err;
  }
  return allow;
}

function readClusters(env: Environment, read: SettingsReader): { clusters: ClusterConfig[]; kubeconfigProblems: KubeconfigProblem[] } {
  const mode = read.oneOf('CAIRN_IN_CLUSTER', ['auto', 'true', 'false'] as const, 'auto');
  const inClusterName = read.string('CAIRN_IN_CLUSTER_CONTEXT_NAME', 'main');
  const saDir = read.string('CAIRN_SERVICE_ACCOUNT_DIR', SERVICE_ACCOUNT_DIR);
  const clusters: ClusterConfig[] = [];
  if (mode !== 'false') {
    const inCluster = inClusterConfig(env, inClusterName, saDir);
    if (inCluster) clusters.push(inCluster);
    else if (mode === 'true') {
      throw new SettingError('CAIRN_IN_CLUSTER', `is true, but KUBERNETES_SERVICE_HOST is unset or ${join(saDir, 'ca.crt')} is missing: is the gateway running in a pod with a service account?`);
    }
  }
  const kubeconfig = read.optionalString('KUBECONFIG');
  const problems: KubeconfigProblem[] = [];
  if (kubeconfig) {
    const found = clustersFromKubeconfigs(kubeconfig.split(delimiter).filter(Boolean));
    problems.push(...found.problems);
    for (const cluster of found.clusters) {
      if (clusters.some((c) => c.name === cluster.name)) {
        throw new SettingError('KUBECONFIG', `context "${cluster.name}" has the in-cluster context's name; rename one (CAIRN_IN_CLUSTER_CONTEXT_NAME)`);
      }
      clusters.push(cluster);
    }
  }
  return { clusters, kubeconfigProblems: problems };
}

