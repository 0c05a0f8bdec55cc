import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { JsonBody, PathParams } from '@cairn/server-runtime';
import type { ClusterStatus, ClusterSummary, KubeconfigContextCheck, WhoAmI } from '@cairn/api-contracts';
import { CheckKubeconfigBody, ClusterParams } from '@cairn/api-contracts/requests';
import { SignedIn } from '../edge/signed-in.guard';
import { KubeService } from '../kube/kube.service';
import { ClustersService } from './clusters.service';

@ApiTags('clusters')
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(
    private readonly kube: KubeService,
    private readonly clusters: ClustersService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The configured clusters (every kubeconfig context, and the in-cluster one). Their servers, and the contexts that cannot be used with the reason (`problem`), only for a signed-in caller.' })
  list(@Req() request: FastifyRequest): Promise<ClusterSummary[]> {
    return this.clusters.list(request);
  }

  @Get(':cluster/status')
  @ApiOperation({ summary: "Whether the cluster answers, and its version (the API server's public /version)." })
  async status(@PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>, @Req() request: FastifyRequest): Promise<ClusterStatus> {
    return this.clusters.status(cluster, await this.kube.optionalCaller(request, cluster));
  }

  @Post('check-kubeconfig')
  @HttpCode(200)
  @SignedIn('checking a kubeconfig')
  @ApiOperation({
    summary:
      "Check a kubeconfig a user wants to add (kept in the browser, never stored here): each context's server and either the X-Cairn-Cluster entry to send with its requests, or why Cairn refuses it.",
  })
  checkKubeconfig(@JsonBody(CheckKubeconfigBody) body: z.output<typeof CheckKubeconfigBody>): { contexts: KubeconfigContextCheck[] } {
    return this.clusters.checkKubeconfig(body.kubeconfig);
  }

  @Get(':cluster/whoami')
  @ApiOperation({ summary: 'Who the cluster says the caller is (a SelfSubjectReview with the caller\u2019s credentials).' })
  async whoami(@PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>, @Req() request: FastifyRequest): Promise<WhoAmI> {
    return this.clusters.whoami(cluster, await this.kube.caller(request, cluster));
  }
}
