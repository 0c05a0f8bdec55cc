import { computed, effect, inject, Injectable, Signal, signal, untracked } from '@angular/core';
import { ApiClient, ApiError, ConsoleContext, KubeObject } from '@cairn/data-access';
import type { ApiResource } from '@cairn/api-contracts';
import { asArray, asObject, text } from '@cairn/kube-model';
import { builtInKind, findWorkloadKind, genericKind, WorkloadKind } from './workload-kinds';

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
 * discovery (real kind name, cluster-wide or not). Call from a constructor. `builtInByResource`
 * (detail pages): a route by group/version/resource (global search's links) to a kind we describe
 * ourselves gets our page for it; lists by group/version/resource keep the API server's columns.
 */
export function kindFromRoute(params: KindParams, builtInByResource = false): Signal<WorkloadKind | undefined> {
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
    if (kind) return findWorkloadKind(kind);
    if (!builtInByResource) return generic();
    const builtIn = builtInKind(params.group() ?? '', params.resource() ?? '');
    return builtIn && builtIn.version === params.version() ? builtIn : generic();
  });
}

/** One step up an object's ownership: "ReplicaSet web-7d9f", with the console's route to it when the kind is known. */
export interface OwnerLink {
  kind: string;
  name: string;
  link?: string[];
  /** Why the chain stops here, when it stops early (the owner could not be read). */
  problem?: string;
}

/**
 * The chain of controlling owners of an object, nearest first, up to the top one (a Pod's
 * ReplicaSet, then its Deployment): each owner is read to find its own owner, at most `depth`
 * steps. Follows the `controller: true` reference (else the first one), as `kubectl describe`'s
 * "Controlled By". An owner the user may not read ends the chain with the reason.
 */
export async function ownerChain(api: ApiClient, resolver: KindResolver, cluster: string, object: KubeObject, depth = 5): Promise<OwnerLink[]> {
  const chain: OwnerLink[] = [];
  let current = object;
  for (let step = 0; step < depth; step++) {
    const refs = asArray(current.metadata['ownerReferences']).map(asObject);
    const ref = refs.find((r) => r['controller'] === true) ?? refs[0];
    if (!ref) break;
    const [group, version] = text(ref['apiVersion']).includes('/') ? text(ref['apiVersion']).split('/') : ['core', text(ref['apiVersion'])];
    const kindName = text(ref['kind']);
    const name = text(ref['name']);
    const namespace = current.metadata.namespace;
    const resource = (await resolver.resources(cluster).catch(() => [])).find((r) => r.group === group && r.version === version && r.kind === kindName);
    const builtIn = resource ? builtInKind(group as string, resource.resource) : undefined;
    const ns = resource?.namespaced === false ? '_' : (namespace ?? '_');
    const link = builtIn ? [...builtIn.path, ns, name] : resource ? ['/workloads', 'other', group as string, version as string, resource.resource, ns, name] : undefined;
    const owner: OwnerLink = { kind: kindName, name, ...(link ? { link } : {}) };
    chain.push(owner);
    if (!resource) break;
    try {
      current = await api.get(cluster, { group: group as string, version: version as string, resource: resource.resource }, name, resource.namespaced ? namespace : undefined);
    } catch (err) {
      if (refs.length) owner.problem = err instanceof ApiError && err.status === 404 ? 'gone' : `could not be read (${(err as Error).message})`;
      break;
    }
  }
  return chain;
}
