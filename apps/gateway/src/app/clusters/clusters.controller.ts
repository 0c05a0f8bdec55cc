import { BadRequestException, Body, Controller, Get, HttpCode, HttpException, Param, PayloadTooLargeException, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { checkKubeconfig, USER_CLUSTER_PREFIX } from './user-clusters';
import type { ClusterStatus, ClusterSummary, KubeconfigContextCheck, WhoAmI } from '@cairn/api-contracts';

@ApiTags('clusters')
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(private readonly kube: KubeService) {}

  @Get()
  @ApiOperation({ summary: 'The configured clusters (every kubeconfig context, and the in-cluster one). Their servers, and the contexts that cannot be used with the reason (`problem`), only for a signed-in caller.' })
  async list(@Req() request: FastifyRequest): Promise<ClusterSummary[]> {
    // The sign-in page needs the names (a bearer token is per cluster); where the API
    // servers are is nobody's business before signing in.
    // Any Authorization header is not enough: only a session or a bearer a cluster accepts.
    const signedIn = Boolean(await this.kube.callers.signedIn(request));
    const usable = this.kube.connections.list().map(({ name, server, source, namespace }): ClusterSummary => ({ name, ...(signedIn ? { server } : {}), source, ...(namespace ? { namespace } : {}) }));
    // Contexts that cannot be used are listed with the reason (for signed-in callers), so people see why one is missing.
    const unusable = signedIn ? [...this.kube.connections.problems].map(([name, problem]): ClusterSummary => ({ name, source: 'kubeconfig', problem })) : [];
    return [...usable, ...unusable];
  }

  @Get(':cluster/status')
  @ApiOperation({ summary: "Whether the cluster answers, and its version (the API server's public /version)." })
  async status(@Param('cluster') cluster: string, @Req() request: FastifyRequest): Promise<ClusterStatus> {
    const user = cluster.startsWith(USER_CLUSTER_PREFIX);
    // A user-added cluster's entry must be usable (a 400 says why not); a configured one may be asked anonymously.
    const caller = user ? await this.kube.caller(request, cluster) : (this.kube.connections.config(cluster), await this.kube.callers.forCluster(request, cluster).catch(() => undefined));
    try {
      const version = await this.kube.json<{ gitVersion: string }>(cluster, caller, { method: 'GET', path: '/version', timeoutMs: 5000 });
      return { name: cluster, reachable: true, version: version.gitVersion };
    } catch (err) {
      return { name: cluster, reachable: false, error: err instanceof HttpException ? err.message : String(err) };
    }
  }

  @Post('check-kubeconfig')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', required: ['kubeconfig'], properties: { kubeconfig: { type: 'string', description: 'The kubeconfig file\'s text (YAML or JSON).' } } } })
  @ApiOperation({
    summary:
      "Check a kubeconfig a user wants to add (kept in the browser, never stored here): each context's server and either the X-Cairn-Cluster entry to send with its requests, or why Cairn refuses it.",
  })
  async checkKubeconfig(@Body() body: { kubeconfig?: unknown }, @Req() request: FastifyRequest): Promise<{ contexts: KubeconfigContextCheck[] }> {
    if (!this.kube.connections.userClusterPolicy) throw new BadRequestException('User-added clusters are turned off on this console (CAIRN_USER_CLUSTERS=false).');
    // The document is parsed only for a signed-in caller.
    await this.kube.callers.requireSignedIn(request, 'checking a kubeconfig');
    if (typeof body?.kubeconfig !== 'string' || !body.kubeconfig.trim()) throw new BadRequestException('Send {"kubeconfig": "<the kubeconfig file\'s text>"}.');
    if (body.kubeconfig.length > 1024 * 1024) throw new PayloadTooLargeException('A kubeconfig larger than 1 MiB is not accepted.');
    const limits = this.kube.limits;
    return { contexts: checkKubeconfig(body.kubeconfig, { contexts: limits.kubeconfigContexts, fieldBytes: limits.kubeconfigFieldBytes, replyBytes: limits.checkReplyBytes }) };
  }

  @Get(':cluster/whoami')
  @ApiOperation({ summary: 'Who the cluster says the caller is (a SelfSubjectReview with the caller\u2019s credentials).' })
  async whoami(@Param('cluster') cluster: string, @Req() request: FastifyRequest): Promise<WhoAmI> {
    const caller = await this.kube.caller(request, cluster);
    const review = await this.kube.json<{ status: { userInfo: { username: string; uid?: string; groups?: string[] } } }>(cluster, caller, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    const info = review.status.userInfo;
    return { username: info.username, ...(info.uid ? { uid: info.uid } : {}), groups: info.groups ?? [] };
  }
}
