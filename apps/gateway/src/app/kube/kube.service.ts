import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Caller, CALLERS, Callers, SignedIn } from '../auth/callers';
import type { AuditRecord } from '../edge/audit';
import type { ClusterConfig } from '../clusters/kubeconfig';
import type { AddressPolicy } from '../clusters/address-policy';
import { CLUSTER_CONNECTIONS, ClusterConnections, readBody, UpstreamRequest, type UpstreamResponse } from './cluster-connections';
import { kubeError } from './kube-errors';
import { USER_CLUSTER_PREFIX } from '../clusters/user-clusters';
import { RequestBudget } from './request-budget';
import type { WebSocket } from 'ws';
import { GATEWAY_SETTINGS, GatewayLimits, GatewaySettings } from '../settings/gateway-settings';

export const REQUEST_BUDGET = Symbol('REQUEST_BUDGET');
const MAX_429_RETRIES = 2;

/**
 * The one adapter between the gateway's HTTP edge and the API servers: who the caller is
 * (Callers), which cluster (ClusterConnections, the transport), and every call made as that
 * caller, with its request budget, 429 retries, byte bounds and errors mapped for the console.
 * Controllers and services reach clusters only through it; the transport is used directly
 * only by the bearer check and the readiness probe, which app.module builds before Nest (the
 * callers this adapter serves depend on the first).
 */
@Injectable()
export class KubeService {
  constructor(
    @Inject(CLUSTER_CONNECTIONS) private readonly connections: ClusterConnections,
    @Inject(CALLERS) private readonly callers: Callers,
    @Inject(REQUEST_BUDGET) private readonly budget: RequestBudget,
    @Inject(GATEWAY_SETTINGS) settings: Pick<GatewaySettings, 'limits'> & Partial<Pick<GatewaySettings, 'serviceAccountDir'>>,
  ) {
    this.limits = settings.limits;
    this.serviceAccountDir = settings.serviceAccountDir;
  }

  private readonly serviceAccountDir: string | undefined;

  readonly limits: GatewayLimits;

  /** The caller of `request` for `cluster`: a 404 for an unknown configured cluster, a 401 without credentials for it. */
  caller(request: FastifyRequest, cluster: string): Promise<Caller> {
    // 404 for an unknown configured cluster before asking for credentials.
    if (!cluster.startsWith(USER_CLUSTER_PREFIX)) this.connections.config(cluster);
    return this.callers.forCluster(request, cluster);
  }

  /**
   * The caller of a change, recorded in `audit` (who, which cluster). An API client's bearer
   * is named by what a configured cluster says it is (its SelfSubjectReview, cached a
   * minute), not just "a bearer-token client".
   */
  async changer(request: FastifyRequest, cluster: string, audit: AuditRecord): Promise<Caller> {
    let caller = await this.caller(request, cluster);
    if (!caller.user && caller.via === 'header') {
      const who = await this.callers.signedIn(request).catch(() => undefined);
      if (who?.name) caller = { ...caller, user: { name: who.name } };
    }
    audit.who = caller.user?.name ?? (caller.via === 'header' ? 'bearer-token client (not known to any configured cluster)' : 'unknown');
    audit.cluster = cluster;
    if (caller.impersonate) audit.as = caller.impersonate.username;
    return caller;
  }

  /**
   * The caller for a configured cluster's public endpoints (`/version`): undefined (anonymous)
   * when the request has no credentials for it; a 404 for an unknown cluster. A user-added
   * cluster's entry must be usable (a 400 says why not).
   */
  async optionalCaller(request: FastifyRequest, cluster: string): Promise<Caller | undefined> {
    if (cluster.startsWith(USER_CLUSTER_PREFIX)) return this.caller(request, cluster);
    this.connections.config(cluster);
    return this.callers.forCluster(request, cluster).catch(() => undefined);
  }

  /** The signed-in caller of `request`, or undefined (see Callers.signedIn). */
  signedIn(request: FastifyRequest): Promise<SignedIn | undefined> {
    return this.callers.signedIn(request);
  }

  /** The signed-in caller, or a 401 naming `what` needed it (see Callers.requireSignedIn). */
  requireSignedIn(request: FastifyRequest, what: string): Promise<SignedIn> {
    return this.callers.requireSignedIn(request, what);
  }

  /** The configured clusters (KUBECONFIG's contexts and the in-cluster one). */
  configuredClusters(): ClusterConfig[] {
    return this.connections.list();
  }

  /** Contexts of KUBECONFIG that cannot be used, by name, with the reason. */
  clusterProblems(): ReadonlyMap<string, string> {
    return this.connections.problems;
  }

  /** Where user-added clusters may be (CAIRN_USER_CLUSTER_ALLOW); undefined when they are turned off. */
  get userClusterPolicy(): AddressPolicy | undefined {
    return this.connections.userClusterPolicy;
  }

  /**
   * The response stream when the API server answered 2xx; a mapped error otherwise. Counts
   * against the caller's request budget; a read the API server answers with 429 is retried
   * after its Retry-After (twice at most, waiting at most 5 s each time).
   */
  async open(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<UpstreamResponse> {
    // Every user-added cluster of one identity shares one bucket: their names are the caller's to choose.
    if (caller) this.budget.take(caller, cluster.startsWith(USER_CLUSTER_PREFIX) ? USER_CLUSTER_PREFIX : cluster);
    for (let attempt = 0; ; attempt++) {
      const res = await this.connections.request(cluster, { ...req, token: caller?.token || undefined, userCluster: caller?.userCluster, impersonate: caller?.impersonate });
      const status = res.statusCode ?? 502;
      if (status >= 200 && status < 300) {
        if (caller) this.callers.accept(caller.credential);
        return res;
      }
      const retryAfter = res.headers['retry-after'];
      const seconds = Number(typeof retryAfter === 'string' ? retryAfter : '1');
      if (status === 429 && req.method === 'GET' && attempt < MAX_429_RETRIES && Number.isFinite(seconds) && seconds <= 5) {
        res.resume();
        await new Promise((r) => setTimeout(r, Math.max(seconds, 0.1) * 1000));
        continue;
      }
      throw kubeError(cluster, status, await readBody(res, 64 * 1024).catch(() => ''), typeof retryAfter === 'string' ? retryAfter : undefined);
    }
  }

  /**
   * A request with the gateway's own ServiceAccount (its projected token, re-read each time),
   * for the gateway's configuration only (the ConfigMaps that register remotes), never for a
   * user's request: the response stream on 2xx, a mapped error otherwise. No request budget
   * (it is not a caller's); the same byte bounds as every other read.
   */
  async openAsGateway(cluster: string, req: Omit<UpstreamRequest, 'token'>): Promise<UpstreamResponse> {
    if (!this.serviceAccountDir) throw new Error('The gateway has no ServiceAccount directory (CAIRN_SERVICE_ACCOUNT_DIR).');
    const token = readFileSync(join(this.serviceAccountDir, 'token'), 'utf8').trim();
    const res = await this.connections.request(cluster, { ...req, token });
    const status = res.statusCode ?? 502;
    if (status >= 200 && status < 300) return res;
    throw kubeError(cluster, status, await readBody(res, 64 * 1024).catch(() => ''), undefined);
  }

  /**
   * The API server's WebSocket at `path` (an exec or attach) as `caller`, once it is open with
   * one of `protocols`; a refusal is the API server's own status (403 from its authorization,
   * 404 for a missing pod, 400 for a missing container), mapped as every other call's. A
   * user-added cluster is dialled under the address policy (a 400 naming the refused address,
   * before any connection). `signal` (the browser left) drops the dial at once, whatever state
   * it is in, and rejects; without it a cluster that never answers held the connection (and the
   * caller's terminal slot) for the whole 30 s handshake timeout.
   */
  async openWebSocket(cluster: string, caller: Caller, path: string, protocols: string[], maxPayload: number, signal?: AbortSignal): Promise<WebSocket> {
    this.budget.take(caller, cluster.startsWith(USER_CLUSTER_PREFIX) ? USER_CLUSTER_PREFIX : cluster);
    if (signal?.aborted) throw new HttpException('The terminal was closed before it opened.', HttpStatus.BAD_REQUEST);
    const socket = this.connections.openWebSocket(cluster, path, { token: caller.token, impersonate: caller.impersonate, userCluster: caller.userCluster }, protocols, maxPayload);
    let onAbort: (() => void) | undefined;
    return new Promise<WebSocket>((resolve, reject) => {
      onAbort = () => {
        reject(new HttpException('The terminal was closed before it opened.', HttpStatus.BAD_REQUEST));
        socket.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('open', () => {
        this.callers.accept(caller.credential);
        resolve(socket);
      });
      let answered = false;
      socket.once('unexpected-response', (_req, res) => {
        answered = true;
        const status = res.statusCode ?? 502;
        if (status >= 300 && status < 400) {
          res.resume();
          socket.terminate();
          reject(new HttpException(`Cluster ${cluster} answered the terminal with a redirect (HTTP ${status}), which Cairn does not follow.`, HttpStatus.BAD_GATEWAY));
          return;
        }
        readBody(res, 64 * 1024, 10_000)
          .catch(() => '')
          .then((body) => {
            reject(kubeError(cluster, res.statusCode ?? 502, body, undefined));
            socket.terminate();
          });
      });
      socket.on('error', (err: Error & { code?: string }) => {
        if (answered) return;
        if (err.code === 'CAIRN_REFUSED') reject(new HttpException(`Cairn will not connect to cluster ${cluster}: ${err.message}.`, HttpStatus.BAD_REQUEST));
        else reject(new HttpException(`Cluster ${cluster} cannot be reached for a terminal: ${err.message}.`, HttpStatus.BAD_GATEWAY));
      });
    }).finally(() => {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    });
  }

  async json<T>(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<T> {
    return this.parse<T>(cluster, await this.readBody(await this.open(cluster, caller, req), (req.timeoutMs ?? 30_000) * 2));
  }

  /** JSON from an API server; a 502 (never a 500) when it is not JSON. */
  parse<T>(cluster: string, body: string): T {
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new HttpException(`Cluster ${cluster} answered with something that is not JSON.`, HttpStatus.BAD_GATEWAY);
    }
  }

  /**
   * A whole upstream body, at most CAIRN_MAX_UPSTREAM_BODY_BYTES (else a 502 naming the bound),
   * within `deadlineMs` (default 60 s; else a 504): a slow drip holds nothing open for long.
   */
  readBody(res: UpstreamResponse, deadlineMs = 60_000): Promise<string> {
    return readBody(res, this.limits.upstreamBodyBytes, deadlineMs);
  }
}
