import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { PathParams, QueryParams } from '@cairn/server-runtime';
import { LogQuery, PodLogParams, WorkloadLogParams } from '@cairn/api-contracts/requests';
import { KubeService } from '../kube/kube.service';
import { LogsService, MAX_MERGED_PODS } from './logs.service';

@ApiTags('logs')
@Controller('api/v1/clusters/:cluster/namespaces/:namespace')
export class LogsController {
  constructor(
    private readonly kube: KubeService,
    private readonly logs: LogsService,
  ) {}

  @Get('pods/:pod/log')
  @ApiOperation({ summary: "A container's log as plain text; with follow=true it streams until the caller disconnects." })
  async log(@PathParams(PodLogParams) p: z.output<typeof PodLogParams>, @QueryParams(LogQuery) q: LogQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await this.kube.caller(request, p.cluster);
    // The browser went away: stop reading the API server's stream too.
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    // HEAD learns that the log is there (the caller may read it), and streams nothing.
    if (request.method === 'HEAD') q = { ...q, follow: false, limitBytes: 1 };
    const { stream, release } = await this.logs.podLog(caller, p, q, abort.signal);
    reply.raw.once('close', release);
    void reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      // Proxies must not buffer a followed log.
      .header('x-accel-buffering', 'no')
      .send(stream);
  }

  @Get('workloads/:group/:version/:resource/:name/logs')
  @ApiOperation({
    summary: `Every pod of a workload (found by its selector; at most ${MAX_MERGED_PODS}), merged as NDJSON lines {pod, container, line}; same parameters as a pod's log, and every container unless one is named.`,
  })
  async workloadLogs(@PathParams(WorkloadLogParams) p: z.output<typeof WorkloadLogParams>, @QueryParams(LogQuery) q: LogQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await this.kube.caller(request, p.cluster);
    const merged = await this.logs.workloadLog(caller, p, q);
    if (request.method === 'HEAD') {
      void reply.code(200).type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send();
      return;
    }
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    await merged.run((record) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(record)}\n`);
    }, abort.signal);
    res.end();
  }
}
