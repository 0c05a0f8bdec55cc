import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PathParams, QueryParams } from '@cairn/server-runtime';
import type { HelmHistory, HelmReleaseList, HelmRevision } from '@cairn/api-contracts';
import { ClusterParams, HelmReleaseParams, HelmRevisionParams, NamespaceQuery } from '@cairn/api-contracts/requests';
import type * as z from 'zod/mini';
import { KubeService } from '../kube/kube.service';
import { HelmService } from './helm.service';

/** Helm releases, read-only, from Helm's own storage with the caller's credentials (no Helm binary). */
@ApiTags('helm')
@Controller('api/v1/clusters/:cluster')
export class HelmController {
  constructor(
    private readonly kube: KubeService,
    private readonly helm: HelmService,
  ) {}

  @Get('helm/releases')
  @ApiOperation({
    summary:
      'helm list --all [-n namespace | -A]: the latest revision of each release, decoded from Helm\'s release Secrets (type helm.sh/release.v1) and ConfigMaps labelled owner=helm. A caller who may not list Secrets there gets the API server\'s 403. At most MAX_HELM_RELEASES releases (`truncated` says so); a revision that cannot be decoded is a row with `error`.',
  })
  async list(@PathParams(ClusterParams) p: z.output<typeof ClusterParams>, @QueryParams(NamespaceQuery) q: z.output<typeof NamespaceQuery>, @Req() request: FastifyRequest): Promise<HelmReleaseList> {
    return this.helm.list(await this.kube.caller(request, p.cluster), p.cluster, q.namespace);
  }

  @Get('namespaces/:namespace/helm/releases/:name')
  @ApiOperation({ summary: 'helm history <name>: every revision, newest first, at most MAX_HELM_REVISIONS; a 404 when Helm\'s storage holds no revision of it.' })
  async history(@PathParams(HelmReleaseParams) p: HelmReleaseParams, @Req() request: FastifyRequest): Promise<HelmHistory> {
    return this.helm.history(await this.kube.caller(request, p.cluster), p.cluster, p.namespace, p.name);
  }

  @Get('namespaces/:namespace/helm/releases/:name/revisions/:revision')
  @ApiOperation({
    summary:
      'helm get values [--all] / manifest / notes --revision <n>: one revision whole. The computed values are the user\'s coalesced over the chart\'s defaults as Helm does for a stored release. A revision whose data cannot be decoded is a 422 saying why (over MAX_HELM_RELEASE_BYTES inflated, not gzip, not JSON, a missing field).',
  })
  async revision(@PathParams(HelmRevisionParams) p: HelmRevisionParams, @Req() request: FastifyRequest): Promise<HelmRevision> {
    return this.helm.revision(await this.kube.caller(request, p.cluster), p.cluster, p.namespace, p.name, p.revision);
  }
}
