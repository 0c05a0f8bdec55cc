import { computed, effect, inject, Injectable, Signal, signal, untracked } from '@angular/core';
import { ApiClient, ConsoleContext } from '@cairn/data-access';
import type { ApiResource } from '@cairn/api-contracts';
import { findWorkloadKind, genericKind, WorkloadKind } from './workload-kinds';

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

/** The route parameters that name a kind: a built-in one (`kind`), or any one (`group`/`version`/`resource`). */
export interface KindParams {
  kind: Signal<string | undefined>;
  group: Signal<string | undefined>;
  version: Signal<string | undefined>;
  resource: Signal<string | undefined>;
}

/**
 * The kind a page shows, from its route: a built-in descriptor, or a generic one refined by
 * discovery (real kind name, cluster-wide or not). Call from a constructor.
 */
export function kindFromRoute(params: KindParams): Signal<WorkloadKind | undefined> {
  const resolver = inject(KindResolver);
  const context = inject(ConsoleContext);
  const generic = signal<WorkloadKind | undefined>(undefined);
  effect(() => {
    const [cluster, group, version, resource] = [context.cluster(), params.group(), params.version(), params.resource()];
    untracked(() => {
      if (!group || !version || !resource) return generic.set(undefined);
      generic.set(genericKind(group, version, resource));
      if (cluster) void resolver.resolve(cluster, group, version, resource).then((kind) => generic.set(kind), () => undefined);
    });
  });
  return computed(() => {
    const kind = params.kind();
    return kind ? findWorkloadKind(kind) : generic();
  });
}
