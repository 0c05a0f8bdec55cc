import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Caller, CALLERS, Callers } from '../auth/callers';
import { CLUSTER_CONNECTIONS, ClusterConnections, readBody, UpstreamRequest } from './cluster-connections';
import { kubeError } from './kube-errors';
import { USER_CLUSTER_PREFIX } from '../clusters/user-clusters';
import { RequestBudget } from './request-budget';
import { GATEWAY_SETTINGS, GatewayLimits, GatewaySettings } from '../settings/gateway-settings';

export const REQUEST_BUDGET = Symbol('REQUEST_BUDGET');
const MAX_429_RETRIES = 2;

/** Calls an API server as the caller of the current request, with errors mapped for the console. */
@Injectable()
export class KubeService {
  constructor(
    @Inject(CLUSTER_CONNECTIONS) readonly connections: ClusterConnections,
    @Inject(CALLERS) readonly callers: Callers,
    @Inject(REQUEST_BUDGET) private readonly budget: RequestBudget,
    @Inject(GATEWAY_SETTINGS) settings: Pick<GatewaySettings, 'limits'>,
  ) {
    this.limits = settings.limits;
  }

  readonly limits: GatewayLimits;

  caller(request: FastifyRequest, cluster: string): Promise<Caller> {
    // 404 for an unknown configured cluster before asking for credentials.
    if (!cluster.startsWith(USER_CLUSTER_PREFIX)) this.connections.config(cluster);
    return this.callers.forCluster(request, cluster);
  }

  /**
   * The response stream when the API server answered 2xx; a mapped error otherwise. Counts
   * against the caller's request budget; a read the API server answers with 429 is retried
   * after its Retry-After (twice at most, waiting at most 5 s each time).
   */
  async open(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<IncomingMessage> {
    // Every user-added cluster of one identity shares one bucket: their names are the caller's to choose.
    if (caller) this.budget.take(caller, cluster.startsWith(USER_CLUSTER_PREFIX) ? USER_CLUSTER_PREFIX : cluster);
    for (let attempt = 0; ; attempt++) {
      const res = await this.connections.request(cluster, { ...req, token: caller?.token || undefined, userCluster: caller?.userCluster });
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
  readBody(res: IncomingMessage, deadlineMs = 60_000): Promise<string> {
    return readBody(res, this.limits.upstreamBodyBytes, deadlineMs);
  }
}
