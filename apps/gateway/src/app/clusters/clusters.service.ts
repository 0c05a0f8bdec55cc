import { BadRequestException, HttpException, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ClusterStatus, ClusterSummary, KubeconfigContextCheck, WhoAmI } from '@cairn/api-contracts';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { checkKubeconfig } from './user-clusters';

/** The clusters this console knows, whether they answer, and the kubeconfigs users bring. */
@Injectable()
export class ClustersService {
  constructor(private readonly kube: KubeService) {}

  /**
   * The configured clusters by name (the sign-in page needs the names: a bearer token is per
   * cluster). Where their API servers are, and the contexts that cannot be used with the
   * reason, only for a signed-in caller: any Authorization header is not enough, only a session
   * or a bearer a cluster accepts.
   */
  async list(request: FastifyRequest): Promise<ClusterSummary[]> {
    const signedIn = Boolean(await this.kube.signedIn(request));
    const usable = this.kube.configuredClusters().map(({ name, server, source, namespace }): ClusterSummary => ({ name, ...(signedIn ? { server } : {}), source, ...(namespace ? { namespace } : {}) }));
    const unusable = signedIn ? [...this.kube.clusterProblems()].map(([name, problem]): ClusterSummary => ({ name, source: 'kubeconfig', problem })) : [];
    return [...usable, ...unusable];
  }

  /** Whether the cluster answers `/version` within 5 s, and its version; never an error for an unreachable cluster. */
  async status(cluster: string, caller: Caller | undefined): Promise<ClusterStatus> {
    try {
      const version = await this.kube.json<{ gitVersion: string }>(cluster, caller, { method: 'GET', path: '/version', timeoutMs: 5000 });
      return { name: cluster, reachable: true, version: version.gitVersion };
    } catch (err) {
      return { name: cluster, reachable: false, error: err instanceof HttpException ? err.message : String(err) };
    }
  }

  /**
   * Each context of a kubeconfig a user wants to add (kept in the browser, never stored here),
   * with the X-Cairn-Cluster entry to send or why Cairn refuses it, within
   * CAIRN_MAX_KUBECONFIG_CONTEXTS, CAIRN_MAX_KUBECONFIG_FIELD_BYTES and
   * CAIRN_MAX_CHECK_REPLY_BYTES. A 400 when user-added clusters are turned off.
   */
  checkKubeconfig(kubeconfig: string): { contexts: KubeconfigContextCheck[] } {
    if (!this.kube.userClusterPolicy) throw new BadRequestException('User-added clusters are turned off on this console (CAIRN_USER_CLUSTERS=false).');
    const limits = this.kube.limits;
    return { contexts: checkKubeconfig(kubeconfig, { contexts: limits.kubeconfigContexts, fieldBytes: limits.kubeconfigFieldBytes, replyBytes: limits.checkReplyBytes }) };
  }

  /** Who the cluster says the caller is: a SelfSubjectReview with the caller's credentials. */
  async whoami(cluster: string, caller: Caller): Promise<WhoAmI> {
    const review = await this.kube.json<{ status: { userInfo: { username: string; uid?: string; groups?: string[] } } }>(cluster, caller, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    const info = review.status.userInfo;
    return { username: info.username, ...(info.uid ? { uid: info.uid } : {}), groups: info.groups ?? [] };
  }
}
