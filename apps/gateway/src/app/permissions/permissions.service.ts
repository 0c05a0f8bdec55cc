import { Injectable } from '@nestjs/common';
import type { AccessResult } from '@cairn/api-contracts';
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
}
