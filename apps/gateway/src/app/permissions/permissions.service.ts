import { Injectable } from '@nestjs/common';
import type { AccessResult, RulesReview } from '@cairn/api-contracts';
import type { AccessCheck } from '@cairn/api-contracts/requests';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';

/** Asks the API server what the caller may do: SelfSubjectAccessReviews, all at once. */
@Injectable()
export class PermissionsService {
  constructor(private readonly kube: KubeService) {}

  /** One answer per check, in order (the authorizer's reason when it gave one). */
  review(cluster: string, caller: Caller, checks: AccessCheck[]): Promise<AccessResult[]> {
    return Promise.all(
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
  }

  /**
   * The caller's rules in `namespace` (those of ClusterRoleBindings included): a SelfSubjectRulesReview
   * (`authorization.k8s.io/v1`), whose answer is read whole within CAIRN_MAX_UPSTREAM_BODY_BYTES.
   */
  async rules(cluster: string, caller: Caller, namespace: string): Promise<RulesReview> {
    const review = await this.kube.json<{ status?: { resourceRules?: RulesReview['resourceRules']; nonResourceRules?: RulesReview['nonResourceRules']; incomplete?: boolean; evaluationError?: string } }>(
      cluster,
      caller,
      {
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } }),
      },
    );
    const status = review.status ?? {};
    return {
      namespace,
      resourceRules: status.resourceRules ?? [],
      nonResourceRules: status.nonResourceRules ?? [],
      incomplete: status.incomplete ?? false,
      ...(status.evaluationError ? { evaluationError: status.evaluationError } : {}),
    };
  }
}
