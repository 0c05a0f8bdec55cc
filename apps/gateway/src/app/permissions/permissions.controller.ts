import { BadRequestException, Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { checkedRef } from '../kube/resource-paths';
import { AccessCheck, AccessResult, MAX_ACCESS_CHECKS } from '@cairn/api-contracts';

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'escalate', 'bind', 'approve', 'sign', 'use', '*'];
export const MAX_CHECKS = MAX_ACCESS_CHECKS;

@ApiTags('permissions')
@Controller('api/v1/clusters/:cluster')
export class PermissionsController {
  constructor(private readonly kube: KubeService) {}

  @Post('access-reviews')
  @HttpCode(200)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['checks'],
      properties: {
        checks: {
          type: 'array',
          maxItems: MAX_CHECKS,
          items: {
            type: 'object',
            required: ['verb', 'resource'],
            properties: {
              verb: { type: 'string', enum: VERBS },
              group: { type: 'string' },
              resource: { type: 'string' },
              subresource: { type: 'string' },
              namespace: { type: 'string' },
              name: { type: 'string' },
            },
          },
        },
      },
    },
  })
  @ApiOperation({ summary: `May the caller do these things? Up to ${MAX_CHECKS} SelfSubjectAccessReviews in one call, answered in order.` })
  async review(@Param('cluster') cluster: string, @Body() body: { checks?: AccessCheck[] }, @Req() request: FastifyRequest): Promise<{ results: AccessResult[] }> {
    const checks = validate(body);
    const caller = await this.kube.caller(request, cluster);
    const results = await Promise.all(
      checks.map(async (check) => {
        const review = await this.kube.json<{ status: { allowed: boolean; reason?: string } }>(cluster, caller, {
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          body: JSON.stringify({
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                verb: check.verb,
                group: check.group === 'core' ? '' : (check.group ?? ''),
                resource: check.resource,
                subresource: check.subresource,
                namespace: check.namespace,
                name: check.name,
              },
            },
          }),
        });
        return { allowed: review.status.allowed, ...(review.status.reason ? { reason: review.status.reason } : {}) };
      }),
    );
    return { results };
  }
}

function validate(body: { checks?: AccessCheck[] } | undefined): AccessCheck[] {
  const checks = body?.checks;
  if (!Array.isArray(checks) || checks.length === 0) throw new BadRequestException('Send {"checks": [{"verb": "list", "group": "apps", "resource": "deployments", "namespace": "team-a"}, ...]}.');
  if (checks.length > MAX_CHECKS) throw new BadRequestException(`At most ${MAX_CHECKS} checks per call (got ${checks.length}).`);
  return checks.map((check, i) => {
    if (typeof check !== 'object' || check === null || !VERBS.includes(check.verb)) {
      throw new BadRequestException(`checks[${i}].verb must be one of ${VERBS.join(', ')}.`);
    }
    try {
      checkedRef({ group: check.group || 'core', version: 'v1', resource: check.resource, namespace: check.namespace, name: check.name, subresource: check.subresource });
    } catch (err) {
      throw new BadRequestException(`checks[${i}]: ${(err as Error).message}`);
    }
    return check;
  });
}
