import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import type { ApiResource } from '@cairn/api-contracts';

interface DiscoveryList {
  items: Array<{
    metadata: { name: string };
    versions: Array<{
      version: string;
      resources?: Array<{ resource: string; responseKind?: { kind: string }; scope: string; verbs?: string[]; subresources?: Array<{ subresource: string }> }>;
    }>;
  }>;
}

const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/**
 * The kinds a cluster serves, from its aggregated discovery (two requests), asked with the
 * caller's credentials each time: nothing is cached across callers.
 */
@Injectable()
export class DiscoveryService {
  constructor(private readonly kube: KubeService) {}

  async resources(cluster: string, caller: Caller): Promise<ApiResource[]> {
    const [core, groups] = await Promise.all(
      ['/api', '/apis'].map((path) => this.kube.json<DiscoveryList>(cluster, caller, { method: 'GET', path, accept: AGGREGATED_DISCOVERY })),
    );
    const out: ApiResource[] = [];
    for (const list of [core, groups]) {
      for (const group of list?.items ?? []) {
        group.versions.forEach((v, index) => {
          for (const r of v.resources ?? []) {
            out.push({
              group: group.metadata.name || 'core',
              version: v.version,
              resource: r.resource,
              kind: r.responseKind?.kind ?? '',
              namespaced: r.scope === 'Namespaced',
              verbs: r.verbs ?? [],
              subresources: (r.subresources ?? []).map((s) => s.subresource),
              preferred: index === 0,
            });
          }
        });
      }
    }
    return out;
  }
}
