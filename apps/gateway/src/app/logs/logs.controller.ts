import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { optionalBool, optionalInt, query, resourcePath } from '../kube/resource-paths';

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
@Controller('api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod')
export class LogsController {
  constructor(private readonly kube: KubeService) {}

  @Get('log')
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
    const abort = new AbortController();
    // The browser went away: stop reading the API server's stream too.
    request.raw.on('close', () => abort.abort());
    const upstream = await this.kube.open(cluster, caller, { method: 'GET', path, accept: '*/*', signal: abort.signal, timeoutMs: 30_000 });
    upstream.on('error', () => undefined);
    void reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      // Proxies must not buffer a followed log.
      .header('x-accel-buffering', 'no')
      .send(upstream);
  }
}
