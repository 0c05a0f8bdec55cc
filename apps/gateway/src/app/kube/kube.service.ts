import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Caller, CALLERS, Callers } from '../auth/callers';
import { CLUSTER_CONNECTIONS, ClusterConnections, readBody, UpstreamRequest } from './cluster-connections';
import { kubeError } from './kube-errors';
import { USER_CLUSTER_PREFIX } from '../clusters/user-clusters';
import { RequestBudget } from './request-budget';

export const REQUEST_BUDGET = Symbol('REQUEST_BUDGET');
const MAX_429_RETRIES = 2;

/** Calls an API server as the caller of the current request, with errors mapped for the console. */
@Injectable()
export class KubeService {
  constructor(
    @Inject(CLUSTER_CONNECTIONS) readonly connections: ClusterConnections,
    @Inject(CALLERS) readonly callers: Callers,
    @Inject(REQUEST_BUDGET) private readonly budget: RequestBudget,
  ) {}

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
    if (caller) this.budget.take(caller.token || caller.userCluster?.cert || '', cluster);
    for (let attempt = 0; ; attempt++) {
      const res = await this.connections.request(cluster, { ...req, token: caller?.token || undefined, userCluster: caller?.userCluster });
      const status = res.statusCode ?? 502;
      if (status >= 200 && status < 300) return res;
      const retryAfter = res.headers['retry-after'];
      const seconds = Number(typeof retryAfter === 'string' ? retryAfter : '1');
      if (status === 429 && req.method === 'GET' && attempt < MAX_429_RETRIES && Number.isFinite(seconds) && seconds <= 5) {
        res.resume();
        await new Promise((r) => setTimeout(r, Math.max(seconds, 0.1) * 1000));
        continue;
      }
      throw kubeError(cluster, status, await readBody(res, 1024 * 1024), typeof retryAfter === 'string' ? retryAfter : undefined);
    }
  }

  async json<T>(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<T> {
    const body = await readBody(await this.open(cluster, caller, req));
    return JSON.parse(body) as T;
  }
}
