import { BadRequestException, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { optionalBool, optionalInt, query, resourcePath, ResourceRef } from '../kube/resource-paths';
import { DiscoveryService } from './discovery.service';
import { redactSecret, redactSecretList } from './secrets';
import type { ApiResource } from '@cairn/api-contracts';

/** How the API server is asked for its printed table (what `kubectl get` shows), with the plain list as fallback. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

type ListQuery = {
  as?: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: string;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
};

@ApiTags('resources')
@Controller('api/v1/clusters/:cluster')
export class ResourcesController {
  constructor(
    private readonly kube: KubeService,
    private readonly discovery: DiscoveryService,
  ) {}

  @Get('api-resources')
  @ApiOperation({ summary: 'Every kind the cluster serves (CRDs included), from aggregated discovery, as the caller may see it.' })
  async apiResources(@Param('cluster') cluster: string, @Req() request: FastifyRequest): Promise<ApiResource[]> {
    return this.discovery.resources(cluster, await this.kube.caller(request, cluster));
  }

  @Get('resources/:group/:version/:resource')
  @ApiOperation({ summary: 'List objects of one kind, in one namespace or all, with selectors and paging (limit/continue). Secret values are removed.' })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'labelSelector', required: false })
  @ApiQuery({ name: 'fieldSelector', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'continue', required: false })
  @ApiQuery({ name: 'resourceVersion', required: false })
  @ApiQuery({ name: 'resourceVersionMatch', required: false })
  @ApiQuery({ name: 'as', required: false, description: '`Table`: the API server\'s printed table (meta.k8s.io/v1 Table: the columns `kubectl get` shows, CRD printer columns included), rows carrying their object\'s metadata' })
  async list(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query() q: ListQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (q.as !== undefined && q.as !== 'Table') throw new BadRequestException(`as must be "Table" (the API server's printed table) or left out (got "${q.as}").`);
    const table = q.as === 'Table';
    const path =
      resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace: q.namespace }) +
      query({
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        limit: optionalInt('limit', q.limit, 1, 10_000),
        continue: q.continue,
        resourceVersion: q.resourceVersion,
        resourceVersionMatch: q.resourceVersionMatch,
        includeObject: table ? 'Metadata' : undefined,
      });
    const caller = await this.kube.caller(request, cluster);
    const res = await this.kube.open(cluster, caller, { method: 'GET', path, ...(table ? { accept: TABLE_ACCEPT } : {}) });
    if (isSecrets(ref)) {
      void reply.type('application/json').header('cache-control', 'no-store').send(redactSecretList(this.kube.parse(cluster, await this.kube.readBody(res))));
      return;
    }
    // Everything else streams through untouched: no parse, no copy of a 5 000-item list.
    void reply.type('application/json').header('cache-control', 'no-store').send(res);
  }

  @Get('resources/:group/:version/:resource/:name')
  @ApiOperation({ summary: 'One object. A Secret comes without its values unless reveal=true (and the caller may get it).' })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'reveal', required: false })
  async get(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Query('reveal') reveal: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    const caller = await this.kube.caller(request, cluster);
    const object = await this.kube.json<Record<string, unknown>>(cluster, caller, { method: 'GET', path });
    return isSecrets(ref) && !optionalBool('reveal', reveal) ? redactSecret(object) : object;
  }

  @Get('resources/:group/:version/:resource/:name/events')
  @ApiOperation({ summary: 'Events about one object, newest last.' })
  @ApiQuery({ name: 'namespace', required: false })
  async events(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    // Validates the reference the same way as a get.
    resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    const fieldSelector = [`involvedObject.name=${ref.name}`, ...(namespace ? [`involvedObject.namespace=${namespace}`] : [])].join(',');
    const caller = await this.kube.caller(request, cluster);
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'events', namespace }) + query({ fieldSelector });
    return this.kube.json(cluster, caller, { method: 'GET', path });
  }
}

function isSecrets(ref: ResourceRef): boolean {
  return ref.group === 'core' && ref.resource === 'secrets';
}
