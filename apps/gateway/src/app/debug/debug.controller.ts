import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { JsonBody, PathParams } from '@cairn/server-runtime';
import type { DebugStarted } from '@cairn/api-contracts';
import { DebugContainerBody, DebugCopyBody, PodExecParams } from '@cairn/api-contracts/requests';
import type * as z from 'zod/mini';
import { Audit, AuditRecord, Audited } from '../edge/audit';
import { KubeService } from '../kube/kube.service';
import { DebugService } from './debug.service';

/** `kubectl debug` on a pod: an ephemeral debug container, or a copy of the pod with one. Attaching is the terminal's WebSocket. */
@ApiTags('debug')
@Audited()
@Controller('api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod')
export class DebugController {
  constructor(
    private readonly kube: KubeService,
    private readonly debug: DebugService,
  ) {}

  @Post('debug-containers')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'kubectl debug -it <pod> --image=… [--target=…] [-c …] [-- command…] as the caller: adds an ephemeral container (stdin, tty, SYS_PTRACE as kubectl\'s general profile) through the pod\'s ephemeralcontainers subresource (the API server authorizes patch pods/ephemeralcontainers). Answers the container\'s name; attach to it with the terminal once it runs.',
  })
  async addContainer(@PathParams(PodExecParams) p: z.output<typeof PodExecParams>, @JsonBody(DebugContainerBody) body: DebugContainerBody, @Audit() audit: AuditRecord, @Req() request: FastifyRequest): Promise<DebugStarted> {
    return this.debug.addContainer(await this.kube.changer(request, p.cluster, audit), p, body, audit);
  }

  @Post('debug-copies')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'kubectl debug -it <pod> --copy-to=<name> [--image=…] [-c …] [--share-processes] [-- command…] as the caller: creates a copy of the pod (create pods) without its labels, annotations, owner references, probes and node, with the debug container added or changed. Answers the new pod and container.',
  })
  async copy(@PathParams(PodExecParams) p: z.output<typeof PodExecParams>, @JsonBody(DebugCopyBody) body: DebugCopyBody, @Audit() audit: AuditRecord, @Req() request: FastifyRequest): Promise<DebugStarted> {
    return this.debug.copy(await this.kube.changer(request, p.cluster, audit), p, body, audit);
  }
}
