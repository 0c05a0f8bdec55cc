import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { parse } from 'yaml';
import type { KubeconfigContextCheck } from '@cairn/api-contracts';

/**
 * Clusters a user adds from their own kubeconfig (seed 000). The browser keeps the file in
 * IndexedDB and sends the one entry a request needs, in the `X-Cairn-Cluster` header
 * (base64url of JSON `{server, certificateAuthorityData?, insecureSkipTlsVerify?,
 * tlsServerName?, token?, clientCertificateData?, clientKeyData?}`). The gateway uses it
 * for that request only and stores nothing.
 *
 * Such an entry may make the server do nothing but one HTTPS conversation with its API
 * server: anything that would run a program (`exec`, `auth-provider`) or read one of the
 * server's files (`*-file`, `certificate-authority`, `client-certificate`, `tokenFile`) is
 * refused, as are proxies and basic auth.
 */

export { USER_CLUSTER_HEADER, USER_CLUSTER_PREFIX } from '@cairn/api-contracts';
import { USER_CLUSTER_HEADER } from '@cairn/api-contracts';

export interface UserCluster {
  server: string;
  /** PEM. */
  ca?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  token?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
}

export class UserClusterError extends Error {}

type Entry = Record<string, unknown>;

const CLUSTER_FIELDS = ['server', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions', 'disable-compression'];
const USER_FIELDS = ['token', 'client-certificate-data', 'client-key-data', 'extensions'];
const REFUSED: Record<string, string> = {
  exec: 'runs a program on the server to get a credential (exec plugins work only in kubectl on your own machine); use a token or a client certificate',
  'auth-provider': 'uses a deprecated auth-provider plugin; use a token or a client certificate',
  tokenFile: 'reads a token from a file on the server; paste the token itself (token:)',
  'client-certificate': 'reads a certificate from a file on the server; use client-certificate-data',
  'client-key': 'reads a key from a file on the server; use client-key-data',
  'certificate-authority': 'reads a CA from a file on the server; use certificate-authority-data',
  'proxy-url': 'goes through a proxy, which Cairn does not follow for user-added clusters',
  username: 'uses basic authentication, which Kubernetes no longer supports',
  password: 'uses basic authentication, which Kubernetes no longer supports',
  as: 'impersonates another user, which Cairn does not do for user-added clusters',
  'as-groups': 'impersonates other groups, which Cairn does not do for user-added clusters',
};

function b64(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new UserClusterError(`${what} must be base64 text`);
  const text = Buffer.from(value, 'base64').toString('utf8');
  if (!text.includes('-----BEGIN')) throw new UserClusterError(`${what} is not a base64-encoded PEM block`);
  return text;
}

function checkFields(entry: Entry, allowed: string[], where: string): void {
  for (const key of Object.keys(entry)) {
    if (REFUSED[key]) throw new UserClusterError(`${where} ${REFUSED[key]}`);
    if (!allowed.includes(key)) throw new UserClusterError(`${where} has "${key}", which Cairn does not support for user-added clusters`);
  }
}

function checkServer(server: unknown, where: string): string {
  if (typeof server !== 'string' || !server) throw new UserClusterError(`${where} has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UserClusterError(`${where}: server "${server}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new UserClusterError(`${where}: server "${server}" must use https`);
  if (url.username || url.password) throw new UserClusterError(`${where}: server "${server}" must not carry credentials`);
  return server.replace(/\/+$/, '');
}

/** Bounds on a kubeconfig a user pastes (GatewayLimits). */
export interface KubeconfigBounds {
  /** CAIRN_MAX_KUBECONFIG_CONTEXTS. */
  contexts: number;
  /** CAIRN_MAX_KUBECONFIG_FIELD_BYTES: one token, certificate, key, CA or server. */
  fieldBytes: number;
  /** CAIRN_MAX_CHECK_REPLY_BYTES: the whole check-kubeconfig reply. */
  replyBytes: number;
}

/**
 * The largest entry (the X-Cairn-Cluster value, or the terminal's
 * `base64url.cluster-entry.cairn.<entry>` subprotocol), in bytes. The browser sends it with
 * every request to the cluster beside its session cookie (up to 3 × 3800 bytes, libs/session),
 * so the two must fit in the gateway's bound on request headers (MAX_HEADER_BYTES, gateway.ts,
 * 64 KiB). A context whose entry is larger is refused when the kubeconfig is checked, so the
 * console never keeps a cluster it cannot send; an entry over it is a 400 naming it.
 */
export const USER_CLUSTER_ENTRY_MAX_BYTES = 32 * 1024;

export const DEFAULT_KUBECONFIG_BOUNDS: KubeconfigBounds = { contexts: 100, fieldBytes: 64 * 1024, replyBytes: 2 * 1024 * 1024 };

function checkSizes(entry: Entry, where: string, fieldBytes: number): void {
  for (const [key, value] of Object.entries(entry)) {
    const size = typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length;
    if (size > fieldBytes) throw new UserClusterError(`${where}'s ${key} is larger than ${fieldBytes} bytes, the bound on one kubeconfig field (CAIRN_MAX_KUBECONFIG_FIELD_BYTES)`);
  }
}

/**
 * A kubeconfig cluster and user entry, checked, as a UserCluster.
 * @param fieldBytes the bound on each field (CAIRN_MAX_KUBECONFIG_FIELD_BYTES).
 * @throws UserClusterError saying what Cairn refuses and why.
 */
export function userClusterFromEntries(cluster: Entry, user: Entry, where: string, fieldBytes = DEFAULT_KUBECONFIG_BOUNDS.fieldBytes): UserCluster {
  if (!cluster || typeof cluster !== 'object' || Array.isArray(cluster)) throw new UserClusterError(`${where}: its cluster is not a mapping`);
  if (!user || typeof user !== 'object' || Array.isArray(user)) throw new UserClusterError(`${where}: its user is not a mapping`);
  checkFields(cluster, CLUSTER_FIELDS, `${where}: its cluster`);
  checkFields(user, USER_FIELDS, `${where}: its user`);
  checkSizes(cluster, `${where}: its cluster`, fieldBytes);
  checkSizes(user, `${where}: its user`, fieldBytes);
  const server = checkServer(cluster['server'], where);
  const hasCert = user['client-certificate-data'] !== undefined || user['client-key-data'] !== undefined;
  if (hasCert && (user['client-certificate-data'] === undefined || user['client-key-data'] === undefined)) {
    throw new UserClusterError(`${where}: its user needs both client-certificate-data and client-key-data`);
  }
  if (user['token'] !== undefined && typeof user['token'] !== 'string') throw new UserClusterError(`${where}: its user's token must be text`);
  return {
    server,
    ca: cluster['certificate-authority-data'] === undefined ? undefined : b64(cluster['certificate-authority-data'], `${where}: certificate-authority-data`),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    token: user['token'] as string | undefined,
    cert: hasCert ? b64(user['client-certificate-data'], `${where}: client-certificate-data`) : undefined,
    key: hasCert ? b64(user['client-key-data'], `${where}: client-key-data`) : undefined,
  };
}

/**
 * Every context of a pasted kubeconfig, each usable or with the reason it is not.
 *
 * Bounded (issue 19: a 114 KB kubeconfig once came back as a 40 MB reply, because each
 * context re-encoded its user's certificate and key): at most `bounds.contexts` contexts,
 * each field at most `bounds.fieldBytes`, each (cluster, user) pair encoded once, and the
 * whole reply at most `bounds.replyBytes`; crossing a bound is a 413 naming it.
 */
export function checkKubeconfig(text: string, bounds: KubeconfigBounds = DEFAULT_KUBECONFIG_BOUNDS): KubeconfigContextCheck[] {
  let config: { clusters?: Array<{ name?: string; cluster?: Entry }>; users?: Array<{ name?: string; user?: Entry }>; contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string; namespace?: string } }> };
  try {
    config = parse(text) as typeof config;
  } catch (err) {
    throw new BadRequestException(`This is not a kubeconfig: it is not valid YAML (${(err as Error).message.split('\n')[0]}).`);
  }
  if (!config || typeof config !== 'object' || !Array.isArray(config.contexts) || config.contexts.length === 0) {
    throw new BadRequestException('This is not a kubeconfig: it has no contexts.');
  }
  if (config.contexts.length > bounds.contexts) {
    throw new PayloadTooLargeException(`This kubeconfig has ${config.contexts.length} contexts; Cairn checks at most ${bounds.contexts} at once (CAIRN_MAX_KUBECONFIG_CONTEXTS). Paste the contexts you want to add.`);
  }
  const clusters = Array.isArray(config.clusters) ? config.clusters : [];
  const users = Array.isArray(config.users) ? config.users : [];
  const encoded = new Map<string, { server: string; entry: string } | { problem: string }>();
  let replyBytes = 0;
  const out = config.contexts.map((c): KubeconfigContextCheck => {
    const name = typeof c?.name === 'string' ? c.name : '';
    const where = `context "${name.slice(0, 200)}"`;
    const clusterName = c?.context?.cluster;
    const userName = c?.context?.user;
    const cluster = clusters.find((x) => x?.name === clusterName)?.cluster;
    const user = users.find((x) => x?.name === userName)?.user ?? {};
    const server = cluster && typeof cluster['server'] === 'string' && cluster['server'].length <= bounds.fieldBytes ? cluster['server'] : undefined;
    let check: KubeconfigContextCheck;
    if (!name) check = { name, problem: 'a context has no name' };
    else if (name.length > 253) check = { name: name.slice(0, 253), problem: `${where} has a name longer than 253 characters` };
    else if (!cluster) check = { name, problem: `${where} names cluster "${String(clusterName ?? '').slice(0, 200)}", which the file does not define` };
    else {
      // A user shared by many contexts is checked and encoded once, not once per context.
      const pair = JSON.stringify([clusterName, userName]);
      let result = encoded.get(pair);
      if (!result) {
        try {
          const checked = userClusterFromEntries(cluster, user, where, bounds.fieldBytes);
          const entry = encodeUserCluster(checked);
          result = entry.length > USER_CLUSTER_ENTRY_MAX_BYTES ? { problem: entryTooLarge(entry.length, where) } : { server: checked.server, entry };
        } catch (err) {
          result = { problem: (err as Error).message };
        }
        encoded.set(pair, result);
      }
      const namespace = typeof c.context?.namespace === 'string' ? c.context.namespace.slice(0, 253) : undefined;
      check = 'entry' in result ? { name, server: result.server, namespace, entry: result.entry } : { name, server, problem: result.problem };
    }
    replyBytes += (check.entry?.length ?? 0) + (check.problem?.length ?? 0) + (check.server?.length ?? 0) + check.name.length + 64;
    if (replyBytes > bounds.replyBytes) {
      throw new PayloadTooLargeException(`The checked contexts would make a reply larger than ${bounds.replyBytes} bytes (CAIRN_MAX_CHECK_REPLY_BYTES); paste fewer contexts at once.`);
    }
    return check;
  });
  return out;
}

/** The X-Cairn-Cluster header value for an entry. */
export function encodeUserCluster(c: UserCluster): string {
  const wire = {
    server: c.server,
    ...(c.ca ? { certificateAuthorityData: Buffer.from(c.ca).toString('base64') } : {}),
    ...(c.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}),
    ...(c.token ? { token: c.token } : {}),
    ...(c.cert ? { clientCertificateData: Buffer.from(c.cert).toString('base64'), clientKeyData: Buffer.from(c.key ?? '').toString('base64') } : {}),
  };
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

function entryTooLarge(bytes: number, where: string): string {
  return `${where}: its entry is larger than ${USER_CLUSTER_ENTRY_MAX_BYTES} bytes once encoded (${bytes}), the most the console sends with each request (USER_CLUSTER_ENTRY_MAX_BYTES); use a token instead of a client certificate, or only the CA that signed the API server's certificate`;
}

/**
 * The entry of an X-Cairn-Cluster header, checked like a kubeconfig entry.
 * @throws UserClusterError for an entry over USER_CLUSTER_ENTRY_MAX_BYTES (before decoding it) or one Cairn refuses.
 */
export function decodeUserCluster(header: string): UserCluster {
  if (header.length > USER_CLUSTER_ENTRY_MAX_BYTES) throw new UserClusterError(entryTooLarge(header.length, `the ${USER_CLUSTER_HEADER} entry`));
  let wire: Entry;
  try {
    wire = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Entry;
  } catch {
    throw new UserClusterError(`the ${USER_CLUSTER_HEADER} header is not base64url-encoded JSON`);
  }
  if (typeof wire !== 'object' || wire === null) throw new UserClusterError(`the ${USER_CLUSTER_HEADER} header must hold an object`);
  const { server, certificateAuthorityData, insecureSkipTlsVerify, tlsServerName, token, clientCertificateData, clientKeyData, ...rest } = wire;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new UserClusterError(`the ${USER_CLUSTER_HEADER} header has unsupported fields: ${unknown.join(', ')}`);
  const cluster: Entry = { server };
  if (certificateAuthorityData !== undefined) cluster['certificate-authority-data'] = certificateAuthorityData;
  if (insecureSkipTlsVerify !== undefined) cluster['insecure-skip-tls-verify'] = insecureSkipTlsVerify;
  if (tlsServerName !== undefined) cluster['tls-server-name'] = tlsServerName;
  const user: Entry = {};
  if (token !== undefined) user['token'] = token;
  if (clientCertificateData !== undefined) user['client-certificate-data'] = clientCertificateData;
  if (clientKeyData !== undefined) user['client-key-data'] = clientKeyData;
  return userClusterFromEntries(cluster, user, 'the user-added cluster', DEFAULT_KUBECONFIG_BOUNDS.fieldBytes);
}
