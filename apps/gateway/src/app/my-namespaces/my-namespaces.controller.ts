import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { PathParams, QueryParams } from '@cairn/server-runtime';
import type { MyNamespaces } from '@cairn/api-contracts';
import { ClusterParams, MyNamespacesQuery } from '@cairn/api-contracts/requests';
import { KubeService } from '../kube/kube.service';
import { MyNamespacesService } from './my-namespaces.service';

@ApiTags('permissions')
@Controller('api/v1/clusters/:cluster')
export class MyNamespacesController {
  constructor(
    private readonly kube: KubeService,
    private readonly myNamespaces: MyNamespacesService,
  ) {}

  @Get('my-namespaces')
  @ApiOperation({
    summary:
      'For a caller who may not list namespaces: the namespaces found by the administrator\u2019s method (CAIRN_NAMESPACE_DISCOVERY: labelled, groups), each one the caller may `list pods` in by a SelfSubjectAccessReview made with the caller\u2019s own credentials. `fresh=true` skips the short per-caller cache.',
  })
  async find(
    @PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>,
    @QueryParams(MyNamespacesQuery) { fresh }: z.output<typeof MyNamespacesQuery>,
    @Req() request: FastifyRequest,
  ): Promise<MyNamespaces> {
    return this.myNamespaces.find(cluster, await this.kube.caller(request, cluster), fresh);
  }
}
