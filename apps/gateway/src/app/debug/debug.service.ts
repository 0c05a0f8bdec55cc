import { BadRequestException, Injectable } from '@nestjs/common';
import type { DebugStarted } from '@cairn/api-contracts';
import type { DebugContainerBody, DebugCopyBody } from '@cairn/api-contracts/requests';
import { ephemeralContainerPatch, ephemeralDebugContainer, podCopyWithDebugContainer } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { AuditRecord } from '../edge/audit';
import { KubeService } from '../kube/kube.service';
import { query, resourcePath } from '../kube/resource-paths';
import { FIELD_MANAGER } from '../changes/changes.service';

export interface PodRef {
  cluster: string;
  namespace: string;
  pod: string;
}

/**
 * `kubectl debug` on a pod as the caller (kube-model holds kubectl's rules for what is sent):
 * an ephemeral debug container through the pod's `ephemeralcontainers` subresource (the API
 * server authorizes `patch pods/ephemeralcontainers`), or a copy of the pod with a debug
 * container (`create pods`). Both read the pod first with the caller's credentials, as kubectl
 * does; what the API server refuses comes back as its own status. Nothing is half-applied:
 * each is one write.
 */
@Injectable()
export class DebugService {
  constructor(private readonly kube: KubeService) {}

  async addContainer(caller: Caller, ref: PodRef, body: DebugContainerBody, audit: AuditRecord): Promise<DebugStarted> {
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace: ref.namespace, name: ref.pod });
    audit.describe('debug', `${path}/ephemeralcontainers (image ${body.image}${body.target ? `, target ${body.target}` : ''})`);
    const pod = await this.kube.json<unknown>(ref.cluster, caller, { method: 'GET', path });
    const container = this.rule(() => ephemeralDebugContainer(pod, body));
    await this.kube.json(ref.cluster, caller, {
      method: 'PATCH',
      path: `${path}/ephemeralcontainers${query({ fieldManager: FIELD_MANAGER })}`,
      body: JSON.stringify(ephemeralContainerPatch(pod, container)),
      contentType: 'application/strategic-merge-patch+json',
    });
    return { namespace: ref.namespace, pod: ref.pod, container: String(container['name']) };
  }

  async copy(caller: Caller, ref: PodRef, body: DebugCopyBody, audit: AuditRecord): Promise<DebugStarted> {
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace: ref.namespace, name: ref.pod });
    audit.describe('debug-copy', `${path} → ${body.copyName}${body.image ? ` (image ${body.image})` : ''}`);
    const pod = await this.kube.json<unknown>(ref.cluster, caller, { method: 'GET', path });
    const copy = this.rule(() => podCopyWithDebugContainer(pod, body));
    await this.kube.json(ref.cluster, caller, {
      method: 'POST',
      path: resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace: ref.namespace }) + query({ fieldManager: FIELD_MANAGER }),
      body: JSON.stringify(copy.pod),
      contentType: 'application/json',
    });
    return { namespace: ref.namespace, pod: body.copyName, container: copy.container };
  }

  /** kubectl's own refusals (a taken name, an unknown target) as a 400 that says what to change. */
  private rule<T>(build: () => T): T {
    try {
      return build();
    } catch (err) {
      throw new BadRequestException((err as Error).message);
    }
  }
}
