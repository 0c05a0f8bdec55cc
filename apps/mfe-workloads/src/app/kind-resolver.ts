import { inject, Injectable } from '@angular/core';
import { ApiClient } from '@cairn/data-access';
import type { ApiResource } from '@cairn/api-contracts';
import { genericKind, WorkloadKind } from './workload-kinds';

/** What each cluster serves (discovery), asked once per cluster and tab. */
@Injectable({ providedIn: 'root' })
export class KindResolver {
  private readonly api = inject(ApiClient);
  private readonly cache = new Map<string, Promise<ApiResource[]>>();

  resources(cluster: string): Promise<ApiResource[]> {
    let resources = this.cache.get(cluster);
    if (!resources) {
      resources = this.api.apiResources(cluster);
      resources.catch(() => this.cache.delete(cluster));
      this.cache.set(cluster, resources);
    }
    return resources;
  }

  /** The descriptor of any kind, with its real name and scope once discovery has answered. */
  async resolve(cluster: string, group: string, version: string, resource: string): Promise<WorkloadKind> {
    const found = (await this.resources(cluster)).find((r) => r.group === group && r.version === version && r.resource === resource);
    return genericKind(group, version, resource, found?.kind ?? resource, found?.namespaced ?? true);
  }
}
