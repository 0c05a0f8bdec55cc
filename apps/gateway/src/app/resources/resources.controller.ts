import { negotiate } from '@fastify/accept-negotiator';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PathParams, QueryParams } from '@cairn/server-runtime';
import { ClusterParams, GetQuery, KindParams, ListQuery, NamespaceQuery, ObjectParams, OpenApiParams } from '@cairn/api-contracts/requests';
import { upstreamTiming, type ApiResource } from '@cairn/api-contracts';
import type { z } from 'zod/mini';
import { KubeService } from '../kube/kube.service';
import { ResourcesService } from './resources.service';

@ApiTags('resources')
@Controller('api/v1/clusters/:cluster')
export class ResourcesController {
  constructor(
    private readonly kube: KubeService,
    private readonly resources: ResourcesService,
  ) {}

  @Get('api-resources')
  @ApiOperation({ summary: 'Every kind the cluster serves (CRDs included), from aggregated discovery, as the caller may see it.' })
  async apiResources(@PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>, @Req() request: FastifyRequest): Promise<ApiResource[]> {
    return this.resources.apiResources(cluster, await this.kube.caller(request, cluster));
  }

  @Get('openapi/:group/:version')
  @ApiOperation({
    summary:
      "The OpenAPI v3 document the API server publishes for one group version (`core` for the legacy group), as the caller may read it: each kind's schema, CRDs' included (what Create's templates are made from). A 404 when the cluster publishes none; a 502 when the document is larger than CAIRN_MAX_UPSTREAM_BODY_BYTES.",
  })
  async openApi(@PathParams(OpenApiParams) p: OpenApiParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const document = await this.resources.openApi(await this.kube.caller(request, p.cluster), p);
    void reply.type('application/json').header('cache-control', 'no-store').send(document);
  }

  @Get('resources/:group/:version/:resource')
  @ApiOperation({
    summary:
      "List objects of one kind, in one namespace or all, with selectors and paging (limit/continue). as=Table: the API server's printed table (the columns `kubectl get` shows, CRD printer columns included), rows carrying their object's metadata, or only their cells with includeObject=None. Secret values are removed.",
  })
  async list(@PathParams(KindParams) kind: KindParams, @QueryParams(ListQuery) q: ListQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const acceptsGzip = negotiate(request.headers['accept-encoding'] ?? '', ['gzip']) === 'gzip';
    const list = await this.resources.list(await this.kube.caller(request, kind.cluster), kind, q, acceptsGzip);
    // Where a slow page's time went: until here, the gateway and the API server's answer; after, the body on its way.
    void reply.type('application/json').header('cache-control', 'no-store').header('vary', 'Accept-Encoding').header('server-timing', upstreamTiming(reply.elapsedTime));
    if ('stream' in list && list.encoding) void reply.header('content-encoding', list.encoding);
    void reply.send('stream' in list ? list.stream : list.json);
  }

  @Get('resources/:group/:version/:resource/:name')
  @ApiOperation({ summary: 'One object. A Secret comes without its values unless reveal=true (and the caller may get it).' })
  async get(@PathParams(ObjectParams) ref: ObjectParams, @QueryParams(GetQuery) q: z.output<typeof GetQuery>, @Req() request: FastifyRequest): Promise<unknown> {
    return this.resources.get(await this.kube.caller(request, ref.cluster), ref, q.namespace, q.reveal ?? false);
  }

  @Get('resources/:group/:version/:resource/:name/events')
  @ApiOperation({ summary: 'Events about one object, newest last.' })
  async events(@PathParams(ObjectParams) ref: ObjectParams, @QueryParams(NamespaceQuery) q: z.output<typeof NamespaceQuery>, @Req() request: FastifyRequest): Promise<unknown> {
    return this.resources.events(await this.kube.caller(request, ref.cluster), ref, q.namespace);
  }
}
