import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PathParams, QueryParams } from '@cairn/server-runtime';
import { ClusterParams, NodeMetricsQuery, PodMetricsQuery } from '@cairn/api-contracts/requests';
import type { MetricsReply } from '@cairn/api-contracts';
import type { z } from 'zod/mini';
import { KubeService } from '../kube/kube.service';
import { MetricsService } from './metrics.service';

/** CPU and memory usage (`kubectl top`) from the cluster's metrics.k8s.io, read as the caller. */
@ApiTags('metrics')
@Controller('api/v1/clusters/:cluster/metrics')
export class MetricsController {
  constructor(
    private readonly kube: KubeService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('pods')
  @ApiOperation({
    summary: `kubectl top pods as the caller: each pod's CPU (millicores) and memory (MiB), its containers added up, in one namespace or all (one pod with name). {served: false, message} when the cluster does not serve metrics.k8s.io or it is unavailable; 403 when RBAC refuses; 502 when the answer is larger than CAIRN_MAX_UPSTREAM_BODY_BYTES (ask for one namespace).`,
  })
  async pods(@PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>, @QueryParams(PodMetricsQuery) q: PodMetricsQuery, @Req() request: FastifyRequest): Promise<MetricsReply> {
    return this.metrics.pods(cluster, await this.kube.caller(request, cluster), q);
  }

  @Get('nodes')
  @ApiOperation({
    summary: `kubectl top nodes as the caller: each node's CPU and memory and, when the caller may read the node, their shares of its allocatable. {served: false, message} when the cluster does not serve metrics.k8s.io or it is unavailable; 403 when RBAC refuses; 502 when the answer is larger than CAIRN_MAX_UPSTREAM_BODY_BYTES.`,
  })
  async nodes(@PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>, @QueryParams(NodeMetricsQuery) q: NodeMetricsQuery, @Req() request: FastifyRequest): Promise<MetricsReply> {
    return this.metrics.nodes(cluster, await this.kube.caller(request, cluster), q);
  }
}
