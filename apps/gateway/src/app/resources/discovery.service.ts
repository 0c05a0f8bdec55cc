import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import type { ApiResource } from '@cairn/api-contracts';

/** `apidiscovery.k8s.io` v2 (1.30+) and v2beta1 (1.26–1.29) share the fields read here. */
interface AggregatedList {
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{ resource: string; responseKind?: { kind: string }; scope: string; verbs?: string[]; subresources?: Array<{ subresource: string }>; shortNames?: string[]; singularResource?: string }>;
    }>;
  }>;
}

/** The legacy documents: `/api` (APIVersions), `/apis` (APIGroupList), `/api/v1` and `/apis/<gv>` (APIResourceList). */
interface LegacyVersions {
  versions?: string[];
}
interface LegacyGroups {
  groups?: Array<{ name: string; versions?: Array<{ groupVersion: string; version: string }>; preferredVersion?: { version: string } }>;
}
interface LegacyResources {
  resources?: Array<{ name: string; namespaced: boolean; kind: string; verbs?: string[]; shortNames?: string[]; singularName?: string }>;
}

/**
 * Every form of discovery at once, best first: the API server answers with the newest it has
 * (aggregated v2 since 1.30, v2beta1 on 1.26–1.29, the legacy documents before and on servers
 * that turn aggregation off), and says which in its Content-Type.
 */
const DISCOVERY_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

/** At most this many group-version documents are read at once on a legacy server. */
const LEGACY_FAN_OUT = 8;

/**
 * The kinds a cluster serves, asked with the caller's credentials each time (nothing is cached
 * across callers): from aggregated discovery when the server has it (two requests), otherwise
 * from the legacy documents (one request per group version).
 */
@Injectable()
export class DiscoveryService {
  constructor(private readonly kube: KubeService) {}

  /** The kinds `cluster` serves, as `caller` may see them; `signal` aborts the requests (a search the browser left). */
  async resources(cluster: string, caller: Caller, signal?: AbortSignal): Promise<ApiResource[]> {
    const [core, groups] = await Promise.all(['/api', '/apis'].map((path) => this.get(cluster, caller, path, DISCOVERY_ACCEPT, signal)));
    if (core?.aggregated && groups?.aggregated) return [...fromAggregated(core.body as AggregatedList), ...fromAggregated(groups.body as AggregatedList)];
    return this.legacyResources(cluster, caller, core?.body as LegacyVersions, groups?.body as LegacyGroups, signal);
  }

  /** The kinds from the legacy documents; `core`/`groups` when already read. Public so tests can hold it against the aggregated form. */
  async legacyResources(cluster: string, caller: Caller, core?: LegacyVersions, groups?: LegacyGroups, signal?: AbortSignal): Promise<ApiResource[]> {
    core ??= (await this.get(cluster, caller, '/api', 'application/json', signal)).body as LegacyVersions;
    groups ??= (await this.get(cluster, caller, '/apis', 'application/json', signal)).body as LegacyGroups;
    const documents: Array<{ group: string; version: string; path: string; preferred: boolean }> = [
      ...(core.versions ?? []).map((version, i) => ({ group: 'core', version, path: `/api/${version}`, preferred: i === 0 })),
      ...(groups.groups ?? []).flatMap((g) =>
        (g.versions ?? []).map((v) => ({ group: g.name, version: v.version, path: `/apis/${v.groupVersion}`, preferred: v.version === (g.preferredVersion?.version ?? g.versions?.[0]?.version) })),
      ),
    ];
    const out: ApiResource[] = [];
    for (let i = 0; i < documents.length; i += LEGACY_FAN_OUT) {
      const batch = documents.slice(i, i + LEGACY_FAN_OUT);
      const lists = await Promise.all(batch.map((d) => this.get(cluster, caller, d.path, 'application/json', signal).then((r) => r.body as LegacyResources)));
      batch.forEach((d, index) => {
        const resources = lists[index]?.resources ?? [];
        const subresources = (name: string) => resources.filter((r) => r.name.startsWith(`${name}/`)).map((r) => r.name.slice(name.length + 1));
        for (const r of resources) {
          if (r.name.includes('/')) continue;
          out.push({ group: d.group, version: d.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [], subresources: subresources(r.name), preferred: d.preferred, ...names(r.shortNames, r.singularName) });
        }
      });
    }
    return out;
  }

  private async get(cluster: string, caller: Caller, path: string, accept: string, signal?: AbortSignal): Promise<{ body: unknown; aggregated: boolean }> {
    const res = await this.kube.open(cluster, caller, { method: 'GET', path, accept, ...(signal ? { signal } : {}) });
    const type = String(res.headers['content-type'] ?? '');
    return { body: this.kube.parse(cluster, await this.kube.readBody(res)), aggregated: type.includes('as=APIGroupDiscoveryList') };
  }
}

function fromAggregated(list: AggregatedList): ApiResource[] {
  const out: ApiResource[] = [];
  for (const group of list.items ?? []) {
    (group.versions ?? []).forEach((v, index) => {
      for (const r of v.resources ?? []) {
        out.push({
          group: group.metadata?.name || 'core',
          version: v.version,
          resource: r.resource,
          kind: r.responseKind?.kind ?? '',
          namespaced: r.scope === 'Namespaced',
          verbs: r.verbs ?? [],
          subresources: (r.subresources ?? []).map((s) => s.subresource),
          preferred: index === 0,
          ...names(r.shortNames, r.singularResource),
        });
      }
    });
  }
  return out;
}

/** kubectl's other names for a kind, when discovery gives them (older servers leave `singular` empty). */
function names(shortNames: string[] | undefined, singular: string | undefined): Pick<ApiResource, 'shortNames' | 'singular'> {
  return { ...(shortNames?.length ? { shortNames } : {}), ...(singular ? { singular } : {}) };
}
