import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonBody, PathParams } from '@cairn/server-runtime';
import { DEFAULT_DRAIN_SECONDS, DrainBody, NodeParams } from '@cairn/api-contracts/requests';
import { Audit, AuditRecord, Audited } from '../edge/audit';
import { KubeService } from '../kube/kube.service';
import { DrainService } from './drain.service';
import { ndjsonReply } from '../edge/ndjson-reply';

/**
 * Node maintenance that is more than one patch. Cordon, uncordon, taints and labels are
 * strategic-merge patches on the Node through the changes API; a drain is many calls over
 * minutes, so it streams its progress.
 */
@ApiTags('nodes')
@Audited()
@Controller('api/v1/clusters/:cluster/nodes')
export class NodesController {
  constructor(
    private readonly kube: KubeService,
    private readonly drains: DrainService,
  ) {}

  @Post(':name/drain')
  @HttpCode(200)
  @ApiOperation({
    summary: `kubectl drain as the caller: cordons the node, then evicts its pods through the Eviction API (disruption budgets hold: a pod a budget protects waits), leaving DaemonSet and mirror pods; pods with no controller or emptyDir data only with force / deleteEmptyDirData. Streams NDJSON lines (cordoned, plan, pod, done) until every pod is gone or timeoutSeconds (default ${DEFAULT_DRAIN_SECONDS}) passes; closing the connection stops it. One drain per node at a time (409).`,
  })
  async drain(
    @PathParams(NodeParams) p: NodeParams,
    @JsonBody(DrainBody) options: DrainBody,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const caller = await this.kube.changer(request, p.cluster, audit);
    const drain = await this.drains.begin(caller, p.cluster, p.name, options, audit);
    // The browser went away (or pressed Stop): stop evicting.
    const out = ndjsonReply(reply);
    await drain.run(out.write, out.signal);
    out.end();
  }
}
