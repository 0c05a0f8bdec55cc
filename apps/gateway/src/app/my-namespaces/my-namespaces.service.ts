import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { MyNamespaces } from '@cairn/api-contracts';
import { NAMESPACE_ACCESS_CHECK, namespaceCandidates } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { PermissionsService } from '../permissions/permissions.service';
import { GATEWAY_SETTINGS, GatewaySettings } from '../settings/gateway-settings';
import type { NamespaceDiscoverySettings } from './discovery-settings';

/** Callers' answers kept at once, at most; the oldest goes first. */
export const MY_NAMESPACES_CACHE_ENTRIES = 5000;

/**
 * The namespaces a caller who may not list namespaces finds (issue 24 item 2), by the
 * administrator's method (CAIRN_NAMESPACE_DISCOVERY):
 * - `labelled`: namespaces carrying CAIRN_NAMESPACE_DISCOVERY_LABEL, listed with the gateway's
 *   own ServiceAccount (the caller cannot list them: that is the point);
 * - `groups`: the namespaces CAIRN_NAMESPACE_DISCOVERY_GROUPS gives the caller's groups, as the
 *   verified ID token's `groups` claim (kept in the session the auth service sealed) holds them;
 *   a bare `Authorization: Bearer` caller has no verified groups here and gets none.
 * At most CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES candidates (the first by name) are then each
 * checked with a SelfSubjectAccessReview made with the CALLER's credentials
 * (kube-model's NAMESPACE_ACCESS_CHECK, `list pods`): only the names the API server allows leave
 * the gateway. The answer is kept per caller credential and cluster for
 * CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS (at most MY_NAMESPACES_CACHE_ENTRIES answers), never
 * shared between credentials.
 */
@Injectable()
export class MyNamespacesService {
  private readonly logger = new Logger('MyNamespaces');
  private readonly discovery: NamespaceDiscoverySettings | undefined;
  private readonly answers = new Map<string, { until: number; answer: Promise<MyNamespaces> }>();

  constructor(
    private readonly kube: KubeService,
    private readonly permissions: PermissionsService,
    @Inject(GATEWAY_SETTINGS) settings: Pick<GatewaySettings, 'namespaceDiscovery'>,
  ) {
    this.discovery = settings.namespaceDiscovery;
  }

  /**
   * The caller's namespaces on `cluster` (MyNamespaces); `fresh` skips the cache. Errors: the
   * API server's refusal of a review, mapped as every other call's; a 502 naming the console's
   * ServiceAccount when its list of labelled namespaces fails.
   */
  async find(cluster: string, caller: Caller, fresh = false): Promise<MyNamespaces> {
    const discovery = this.discovery;
    if (!discovery || !discovery.clusters.includes(cluster) || caller.userCluster) return { methods: [], namespaces: [] };
    // The same token may come as a bearer header (no verified groups) and in a session (with them): both are in the key.
    const key = JSON.stringify([cluster, caller.credential, discovery.methods.includes('groups') ? (caller.user?.groups ?? []) : []]);
    const now = Date.now();
    const kept = this.answers.get(key);
    if (kept && kept.until > now && !fresh) return kept.answer;
    const answer = this.discover(discovery, cluster, caller);
    if (discovery.cacheSeconds > 0) {
      this.answers.delete(key);
      if (this.answers.size >= MY_NAMESPACES_CACHE_ENTRIES) this.answers.delete(this.answers.keys().next().value as string);
      this.answers.set(key, { until: now + discovery.cacheSeconds * 1000, answer });
      // A failure is not kept: the next call asks again.
      answer.catch(() => this.answers.get(key)?.answer === answer && this.answers.delete(key));
    }
    return answer;
  }

  private async discover(discovery: NamespaceDiscoverySettings, cluster: string, caller: Caller): Promise<MyNamespaces> {
    const byGroups = discovery.methods.includes('groups');
    const labelled = discovery.methods.includes('labelled') ? await this.labelled(discovery, cluster) : [];
    const candidates = namespaceCandidates(labelled, byGroups ? discovery.groups : {}, byGroups ? (caller.user?.groups ?? []) : [], discovery.maxCandidates);
    const results = candidates.names.length
      ? await this.permissions.review(
          cluster,
          caller,
          candidates.names.map((namespace) => ({ ...NAMESPACE_ACCESS_CHECK, namespace })),
        )
      : [];
    const namespaces = candidates.names.filter((_, i) => results[i]?.allowed === true);
    const limit = discovery.maxCandidates;
    return {
      methods: discovery.methods,
      namespaces,
      ...(candidates.truncated
        ? {
            limited: {
              limit,
              setting: 'CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES' as const,
              message: `Only the first ${limit} candidate namespaces (by name) were checked for you (CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES): type a namespace that is not offered, or ask the console's administrator to raise the bound.`,
            },
          }
        : {}),
    };
  }

  /**
   * Names of the namespaces carrying the label, listed with the gateway's ServiceAccount: the
   * first maxCandidates + 1 by name (the API server lists in name order), enough to know the
   * bound was crossed without reading more.
   */
  private async labelled(discovery: NamespaceDiscoverySettings, cluster: string): Promise<string[]> {
    const path = `/api/v1/namespaces?labelSelector=${encodeURIComponent(discovery.labelSelector)}&limit=${discovery.maxCandidates + 1}`;
    let body: string;
    try {
      // Only names are needed: the API server sends metadata, not whole Namespaces.
      const res = await this.kube.openAsGateway(cluster, { method: 'GET', path, accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' });
      body = await this.kube.readBody(res, 30_000);
    } catch (err) {
      // Not the caller's refusal: the console's own configuration is wrong, so a 502 that says whose and how to fix it.
      const reason = (err as Error).message;
      this.logger.warn(`namespace discovery on ${cluster}: the gateway's ServiceAccount could not list namespaces labelled ${discovery.labelSelector}: ${reason}`);
      throw new HttpException(
        `Namespace discovery on ${cluster} failed: the console's own ServiceAccount could not list the namespaces labelled ${discovery.labelSelector} (${reason.slice(0, 300)}). Its administrator must let it list namespaces (the Helm chart does with config.namespaceDiscovery.methods: [labelled]); meanwhile, type your namespace.`,
        HttpStatus.BAD_GATEWAY,
      );
    }
    const list = this.kube.parse<{ items?: Array<{ metadata?: { name?: string } }> }>(cluster, body);
    return (list.items ?? []).map((n) => n.metadata?.name).filter((n): n is string => typeof n === 'string');
  }
}
