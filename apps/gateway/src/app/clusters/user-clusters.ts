import { BadRequestException } from '@nestjs/common';
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

/** A kubeconfig cluster and user entry, checked, as a UserCluster. */
export function userClusterFromEntries(cluster: Entry, user: Entry, where: string): UserCluster {
  checkFields(cluster, CLUSTER_FIELDS, `${where}: its cluster`);
  checkFields(user, USER_FIELDS, `${where}: its user`);
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

/** Every context of a pasted kubeconfig, each usable or with the reason it is not. */
export function checkKubeconfig(text: string): KubeconfigContextCheck[] {
  let config: { clusters?: Array<{ name?: string; cluster?: Entry }>; users?: Array<{ name?: string; user?: Entry }>; contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string; namespace?: string } }> };
  try {
    config = parse(text) as typeof config;
  } catch (err) {
    throw new BadRequestException(`This is not a kubeconfig: it is not valid YAML (${(err as Error).message.split('\n')[0]}).`);
  }
  if (!config || typeof config !== 'object' || !Array.isArray(config.contexts) || config.contexts.length === 0) {
    throw new BadRequestException('This is not a kubeconfig: it has no contexts.');
  }
  return config.contexts.map((c) => {
    const name = c?.name ?? '';
    const where = `context "${name}"`;
    const cluster = config.clusters?.find((x) => x?.name === c?.context?.cluster)?.cluster;
    const user = config.users?.find((x) => x?.name === c?.context?.user)?.user ?? {};
    if (!name) return { name, problem: 'a context has no name' };
    if (!cluster) return { name, problem: `${where} names cluster "${c?.context?.cluster ?? ''}", which the file does not define` };
    try {
      const checked = userClusterFromEntries(cluster, user, where);
      return { name, server: checked.server, namespace: c.context?.namespace, entry: encodeUserCluster(checked) };
    } catch (err) {
      return { name, server: typeof cluster['server'] === 'string' ? cluster['server'] : undefined, problem: (err as Error).message };
    }
  });
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

/** The entry of an X-Cairn-Cluster header, checked like a kubeconfig entry. */
export function decodeUserCluster(header: string): UserCluster {
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
  return userClusterFromEntries(cluster, user, 'the user-added cluster');
}
