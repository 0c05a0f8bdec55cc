import { BadRequestException, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { Agent, request as httpsRequest, RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { impersonationHeaders, MappedUser } from '@cairn/kube-model';
import { WebSocket } from 'ws';
import { createSecureContext, rootCertificates, SecureContext } from 'node:tls';
import type { AddressPolicy } from '../clusters/address-policy';
import type { ClusterConfig } from '../clusters/kubeconfig';
import type { UserCluster } from '../clusters/user-clusters';
import { release } from './owned-buffer';
import { Http1Only, Http2Pool, type UpstreamResponse } from './http2-pool';
import { DEFAULT_GATEWAY_LIMITS, type GatewaySettings } from '../settings/gateway-settings';

export type { UpstreamResponse } from './http2-pool';

/**
 * HTTPS to the configured API servers. Watches and followed logs go over HTTP/2 where the API
 * server offers it (every API server does: Go's net/http), many to a connection shared by every
 * user (a bearer token travels in each request, never in the connection); every other request
 * (lists, gets, writes) over HTTP/1.1 on a keep-alive agent per cluster, as do the long-lived
 * ones where HTTP/2 is not offered or CAIRN_UPSTREAM_HTTP2 is false. Why the split (issue 20,
 * bench/reports/2026-11-30-list-http1.md): held for minutes, one HTTP/1.1 connection each, 50
 * users' watches and logs kept 100 TLS connections (~200 KiB each) open; a list moves megabytes
 * at once, and Go's HTTP/2 server sends it as 4 KiB DATA frames, which took Node's client 1.4×
 * as long to read as the same list over HTTP/1.1 (the API server asked directly, no gateway).
 * The identity on each request is the caller's token, never the gateway's, except on a
 * cluster reached by impersonation (`ClusterConfig.impersonation`), where it is the gateway's
 * own token plus the `Impersonate-*` headers of the user the caller's verified ID token names.
 */

export interface UpstreamRequest {
  method: string;
  /** Path and query at the API server, e.g. `/api/v1/namespaces/team-a/pods?limit=50`. */
  path: string;
  /** The caller's bearer token; absent only for endpoints the API server serves anonymously (`/version`). */
  token?: string;
  /** A user-added cluster: where it is and the client certificate, if any (the token is `token`). */
  userCluster?: UserCluster;
  /**
   * On a cluster reached by impersonation: the user to act as (from the caller's verified ID
   * token, Callers.forCluster). The gateway's own token replaces `token`; no other cluster takes it.
   */
  impersonate?: MappedUser;
  body?: string;
  contentType?: string;
  accept?: string;
  /**
   * `gzip`: the API server may compress its answer (it does for bodies over 128 KiB: its
   * APIResponseCompression feature, as client-go asks by default). Only for answers streamed
   * through untouched to a browser that accepts gzip; every body the gateway reads itself is
   * asked for uncompressed.
   */
  acceptEncoding?: 'gzip';
  signal?: AbortSignal;
  /** Milliseconds until the response headers must have arrived (default 30 s). */
  timeoutMs?: number;
}

export const CLUSTER_CONNECTIONS = Symbol('CLUSTER_CONNECTIONS');

export class ClusterConnections {
  private readonly logger = new Logger('Clusters');
  private readonly clusters = new Map<string, { config: ClusterConfig; agent: Agent; longLived: Http2Pool; url: URL; tls: { ca: string[]; rejectUnauthorized: boolean; servername?: string } }>();

  private readonly extraCa: string[];
  /** CAIRN_UPSTREAM_HTTP2: false sends watches and followed logs over HTTP/1.1 too. */
  private readonly http2: boolean;

  /** Contexts of KUBECONFIG that cannot be used, by name, with the reason. */
  readonly problems: ReadonlyMap<string, string>;

  constructor(
    settings: Pick<GatewaySettings, 'clusters' | 'extraCa' | 'insecureSkipTlsVerify'> & Partial<Pick<GatewaySettings, 'kubeconfigProblems' | 'upstreamHttp2'>> & { limits?: Pick<GatewaySettings['limits'], 'upstreamWatchWindowBytes'> },
    /** Where user-added clusters may point; undefined when the feature is off. */
    readonly userClusterPolicy?: AddressPolicy,
  ) {
    this.extraCa = settings.extraCa;
    this.http2 = settings.upstreamHttp2 ?? true;
    this.problems = new Map((settings.kubeconfigProblems ?? []).map((p) => [p.name, p.message]));
    for (const [name, message] of this.problems) this.logger.warn(`KUBECONFIG: ${name} is left out: ${message}. The other clusters work.`);
    if (settings.insecureSkipTlsVerify) {
      this.logger.warn('CAIRN_INSECURE_SKIP_TLS_VERIFY is true: the API servers\u2019 certificates are NOT checked; anyone on the path can read and change every request');
    }
    const window = settings.limits?.upstreamWatchWindowBytes ?? DEFAULT_GATEWAY_LIMITS.upstreamWatchWindowBytes;
    for (const config of settings.clusters) {
      const insecure = settings.insecureSkipTlsVerify || config.insecureSkipTlsVerify;
      if (config.insecureSkipTlsVerify && !settings.insecureSkipTlsVerify) {
        this.logger.warn(`cluster ${config.name}: insecure-skip-tls-verify is set in its kubeconfig; its certificate is not checked`);
      }
      const ca = config.ca ? [config.ca, ...settings.extraCa] : [...rootCertificates, ...settings.extraCa];
      // No cap on sockets in use: a cap made 50 users' lists queue behind one another (and,
      // over HTTP/1.1, behind watches that hold theirs for minutes). Load is bounded per caller
      // by the request budget instead. At most KEEP_ALIVE_SOCKETS idle ones are kept: a burst of
      // lists does not leave its connections (~200 KiB each) open until the API server's own
      // idle timeout closes them; and an idle one is closed after KEEP_ALIVE_IDLE_MS, before a
      // server or proxy in front of it closes it under a request just sent (see `send`).
      const agent = new Agent({ keepAlive: true, maxFreeSockets: KEEP_ALIVE_SOCKETS, timeout: KEEP_ALIVE_IDLE_MS, ca, rejectUnauthorized: !insecure, servername: config.tlsServerName });
      const url = new URL(config.server);
      const tls = { ca, rejectUnauthorized: !insecure, servername: config.tlsServerName };
      // Watches and followed logs: long-lived, mostly quiet once their first burst is read, 25 to
      // a connection, each with a small stream window.
      const longLived = new Http2Pool({ origin: url, tls, streamWindowBytes: window, maxStreamsPerConnection: 25 });
      this.clusters.set(config.name, { config, agent, longLived, url, tls });
    }
  }

  list(): ClusterConfig[] {
    return [...this.clusters.values()].map((c) => c.config);
  }

  config(cluster: string): ClusterConfig {
    return this.entry(cluster).config;
  }

  private entry(cluster: string) {
    const entry = this.clusters.get(cluster);
    if (!entry) {
      const problem = this.problems.get(cluster);
      if (problem) throw new NotFoundException(`Cluster "${cluster}" cannot be used: ${problem}. Whoever runs this console can fix its kubeconfig.`);
      const known = [...this.clusters.keys()];
      throw new NotFoundException(`There is no cluster "${cluster}"; ${known.length ? `the configured clusters are ${known.join(', ')}` : 'no cluster is configured (KUBECONFIG)'}.`);
    }
    return entry;
  }

  /**
   * A WebSocket to a cluster's `path` (an exec's channel protocols), with the caller's
   * credential and the cluster's CA and TLS options, on a connection of its own (the socket
   * belongs to the conversation after the upgrade, so no agent is shared). A user-added cluster
   * (`auth.userCluster`) is dialled as its HTTPS requests are: the address policy checked on
   * the address actually dialled (a 400 before any connection when refused), its own CA and
   * client certificate, no redirect followed. Throws BadRequestException for a refused address.
   */
  openWebSocket(cluster: string, path: string, auth: Pick<UpstreamRequest, 'token' | 'impersonate' | 'userCluster'>, protocols: string[], maxPayload: number): WebSocket {
    const common = { handshakeTimeout: 30_000, maxPayload, perMessageDeflate: false, followRedirects: false };
    if (auth.userCluster) {
      if (auth.impersonate) throw new Error(`impersonation asked for user-added cluster ${cluster}`);
      const { url, tls, lookup } = this.userClusterDial(auth.userCluster);
      const headers: Record<string, string> = { 'User-Agent': 'cairn-gateway', ...(auth.token ? { Authorization: `Bearer ${auth.token}` } : {}) };
      // `lookup` reaches tls.connect through ws's request options (ws passes its options on; its types do not list it).
      return new WebSocket(`wss://${url.host}${url.pathname.replace(/\/+$/, '')}${path}`, protocols, { ...tls, ...common, headers, lookup } as ConstructorParameters<typeof WebSocket>[2]);
    }
    const entry = this.entry(cluster);
    const { url, tls } = entry;
    const target = `wss://${url.host}${url.pathname.replace(/\/+$/, '')}${path}`;
    return new WebSocket(target, protocols, { ...tls, ...common, headers: { ...authHeaders(entry.config, auth), 'User-Agent': 'cairn-gateway' } });
  }

  /**
   * Resolves with the API server's response (any status); rejects with 502/504 when it cannot
   * be reached. A configured cluster is sent a watch or a followed log over HTTP/2 when it
   * offers it (GatewayLimits.upstreamWatchWindowBytes), anything else over HTTP/1.1 on its
   * keep-alive agent; a user-added cluster everything over HTTP/1.1 on a connection of its own.
   */
  async request(cluster: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    if (req.userCluster) return this.requestUserCluster(cluster, req.userCluster, req);
    const { agent, longLived, url, config } = this.entry(cluster);
    if (this.http2 && LONG_LIVED.test(req.path) && longLived.speaksHttp2) {
      const headers = requestHeaders(req, authHeaders(config, req));
      try {
        return await longLived.request({ method: req.method, path: url.pathname.replace(/\/+$/, '') + req.path, headers, body: req.body, signal: req.signal, timeoutMs: req.timeoutMs ?? 30_000 });
      } catch (err) {
        if (!(err instanceof Http1Only)) throw upstreamError(config.name, url, err as Error, req.timeoutMs ?? 30_000);
        this.logger.log(`cluster ${config.name}: ${(err as Error).message}; using HTTP/1.1`);
      }
    }
    return send(config.name, url, { agent }, req, authHeaders(config, req));
  }

  /** Closes the HTTP/2 connections and the keep-alive sockets (Nest calls it on shutdown). */
  onModuleDestroy(): void {
    for (const { agent, longLived } of this.clusters.values()) {
      longLived.close();
      agent.destroy();
    }
  }

  /** Connections open to a configured cluster over HTTP/2 (watches, followed logs), as the streams on each (tests, diagnosis). */
  http2Streams(cluster: string): number[] {
    return this.entry(cluster).longLived.streamsPerConnection;
  }

  /**
   * How a user-added cluster is dialled, for HTTPS requests and WebSockets alike: its URL, TLS
   * options (its CA or the public roots plus CAIRN_CA_BUNDLE, its client certificate, no TLS
   * session reuse) and a DNS `lookup` that keeps only the addresses the address policy allows.
   * Throws BadRequestException when user-added clusters are off, the server is an IP literal
   * the policy refuses, or the TLS credentials cannot be used (a key that does not belong to its
   * certificate, a malformed PEM): nothing is dialled.
   */
  private userClusterDial(uc: UserCluster): { url: URL; lookup: NonNullable<RequestOptions['lookup']>; tls: { secureContext: SecureContext; rejectUnauthorized: boolean; servername?: string } } {
    const policy = this.userClusterPolicy;
    if (!policy) throw new BadRequestException('User-added clusters are turned off on this console (CAIRN_USER_CLUSTERS=false).');
    const url = new URL(uc.server);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const refusal = policy.refusal(host);
      if (refusal) throw new BadRequestException(`Cairn will not connect to ${uc.server}: ${refusal}.`);
    }
    const lookup: NonNullable<RequestOptions['lookup']> = (hostname, options, callback) => {
      dnsLookup(hostname, { all: true, family: options.family }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const allowed = addresses.filter((a) => !policy.refusal(a.address));
        if (allowed.length === 0) {
          const refusal = policy.refusal(addresses[0]?.address ?? '') ?? 'no address';
          return callback(Object.assign(new Error(`${hostname} resolves to ${refusal}`), { code: 'CAIRN_REFUSED' }), '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
        return callback(null, allowed[0]?.address ?? '', allowed[0]?.family ?? 4);
      });
    };
    let secureContext: SecureContext;
    try {
      secureContext = createSecureContext({ ca: uc.ca ? [uc.ca, ...this.extraCa] : [...rootCertificates, ...this.extraCa], ...(uc.cert ? { cert: uc.cert, key: uc.key } : {}) });
    } catch (err) {
      throw credentialsRefusal(url, err);
    }
    const tls = {
      secureContext,
      rejectUnauthorized: !uc.insecureSkipTlsVerify,
      ...(uc.tlsServerName ? { servername: uc.tlsServerName } : {}),
    };
    return { url, lookup, tls };
  }

  /**
   * One HTTPS conversation with a user-added cluster: a fresh agent that is never reused
   * (no connection or TLS session is shared between callers), the address policy checked
   * on the address actually dialled, and no redirect followed.
   */
  private async requestUserCluster(name: string, uc: UserCluster, req: UpstreamRequest): Promise<UpstreamResponse> {
    const { url, lookup, tls } = this.userClusterDial(uc);
    const agent = new Agent({ keepAlive: false, maxCachedSessions: 0, ...tls });
    try {
      if (req.impersonate) throw new Error(`impersonation asked for user-added cluster ${name}`);
      const res = await send(name, url, { agent, lookup }, req, req.token ? { Authorization: `Bearer ${req.token}` } : {});
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        throw new HttpException(`Cluster ${name} answered with a redirect (HTTP ${status}), which Cairn does not follow for user-added clusters.`, HttpStatus.BAD_GATEWAY);
      }
      res.once('close', () => agent.destroy());
      return res;
    } catch (err) {
      agent.destroy();
      throw err;
    }
  }
}

/**
 * What authenticates a request to a configured cluster: the caller's bearer token; or, on a
 * cluster reached by impersonation and for a request that names whom to act as, the gateway's
 * own token (a token file read again each time: the kubelet rotates projected tokens) with
 * kube-model's `Impersonate-User`/`Impersonate-Group` headers. A request to such a cluster that
 * names nobody goes with the token it carries (the gateway's own configuration reads) or none
 * (`/version`). Throws when impersonation is asked for a cluster not configured for it: never
 * silently sent with another identity.
 */
function authHeaders(config: ClusterConfig, req: Pick<UpstreamRequest, 'token' | 'impersonate'>): Record<string, string | string[]> {
  if (req.impersonate) {
    const own = config.impersonation;
    if (!own) throw new Error(`cluster ${config.name} is not reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS)`);
    const token = 'token' in own ? own.token : readFileSync(own.tokenFile, 'utf8').trim();
    return { Authorization: `Bearer ${token}`, ...impersonationHeaders(req.impersonate) };
  }
  return req.token ? { Authorization: `Bearer ${req.token}` } : {};
}


/** Idle keep-alive connections kept per configured cluster for requests other than watches and followed logs. */
const KEEP_ALIVE_SOCKETS = 8;

/** Milliseconds an idle keep-alive connection is kept (Go's API server closes them after 90 s idle, a proxy may sooner). */
const KEEP_ALIVE_IDLE_MS = 30_000;

/** A watch (`watch=true`/`1`) or a followed log (`follow=true`): a stream held for minutes. */
const LONG_LIVED = /[?&](?:watch|follow)=(?:true|1)(?:&|$)/;

/** The headers of a request to an API server (its credential in `auth`). */
function requestHeaders(req: UpstreamRequest, auth: Record<string, string | string[]>): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { Accept: req.accept ?? 'application/json', 'User-Agent': 'cairn-gateway', ...auth };
  if (req.acceptEncoding) headers['Accept-Encoding'] = req.acceptEncoding;
  if (req.body !== undefined) {
    headers['Content-Type'] = req.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(req.body));
  }
  return headers;
}

/** What a failed upstream request becomes: 504 past its deadline, 400 for a refused address, else 502 naming the cause. */
function upstreamError(name: string, url: URL, err: Error & { code?: string }, timeoutMs: number): Error {
  if (err instanceof HttpException || err.name === 'AbortError') return err;
  if (err.name === 'TimeoutError') return new HttpException(`Cluster ${name} (${url.origin}) did not answer within ${timeoutMs / 1000} s.`, HttpStatus.GATEWAY_TIMEOUT);
  if (err.code === 'CAIRN_REFUSED') return new BadRequestException(`Cairn will not connect to ${url.origin}: ${err.message}.`);
  return new HttpException(`Cluster ${name} (${url.origin}) cannot be reached: ${describeNetworkError(err)}.`, HttpStatus.BAD_GATEWAY);
}

/**
 * One HTTP/1.1 request. A GET whose kept-alive connection turns out to be closed by the server
 * (ECONNRESET on a reused socket, before any answer: the server closed it as it went idle, the
 * race Node's docs describe for `request.reusedSocket`) is sent once more on a new connection;
 * nothing else is retried.
 */
function send(name: string, url: URL, options: Pick<RequestOptions, 'agent' | 'lookup'>, req: UpstreamRequest, auth: Record<string, string | string[]>, retried = false): Promise<UpstreamResponse> {
  const basePath = url.pathname.replace(/\/+$/, '');
  const headers = requestHeaders(req, auth);
  const timeoutMs = req.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let upstream: ReturnType<typeof httpsRequest>;
    let answered = false;
    try {
      upstream = httpsRequest(
        { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 443, path: basePath + req.path, method: req.method, headers, signal: req.signal, ...options },
        (res) => {
          answered = true;
          upstream.setTimeout(0);
          resolve(res);
        },
      );
    } catch (err) {
      // The TLS context could not be built: a key that does not belong to its certificate, a malformed PEM.
      reject(credentialsRefusal(url, err));
      return;
    }
    upstream.setTimeout(timeoutMs, () => {
      upstream.destroy(new HttpException(`Cluster ${name} (${url.origin}) did not answer within ${timeoutMs / 1000} s.`, HttpStatus.GATEWAY_TIMEOUT));
    });
    upstream.on('error', (err: Error & { code?: string }) => {
      if (!answered && !retried && upstream.reusedSocket && err.code === 'ECONNRESET' && req.method === 'GET' && !req.signal?.aborted) return resolve(send(name, url, options, req, auth, true));
      reject(upstreamError(name, url, err, timeoutMs));
    });
    upstream.end(req.body);
  });
}

/** A 400 for TLS credentials that cannot be used (OpenSSL's reason, without its code), e.g. `key values mismatch`. */
function credentialsRefusal(url: URL, err: unknown): BadRequestException {
  return new BadRequestException(`Cairn cannot connect to ${url.origin} with these credentials: ${(err as Error).message.replace(/^error:[0-9A-F]+:[^:]*::/, '')}.`);
}

function describeNetworkError(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the API server running?)';
    case 'ENOTFOUND':
      return 'its host name does not resolve';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `its certificate is not trusted (${err.code}); give its CA in the kubeconfig or CAIRN_CA_BUNDLE`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its certificate does not name this host';
    default:
      return err.message;
  }
}

/**
 * The whole body of a response, as text, reading at most `limit` bytes: past it the upstream
 * is destroyed (nothing more is read) and the answer is a 502 naming the bound
 * (CAIRN_MAX_UPSTREAM_BODY_BYTES). A declared Content-Length over the bound is refused
 * before reading.
 */
export async function readBody(res: UpstreamResponse, limit = 32 * 1024 * 1024, deadlineMs?: number): Promise<string> {
  // A body that drips in slower than the deadline is abandoned (504), never held open.
  let late = false;
  const timer = deadlineMs === undefined ? undefined : setTimeout(() => {
    late = true;
    res.destroy();
  }, deadlineMs);
  try {
    return await readAll(res, limit);
  } catch (err) {
    if (late) throw new HttpException(`The API server did not finish its answer within ${Math.round((deadlineMs ?? 0) / 1000)} s.`, HttpStatus.GATEWAY_TIMEOUT);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function readAll(res: UpstreamResponse, limit: number): Promise<string> {
  const tooLarge = () => {
    res.destroy();
    return new HttpException(`The API server\u2019s answer is larger than ${limit} bytes, the bound on what Cairn reads whole (CAIRN_MAX_UPSTREAM_BODY_BYTES).`, HttpStatus.BAD_GATEWAY);
  };
  if (Number(res.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  // Decoded, the bytes are garbage: freed now (a large body's own Buffer), not at V8's next full collection.
  const whole = Buffer.concat(chunks, size);
  const text = whole.toString('utf8');
  release(whole);
  return text;
}
