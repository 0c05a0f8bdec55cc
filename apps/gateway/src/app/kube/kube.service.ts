import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Caller, CALLERS, Callers } from '../auth/callers';
import { CLUSTER_CONNECTIONS, ClusterConnections, readBody, UpstreamRequest } from './cluster-connections';
import { kubeError } from './kube-errors';
import { USER_CLUSTER_PREFIX } from '../clusters/user-clusters';

/** Calls an API server as the caller of the current request, with errors mapped for the console. */
@Injectable()
export class KubeService {
  constructor(
    @Inject(CLUSTER_CONNECTIONS) readonly connections: ClusterConnections,
    @Inject(CALLERS) readonly callers: Callers,
  ) {}

  caller(request: FastifyRequest, cluster: string): Promise<Caller> {
    // 404 for an unknown configured cluster before asking for credentials.
    if (!cluster.startsWith(USER_CLUSTER_PREFIX)) this.connections.config(cluster);
    return this.callers.forCluster(request, cluster);
  }

  /** The response stream when the API server answered 2xx; a mapped error otherwise. */
  async open(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<IncomingMessage> {
    const res = await this.connections.request(cluster, { ...req, token: caller?.token || undefined, userCluster: caller?.userCluster });
    const status = res.statusCode ?? 502;
    if (status >= 200 && status < 300) return res;
    const retryAfter = res.headers['retry-after'];
    throw kubeError(cluster, status, await readBody(res, 1024 * 1024), typeof retryAfter === 'string' ? retryAfter : undefined);
  }

  async json<T>(cluster: string, caller: Caller | undefined, req: Omit<UpstreamRequest, 'token'>): Promise<T> {
    const body = await readBody(await this.open(cluster, caller, req));
    return JSON.parse(body) as T;
  }
}
