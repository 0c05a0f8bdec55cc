import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { JsonBody, PathParams, QueryParams } from '@cairn/server-runtime';
import { AccessResult, MAX_ACCESS_CHECKS, RulesReview } from '@cairn/api-contracts';
import { AccessReviewBody, ClusterParams, RulesReviewQuery } from '@cairn/api-contracts/requests';
import { KubeService } from '../kube/kube.service';
import { PermissionsService } from './permissions.service';

@ApiTags('permissions')
@Controller('api/v1/clusters/:cluster')
export class PermissionsController {
  constructor(
    private readonly kube: KubeService,
    private readonly permissions: PermissionsService,
  ) {}

  @Post('access-reviews')
  @HttpCode(200)
  @ApiOperation({ summary: `May the caller do these things? Up to ${MAX_ACCESS_CHECKS} SelfSubjectAccessReviews in one call, answered in order.` })
  async review(
    @PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>,
    @JsonBody(AccessReviewBody) body: z.output<typeof AccessReviewBody>,
    @Req() request: FastifyRequest,
  ): Promise<{ results: AccessResult[] }> {
    return { results: await this.permissions.review(cluster, await this.kube.caller(request, cluster), body.checks) };
  }

  @Get('rules-review')
  @ApiOperation({
    summary:
      'What the caller may do in `namespace` (required; the rules of ClusterRoleBindings show in every namespace): a SelfSubjectRulesReview with the caller\u2019s credentials. `incomplete` means the API server could not list every rule (the caller may be allowed more).',
  })
  async rules(
    @PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>,
    @QueryParams(RulesReviewQuery) { namespace }: z.output<typeof RulesReviewQuery>,
    @Req() request: FastifyRequest,
  ): Promise<RulesReview> {
    return this.permissions.rules(cluster, await this.kube.caller(request, cluster), namespace);
  }
}
