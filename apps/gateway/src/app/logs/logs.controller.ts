import { BadRequestException, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

const LOG_QUERY = ['container', 'follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'limitBytes'] as const;
const logQueries = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  for (const name of LOG_QUERY) ApiQuery({ name, required: false, type: ['container'].includes(name) ? String : ['follow', 'previous', 'timestamps'].includes(name) ? Boolean : Number })(target, key, descriptor);
};
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { lines } from '../kube/lines';
import { PerIdentityLimit } from '../kube/per-identity-limit';
import { optionalBool, optionalInt, query, resourcePath } from '../kube/resource-paths';

/** Merged logs follow at most this many pods of a workload. */
export const MAX_MERGED_PODS = 20;

type LogQuery = {
  container?: string;
  follow?: string;
  previous?: string;
  timestamps?: string;
  tailLines?: string;
  sinceSeconds?: string;
  limitBytes?: string;
};

@ApiTags('logs')
@Controller('api/v1/clusters/:cluster/namespaces/:namespace')
export class LogsController {
  /** Followed logs per identity (each container of a merged log counts): CAIRN_MAX_FOLLOWED_LOGS_PER_USER. */
  private readonly followedPerUser: PerIdentityLimit;

  constructor(private readonly kube: KubeService) {
    this.followedPerUser = new PerIdentityLimit(kube.limits.followedLogsPerUser, 'followed logs', 'CAIRN_MAX_FOLLOWED_LOGS_PER_USER');
  }

  @Get('pods/:pod/log')
  @logQueries()
  @ApiOperation({ summary: "A container's log as plain text; with follow=true it streams until the caller disconnects." })
  async log(
    @Param('cluster') cluster: string,
    @Param('namespace') namespace: string,
    @Param('pod') pod: string,
    @Query() q: LogQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path =
      resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace, name: pod, subresource: 'log' }) +
      query({
        container: q.container,
        follow: optionalBool('follow', q.follow),
        previous: optionalBool('previous', q.previous),
        timestamps: optionalBool('timestamps', q.timestamps),
        tailLines: optionalInt('tailLines', q.tailLines, 0, 1_000_000),
        sinceSeconds: optionalInt('sinceSeconds', q.sinceSeconds, 1, 10 * 365 * 24 * 3600),
        limitBytes: optionalInt('limitBytes', q.limitBytes, 1, 1024 * 1024 * 1024),
      });
    const caller = await this.kube.caller(request, cluster);
    const release = optionalBool('follow', q.follow) ? this.followedPerUser.acquire(caller.identity) : () => undefined;
    const abort = new AbortController();
    // The browser went away: stop reading the API server's stream too.
    request.raw.on('close', () => abort.abort());
    reply.raw.once('close', release);
    let upstream: IncomingMessage;
    try {
      upstream = await this.kube.open(cluster, caller, { method: 'GET', path, accept: '*/*', signal: abort.signal, timeoutMs: 30_000 });
    } catch (err) {
      release();
      throw err;
    }
    upstream.on('error', () => undefined);
    void reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      // Proxies must not buffer a followed log.
      .header('x-accel-buffering', 'no')
      .send(upstream);
  }

  @Get('workloads/:group/:version/:resource/:name/logs')
  @logQueries()
  @ApiOperation({
    summary: `Every pod of a workload (found by its selector; at most ${MAX_MERGED_PODS}), merged as NDJSON lines {pod, container, line}; same parameters as a pod's log, and every container unless one is named.`,
  })
  async workloadLogs(
    @Param('cluster') cluster: string,
    @Param('namespace') namespace: string,
    @Param('group') group: string,
    @Param('version') version: string,
    @Param('resource') resource: string,
    @Param('name') name: string,
    @Query() q: LogQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const caller = await this.kube.caller(request, cluster);
    const workload = await this.kube.json<{ spec?: { selector?: LabelSelector } }>(cluster, caller, {
      method: 'GET',
      path: resourcePath({ group, version, resource, namespace, name }),
    });
    const selector = workload.spec?.selector;
    if (!selector) throw new BadRequestException(`${resource}/${name} has no pod selector: only workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs) have merged logs.`);
    const pods = await this.kube.json<{ items: Array<{ metadata: { name: string }; spec: { containers: Array<{ name: string }> } }> }>(cluster, caller, {
      method: 'GET',
      path: resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace }) + query({ labelSelector: toLabelSelector(selector) }),
    });
    const params = {
      follow: optionalBool('follow', q.follow),
      previous: optionalBool('previous', q.previous),
      timestamps: optionalBool('timestamps', q.timestamps),
      tailLines: optionalInt('tailLines', q.tailLines, 0, 1_000_000),
      sinceSeconds: optionalInt('sinceSeconds', q.sinceSeconds, 1, 10 * 365 * 24 * 3600),
    };
    const items = Array.isArray(pods.items) ? pods.items : [];
    const all = items
      .slice(0, MAX_MERGED_PODS)
      .flatMap((pod) => (Array.isArray(pod?.spec?.containers) ? pod.spec.containers : []).filter((c) => !q.container || c?.name === q.container).map((c) => ({ pod: String(pod.metadata?.name), container: String(c?.name) })));
    // Fan-out bound: one merged log opens at most CAIRN_MAX_MERGED_LOG_STREAMS upstream streams.
    const limit = this.kube.limits.mergedLogStreams;
    const targets = all.slice(0, limit);
    const release = params.follow ? this.followedPerUser.acquire(caller.identity, targets.length) : () => undefined;
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    reply.raw.once('close', release);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const write = (value: object) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(value)}\n`);
    };
    if (items.length > MAX_MERGED_PODS) write({ notice: `showing ${MAX_MERGED_PODS} of ${items.length} pods` });
    if (all.length > limit) write({ notice: `following ${limit} of ${all.length} containers, the bound on one merged log (CAIRN_MAX_MERGED_LOG_STREAMS)` });
    await Promise.all(
      targets.map(async ({ pod, container }) => {
        let upstream: IncomingMessage;
        try {
          upstream = await this.kube.open(cluster, caller, {
            method: 'GET',
            path: resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace, name: pod, subresource: 'log' }) + query({ container, ...params }),
            accept: '*/*',
            signal: abort.signal,
          });
        } catch (err) {
          if (!abort.signal.aborted) write({ pod, container, error: (err as Error).message });
          return;
        }
        try {
          for await (const line of lines(upstream, { keepEmpty: true, maxLine: this.kube.limits.lineBytes })) write({ pod, container, line });
        } catch (err) {
          // The caller left, the pod went away, or a line broke the bound; the other streams go on.
          upstream.destroy();
          if (!abort.signal.aborted) write({ pod, container, error: (err as Error).message });
        }
      }),
    );
    release();
    res.end();
  }
}


interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** A workload's selector as the label-selector string a list takes. */
export function toLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
