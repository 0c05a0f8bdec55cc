import { Environment, LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel, SettingError, SettingsReader } from '@cairn/server-runtime';
import { cookieNames, MIN_KEY_LENGTH } from '@cairn/session';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { delimiter, join } from 'node:path';
import type { AccessHelp } from '@cairn/api-contracts';
import { ClaimMapping, DEFAULT_CLAIM_MAPPING } from '@cairn/kube-model';
import { AddressPolicy, AddressPolicyError } from '../clusters/address-policy';
import { ClusterConfig, clustersFromKubeconfigs, inClusterConfig, KubeconfigError, KubeconfigProblem, SERVICE_ACCOUNT_DIR } from '../clusters/kubeconfig';
import { NamespaceDiscoverySettings, readNamespaceDiscovery } from '../my-namespaces/discovery-settings';

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
  /**
   * Send watches and followed logs to configured API servers over HTTP/2 where they offer it
   * (kube/http2-pool.ts): every caller's on a few shared connections (CAIRN_UPSTREAM_HTTP2,
   * default true). false: over HTTP/1.1 like every other request, a TLS connection per stream
   * held (about 200 KiB of native memory each).
   */
  upstreamHttp2: boolean;
  /** Session keys: the first is current, the rest still accepted. Empty: bearer headers only. */
  sessionKeys: string[];
  /**
   * The session cookie's name, as the auth service writes it: `__Host-cairn_session` when the
   * console is served at `/` over HTTPS (CAIRN_PUBLIC_URL, the same value the auth service
   * gets), else `cairn_session`.
   */
  sessionCookie?: string;
  /** Sustained requests a second each caller may send to each cluster (burst: 4x). */
  userRequestRate: number;
  /** Where user-added clusters may point (CIDRs); undefined when the feature is off. */
  userClusterAllow?: string[];
  /**
   * The console's own networks (CIDRs), refused to user-added clusters unless an allowlist
   * entry lies inside one: CAIRN_USER_CLUSTER_DENY (the cluster's service and pod ranges),
   * this host's interface addresses and the in-cluster API server's address. Loopback is
   * always among them (address-policy.ts).
   */
  userClusterDeny: string[];
  /**
   * Whether anonymous callers may use user-added clusters and parse kubeconfigs on a console
   * that has a sign-in (CAIRN_ANONYMOUS_USER_CLUSTERS). Only for a console with no sign-in at
   * all (seed 000 on a trusted network); warned at start.
   */
  anonymousUserClusters: boolean;
  /** Per-source requests a second for callers not yet verified (junk bearers, no credential), burst 4x. */
  sourceRequestRate: number;
  limits: GatewayLimits;
  /** Where teams register remotes with labelled ConfigMaps; undefined when off or not in a cluster. */
  remotesConfigMaps?: { cluster: string; namespace: string };
  /**
   * Origins (`https://team.example.com`) ConfigMap remotes may be loaded from
   * (CAIRN_REMOTES_ALLOWED_ORIGINS); empty: none. `http:` only for a loopback host.
   */
  remotesAllowedOrigins: string[];
  serviceAccountDir: string;
  /**
   * CAIRN_READ_ONLY: the administrator's read-only console. No write is offered in the UI and
   * every write route answers 403 with READ_ONLY_REASON, whatever the caller's RBAC (edge/read-only.ts).
   */
  readOnly?: boolean;
  /** CAIRN_ACCESS_HELP and CAIRN_ACCESS_HELP_URL: whom to ask for access, shown with every refusal. */
  accessHelp?: AccessHelp;
  /**
   * How a signed-in user's verified ID token maps to the user and groups the gateway
   * impersonates on the clusters of CAIRN_IMPERSONATE_CLUSTERS (those carry
   * `ClusterConfig.impersonation`): CAIRN_IMPERSONATE_USERNAME_CLAIM/_PREFIX and
   * CAIRN_IMPERSONATE_GROUPS_CLAIM/_PREFIX, as the API server's claimMappings.
   */
  claimMapping?: ClaimMapping;
  /** CAIRN_NAMESPACE_DISCOVERY…: how people who may not list namespaces find theirs; undefined when off. */
  namespaceDiscovery?: NamespaceDiscoverySettings;
}

/**
 * Every bound the gateway keeps, read from CAIRN_MAX_* settings. Crossing one is a 413 (a
 * size) or 429 (a count) whose message names the bound, or an ERROR event on a stream.
 */
export interface GatewayLimits {
  /** Request body, bytes (CAIRN_MAX_BODY_BYTES, default 2 MiB). */
  bodyBytes: number;
  /** Contexts in a pasted kubeconfig (CAIRN_MAX_KUBECONFIG_CONTEXTS, default 100). */
  kubeconfigContexts: number;
  /** One token, certificate, key or CA of a kubeconfig or X-Cairn-Cluster entry, bytes (CAIRN_MAX_KUBECONFIG_FIELD_BYTES, default 64 KiB). */
  kubeconfigFieldBytes: number;
  /** The check-kubeconfig reply, bytes (CAIRN_MAX_CHECK_REPLY_BYTES, default 2 MiB). */
  checkReplyBytes: number;
  /** An apply's YAML with every alias expanded, bytes (CAIRN_MAX_MANIFEST_BYTES, default 4 MiB). */
  manifestBytes: number;
  /** Aliases in one apply's YAML (CAIRN_MAX_YAML_ALIASES, default 100). */
  yamlAliases: number;
  /** One line of an upstream stream (watch event, log line), bytes (CAIRN_MAX_LINE_BYTES, default 4 MiB). */
  lineBytes: number;
  /** Event text kept per upstream watch for replay, bytes (CAIRN_MAX_REPLAY_BYTES, default 1 MiB). */
  replayBytes: number;
  /** Event text kept for replay by all upstream watches together, bytes (CAIRN_MAX_REPLAY_TOTAL_BYTES, default 8 MiB): each watch keeps at most its share. */
  replayTotalBytes: number;
  /** Bytes waiting to be sent to one browser tab's watch stream before it is told to reconnect (CAIRN_MAX_STREAM_BUFFER_BYTES, default 1 MiB). */
  streamBufferBytes: number;
  /**
   * What one watch or followed log to a configured API server, over HTTP/2, may have received
   * and not yet been read, bytes (CAIRN_MAX_UPSTREAM_WATCH_WINDOW_BYTES, default 64 KiB,
   * HTTP/2's own default): its flow-control window (RFC 9113 §6.9, kube/http2-pool.ts), held in
   * the gateway where over HTTP/1.1 the kernel's socket buffer held it. Small events on streams
   * paused for long by slow tabs: 100 stalled watches hold at most 6.4 MiB. A stream moves at
   * most one window per round trip to the API server and back through the gateway's event loop.
   */
  upstreamWatchWindowBytes: number;
  /** An upstream body the gateway reads whole (a get, a list of Secrets, discovery, an OpenAPI document), bytes (CAIRN_MAX_UPSTREAM_BODY_BYTES, default 32 MiB). */
  upstreamBodyBytes: number;
  /** Open watch streams (browser tabs) per identity (CAIRN_MAX_STREAMS_PER_USER, default 20). */
  streamsPerUser: number;
  /** Upstream watches per identity (CAIRN_MAX_WATCHES_PER_USER, default 200). */
  watchesPerUser: number;
  /** Followed logs per identity, each pod's container counting once (CAIRN_MAX_FOLLOWED_LOGS_PER_USER, default 40). */
  followedLogsPerUser: number;
  /** Containers one merged log follows (CAIRN_MAX_MERGED_LOG_STREAMS, default 40). */
  mergedLogStreams: number;
  /** Open terminals (exec sessions) per identity (CAIRN_MAX_EXEC_SESSIONS_PER_USER, default 4). */
  execSessionsPerUser: number;
  /** A terminal with nothing typed and nothing printed for this long is closed (CAIRN_EXEC_IDLE_SECONDS, default 600). */
  execIdleSeconds: number;
  /** Output of one terminal waiting for the browser; past it the process's output is paused (CAIRN_MAX_EXEC_BUFFER_BYTES, default 256 KiB). */
  execBufferBytes: number;
  /** Objects one global search sends, all clusters and kinds together (CAIRN_SEARCH_MAX_RESULTS, default 500). */
  searchResults: number;
  /** Pages of one kind's list one search reads (CAIRN_SEARCH_MAX_PAGES, default 4). */
  searchPages: number;
  /** Objects asked for per page of a search's lists (CAIRN_SEARCH_PAGE_SIZE, default 500). */
  searchPageSize: number;
  /** Upstream lists one search has in flight at once (CAIRN_SEARCH_CONCURRENCY, default 6). */
  searchConcurrency: number;
  /** Seconds one search may take before it stops, saying so (CAIRN_SEARCH_DEADLINE_SECONDS, default 15). */
  searchDeadlineSeconds: number;
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
  'CAIRN_UPSTREAM_HTTP2',
  'CAIRN_SESSION_KEY',
  'CAIRN_SESSION_KEY_PREVIOUS',
  'CAIRN_USER_REQUEST_RATE',
  'CAIRN_USER_CLUSTERS',
  'CAIRN_USER_CLUSTER_ALLOW',
  'CAIRN_USER_CLUSTER_DENY',
  'CAIRN_ANONYMOUS_USER_CLUSTERS',
  'CAIRN_SOURCE_REQUEST_RATE',
  'CAIRN_MAX_BODY_BYTES',
  'CAIRN_MAX_KUBECONFIG_CONTEXTS',
  'CAIRN_MAX_KUBECONFIG_FIELD_BYTES',
  'CAIRN_MAX_CHECK_REPLY_BYTES',
  'CAIRN_MAX_MANIFEST_BYTES',
  'CAIRN_MAX_YAML_ALIASES',
  'CAIRN_MAX_LINE_BYTES',
  'CAIRN_MAX_REPLAY_BYTES',
  'CAIRN_MAX_REPLAY_TOTAL_BYTES',
  'CAIRN_MAX_STREAM_BUFFER_BYTES',
  'CAIRN_MAX_UPSTREAM_WATCH_WINDOW_BYTES',
  'CAIRN_MAX_UPSTREAM_BODY_BYTES',
  'CAIRN_MAX_STREAMS_PER_USER',
  'CAIRN_MAX_WATCHES_PER_USER',
  'CAIRN_MAX_FOLLOWED_LOGS_PER_USER',
  'CAIRN_MAX_MERGED_LOG_STREAMS',
  'CAIRN_MAX_EXEC_SESSIONS_PER_USER',
  'CAIRN_EXEC_IDLE_SECONDS',
  'CAIRN_MAX_EXEC_BUFFER_BYTES',
  'CAIRN_SEARCH_MAX_RESULTS',
  'CAIRN_SEARCH_MAX_PAGES',
  'CAIRN_SEARCH_PAGE_SIZE',
  'CAIRN_SEARCH_CONCURRENCY',
  'CAIRN_SEARCH_DEADLINE_SECONDS',
  'CAIRN_REMOTES_CONFIGMAPS',
  'CAIRN_REMOTES_NAMESPACE',
  'CAIRN_REMOTES_ALLOWED_ORIGINS',
  'CAIRN_PUBLIC_URL',
  'CAIRN_INSECURE_COOKIES',
  'CAIRN_READ_ONLY',
  'CAIRN_ACCESS_HELP',
  'CAIRN_ACCESS_HELP_URL',
  'CAIRN_IMPERSONATE_CLUSTERS',
  'CAIRN_IMPERSONATE_USERNAME_CLAIM',
  'CAIRN_IMPERSONATE_USERNAME_PREFIX',
  'CAIRN_IMPERSONATE_GROUPS_CLAIM',
  'CAIRN_IMPERSONATE_GROUPS_PREFIX',
  'CAIRN_NAMESPACE_DISCOVERY',
  'CAIRN_NAMESPACE_DISCOVERY_LABEL',
  'CAIRN_NAMESPACE_DISCOVERY_GROUPS',
  'CAIRN_NAMESPACE_DISCOVERY_CLUSTERS',
  'CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES',
  'CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS',
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
    upstreamHttp2: read.boolean('CAIRN_UPSTREAM_HTTP2', true),
    sessionKeys: read.sessionKeys('CAIRN_SESSION_KEY', 'CAIRN_SESSION_KEY_PREVIOUS', MIN_KEY_LENGTH),
    userClusterAllow: readUserClusterAllow(read),
    userClusterDeny: readUserClusterDeny(env, read),
    anonymousUserClusters: read.boolean('CAIRN_ANONYMOUS_USER_CLUSTERS', false),
    userRequestRate: readRate(read),
    sourceRequestRate: read.count('CAIRN_SOURCE_REQUEST_RATE', 50, 1, 100_000),
    limits: readLimits(read),
    remotesAllowedOrigins: readAllowedOrigins(read),
    sessionCookie: readSessionCookie(read),
    serviceAccountDir: read.string('CAIRN_SERVICE_ACCOUNT_DIR', SERVICE_ACCOUNT_DIR),
    readOnly: read.boolean('CAIRN_READ_ONLY', false),
    accessHelp: readAccessHelp(read),
    claimMapping: readClaimMapping(read),
  };
  return { ...settings, remotesConfigMaps: readRemotesConfigMaps(read, settings), namespaceDiscovery: readNamespaceDiscovery(read, settings.clusters, settings.serviceAccountDir) };
}

function readRemotesConfigMaps(read: SettingsReader, settings: GatewaySettings): GatewaySettings['remotesConfigMaps'] {
  const enabled = read.boolean('CAIRN_REMOTES_CONFIGMAPS', true);
  const inCluster = settings.clusters.find((c) => c.source === 'in-cluster');
  if (!enabled || !inCluster) return undefined;
  const namespace = read.optionalString('CAIRN_REMOTES_NAMESPACE') ?? inCluster.namespace;
  if (!namespace) throw new SettingError('CAIRN_REMOTES_NAMESPACE', `is needed: ${join(settings.serviceAccountDir, 'namespace')} is missing, so the gateway does not know its own namespace`);
  return { cluster: inCluster.name, namespace };
}

/** At most this many characters of CAIRN_ACCESS_HELP: one line under a refusal, not a page. */
export const MAX_ACCESS_HELP_CHARS = 500;

function readAccessHelp(read: SettingsReader): AccessHelp | undefined {
  const text = read.optionalString('CAIRN_ACCESS_HELP')?.trim();
  const link = read.optionalString('CAIRN_ACCESS_HELP_URL')?.trim();
  if (!text) {
    if (link) throw new SettingError('CAIRN_ACCESS_HELP_URL', 'needs CAIRN_ACCESS_HELP, the text shown with it (e.g. "Ask the platform team")');
    return undefined;
  }
  if (text.length > MAX_ACCESS_HELP_CHARS) throw new SettingError('CAIRN_ACCESS_HELP', `is ${text.length} characters; at most ${MAX_ACCESS_HELP_CHARS} (one line under each refusal: link to a longer page with CAIRN_ACCESS_HELP_URL)`);
  if (!link) return { text };
  let url: URL | undefined;
  try {
    url = new URL(link);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'mailto:'].includes(url.protocol) || link.length > 2048) {
    throw new SettingError('CAIRN_ACCESS_HELP_URL', `"${link.slice(0, 100)}" is not an https: or mailto: link of at most 2048 characters`);
  }
  return { text, link: url.href };
}

function readRate(read: SettingsReader): number {
  const text = read.string('CAIRN_USER_REQUEST_RATE', '50');
  const rate = Number(text);
  if (!/^\d+$/.test(text) || rate < 1 || rate > 100_000) throw new SettingError('CAIRN_USER_REQUEST_RATE', `"${text}" is not a whole number of requests a second from 1 to 100000`);
  return rate;
}

function readSessionCookie(read: SettingsReader): string {
  const publicUrl = read.url('CAIRN_PUBLIC_URL', 'http://localhost:4466');
  const path = publicUrl.pathname === '/' ? '/' : publicUrl.pathname.replace(/\/$/, '');
  return cookieNames({ secure: publicUrl.protocol === 'https:' && !read.boolean('CAIRN_INSECURE_COOKIES', false), path }).session;
}

function readAllowedOrigins(read: SettingsReader): string[] {
  const listed = read.string('CAIRN_REMOTES_ALLOWED_ORIGINS', '').split(',').map((s) => s.trim()).filter(Boolean);
  return listed.map((origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new SettingError('CAIRN_REMOTES_ALLOWED_ORIGINS', `"${origin}" is not an origin such as https://team.example.com`);
    }
    if (url.origin !== origin.replace(/\/$/, '')) throw new SettingError('CAIRN_REMOTES_ALLOWED_ORIGINS', `"${origin}" is not an origin (scheme, host and port only), e.g. ${url.origin}`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname))) {
      throw new SettingError('CAIRN_REMOTES_ALLOWED_ORIGINS', `"${origin}" must use https (plain http only on a loopback host, for development)`);
    }
    return url.origin;
  });
}

const KiB = 1024;
const MiB = 1024 * KiB;

function readLimits(read: SettingsReader): GatewayLimits {
  return {
    bodyBytes: read.bytes('CAIRN_MAX_BODY_BYTES', 2 * MiB, KiB, 64 * MiB),
    kubeconfigContexts: read.count('CAIRN_MAX_KUBECONFIG_CONTEXTS', 100, 1, 10_000),
    kubeconfigFieldBytes: read.bytes('CAIRN_MAX_KUBECONFIG_FIELD_BYTES', 64 * KiB, KiB, 16 * MiB),
    checkReplyBytes: read.bytes('CAIRN_MAX_CHECK_REPLY_BYTES', 2 * MiB, KiB, 256 * MiB),
    manifestBytes: read.bytes('CAIRN_MAX_MANIFEST_BYTES', 4 * MiB, KiB, 256 * MiB),
    yamlAliases: read.count('CAIRN_MAX_YAML_ALIASES', 100, 0, 100_000),
    lineBytes: read.bytes('CAIRN_MAX_LINE_BYTES', 4 * MiB, KiB, 256 * MiB),
    replayBytes: read.bytes('CAIRN_MAX_REPLAY_BYTES', 1 * MiB, KiB, 1024 * MiB),
    replayTotalBytes: read.bytes('CAIRN_MAX_REPLAY_TOTAL_BYTES', 8 * MiB, 64 * KiB, 4096 * MiB),
    streamBufferBytes: read.bytes('CAIRN_MAX_STREAM_BUFFER_BYTES', 1 * MiB, 64 * KiB, 1024 * MiB),
    upstreamWatchWindowBytes: read.bytes('CAIRN_MAX_UPSTREAM_WATCH_WINDOW_BYTES', 64 * KiB, 16 * KiB, 16 * MiB),
    upstreamBodyBytes: read.bytes('CAIRN_MAX_UPSTREAM_BODY_BYTES', 32 * MiB, KiB, 1024 * MiB),
    streamsPerUser: read.count('CAIRN_MAX_STREAMS_PER_USER', 20, 1, 10_000),
    watchesPerUser: read.count('CAIRN_MAX_WATCHES_PER_USER', 200, 1, 100_000),
    followedLogsPerUser: read.count('CAIRN_MAX_FOLLOWED_LOGS_PER_USER', 40, 1, 10_000),
    mergedLogStreams: read.count('CAIRN_MAX_MERGED_LOG_STREAMS', 40, 1, 10_000),
    execSessionsPerUser: read.count('CAIRN_MAX_EXEC_SESSIONS_PER_USER', 4, 1, 1_000),
    execIdleSeconds: read.count('CAIRN_EXEC_IDLE_SECONDS', 600, 1, 7 * 24 * 3600),
    execBufferBytes: read.bytes('CAIRN_MAX_EXEC_BUFFER_BYTES', 256 * KiB, KiB, 64 * MiB),
    searchResults: read.count('CAIRN_SEARCH_MAX_RESULTS', 500, 1, 10_000),
    searchPages: read.count('CAIRN_SEARCH_MAX_PAGES', 4, 1, 100),
    searchPageSize: read.count('CAIRN_SEARCH_PAGE_SIZE', 500, 1, 5_000),
    searchConcurrency: read.count('CAIRN_SEARCH_CONCURRENCY', 6, 1, 64),
    searchDeadlineSeconds: read.count('CAIRN_SEARCH_DEADLINE_SECONDS', 15, 1, 300),
  };
}

/**
 * The console's own networks that user-added clusters may not reach unless allowed:
 * CAIRN_USER_CLUSTER_DENY, plus what this process can know by itself: its interface
 * addresses (the pod's IP) and the in-cluster API server's address (KUBERNETES_SERVICE_HOST).
 */
/** Every bound at its default (what an unset CAIRN_MAX_* means). */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = readLimits(new SettingsReader({}));

function readUserClusterDeny(env: Environment, read: SettingsReader): string[] {
  const listed = read.string('CAIRN_USER_CLUSTER_DENY', '').split(',').map((s) => s.trim()).filter(Boolean);
  try {
    new AddressPolicy([], { internal: listed });
  } catch (err) {
    if (err instanceof AddressPolicyError) throw new SettingError('CAIRN_USER_CLUSTER_DENY', err.message);
    throw err;
  }
  const own = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && !i.address.includes('%'))
    .map((i) => i?.address as string);
  const serviceHost = env['KUBERNETES_SERVICE_HOST']?.trim();
  const apiServer = serviceHost && isIP(serviceHost) ? [serviceHost] : [];
  return [...new Set([...listed, ...own, ...apiServer])];
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

/**
 * CAIRN_IMPERSONATE_*_CLAIM and _PREFIX: the claim mapping of the clusters reached by
 * impersonation, as the API server's `claimMappings` (kube-model `userFromClaims`).
 */
function readClaimMapping(read: SettingsReader): ClaimMapping {
  const claim = (name: string, fallback: string) => {
    const value = read.string(name, fallback).trim();
    if (!/^[A-Za-z0-9_.:/-]{1,256}$/.test(value)) throw new SettingError(name, `"${value.slice(0, 100)}" is not a claim name (letters, digits and _ . : / -)`);
    return value;
  };
  const prefix = (name: string) => {
    const value = read.string(name, '');
    if (!/^[\x21-\x7e]{0,256}$/.test(value)) throw new SettingError(name, 'must be printable ASCII without spaces, at most 256 characters (it is sent in an HTTP header)');
    if (value.startsWith('system:')) throw new SettingError(name, `"${value}" starts with system:, which Kubernetes reserves for its own users and groups`);
    return value;
  };
  return {
    usernameClaim: claim('CAIRN_IMPERSONATE_USERNAME_CLAIM', DEFAULT_CLAIM_MAPPING.usernameClaim),
    usernamePrefix: prefix('CAIRN_IMPERSONATE_USERNAME_PREFIX'),
    groupsClaim: claim('CAIRN_IMPERSONATE_GROUPS_CLAIM', DEFAULT_CLAIM_MAPPING.groupsClaim),
    groupsPrefix: prefix('CAIRN_IMPERSONATE_GROUPS_PREFIX'),
  };
}

function readClusters(env: Environment, read: SettingsReader): { clusters: ClusterConfig[]; kubeconfigProblems: KubeconfigProblem[] } {
  const mode = read.oneOf('CAIRN_IN_CLUSTER', ['auto', 'true', 'false'] as const, 'auto');
  const inClusterName = read.string('CAIRN_IN_CLUSTER_CONTEXT_NAME', 'main');
  const saDir = read.string('CAIRN_SERVICE_ACCOUNT_DIR', SERVICE_ACCOUNT_DIR);
  const impersonated = [...new Set(read.string('CAIRN_IMPERSONATE_CLUSTERS', '').split(',').map((s) => s.trim()).filter(Boolean))];
  const clusters: ClusterConfig[] = [];
  if (mode !== 'false') {
    const inCluster = readInCluster(env, inClusterName, saDir);
    if (inCluster && impersonated.includes(inCluster.name)) inCluster.impersonation = { tokenFile: join(saDir, 'token') };
    if (inCluster) clusters.push(inCluster);
    else if (mode === 'true') {
      throw new SettingError('CAIRN_IN_CLUSTER', `is true, but KUBERNETES_SERVICE_HOST is unset or ${join(saDir, 'ca.crt')} is missing: is the gateway running in a pod with a service account?`);
    }
  }
  const kubeconfig = read.optionalString('KUBECONFIG');
  const problems: KubeconfigProblem[] = [];
  if (kubeconfig) {
    const found = readKubeconfigs(kubeconfig.split(delimiter).filter(Boolean), impersonated);
    const refused = found.problems.find((p) => impersonated.includes(p.name));
    // A cluster the administrator asked to impersonate on must work as asked, not be left out quietly.
    if (refused) throw new SettingError('CAIRN_IMPERSONATE_CLUSTERS', refused.message);
    problems.push(...found.problems);
    for (const cluster of found.clusters) {
      if (clusters.some((c) => c.name === cluster.name)) {
        throw new SettingError('KUBECONFIG', `context "${cluster.name}" has the in-cluster context's name; rename one (CAIRN_IN_CLUSTER_CONTEXT_NAME)`);
      }
      clusters.push(cluster);
    }
  }
  const unknown = impersonated.filter((name) => !clusters.some((c) => c.name === name));
  if (unknown.length) {
    throw new SettingError('CAIRN_IMPERSONATE_CLUSTERS', `names ${unknown.map((n) => `"${n}"`).join(', ')}, which no KUBECONFIG context or in-cluster context (CAIRN_IN_CLUSTER_CONTEXT_NAME) is; the configured clusters are ${clusters.map((c) => c.name).join(', ') || 'none'}`);
  }
  return { clusters, kubeconfigProblems: problems };
}

function readInCluster(env: Environment, name: string, saDir: string): ClusterConfig | undefined {
  try {
    return inClusterConfig(env, name, saDir);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new SettingError('KUBERNETES_SERVICE_HOST', err.message);
    throw err;
  }
}

function readKubeconfigs(paths: string[], impersonated: string[]): ReturnType<typeof clustersFromKubeconfigs> {
  try {
    return clustersFromKubeconfigs(paths, impersonated);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new SettingError('KUBECONFIG', err.message);
    throw err;
  }
}
