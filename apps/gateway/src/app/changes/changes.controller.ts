import { BadRequestException, Controller, Delete, Headers, HttpCode, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod/mini';
import { JsonBody, PathParams, QueryParams } from '@cairn/server-runtime';
import type { ApplyResult } from '@cairn/api-contracts';
import {
  ApplyBody,
  ApplyQuery,
  ClusterParams,
  CreateBody,
  CreateBodyBounded,
  DeleteQuery,
  DryRunQuery,
  KindParams,
  NamespacedObjectParams,
  ObjectParams,
  PATCH_CONTENT_TYPES,
  PatchBody,
  ReplaceBody,
  ReplaceBodyBounded,
  ScaleBody,
} from '@cairn/api-contracts/requests';
import { Audit, AuditRecord, Audited } from '../edge/audit';
import { SignedIn } from '../edge/signed-in.guard';
import { KubeService } from '../kube/kube.service';
import { ChangesService } from './changes.service';

/**
 * Every change the console makes: HTTP in, a ChangesService call out. The CSRF/Origin guard
 * (FromConsoleGuard) stands in front of each, the caller's own credentials make it, and
 * AuditInterceptor leaves one audit line.
 */
@ApiTags('changes')
@Audited()
@Controller('api/v1/clusters/:cluster')
export class ChangesController {
  constructor(
    private readonly kube: KubeService,
    private readonly changes: ChangesService,
  ) {}

  @Post('apply')
  @HttpCode(200)
  @SignedIn('applying YAML')
  @ApiOperation({
    summary:
      'Create or update the objects of a YAML (or JSON) document with server-side apply. Every object is dry-run first; if any is refused, nothing is applied. dryRun=true stops after the dry run.',
  })
  async apply(
    @PathParams(ClusterParams) { cluster }: z.output<typeof ClusterParams>,
    @QueryParams(ApplyQuery) q: z.output<typeof ApplyQuery>,
    @JsonBody(ApplyBody) body: ApplyBody,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
  ): Promise<{ dryRun: boolean; objects: ApplyResult[] }> {
    const caller = await this.kube.changer(request, cluster, audit);
    return this.changes.apply(caller, cluster, audit, body.yaml, { namespace: body.namespace, dryRun: q.dryRun ?? false, force: q.force ?? false });
  }

  @Post('resources/:group/:version/:resource')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Create one object (never replacing one: an object of that name is a 409 with reason AlreadyExists). dryRun=true: the API server's validation only, answering the object as it would store it; a refusal's field errors come as `causes` with the field path the API server names.",
  })
  async create(
    @PathParams(KindParams) kind: KindParams,
    @QueryParams(DryRunQuery) q: z.output<typeof DryRunQuery>,
    @JsonBody(CreateBodyBounded, 'The new object, whole: apiVersion, kind, metadata.name (or generateName), and no resourceVersion.') object: CreateBody,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const caller = await this.kube.changer(request, kind.cluster, audit);
    return this.changes.create(caller, kind, q.namespace, object, q.dryRun ?? false, audit);
  }

  @Put('resources/:group/:version/:resource/:name')
  @ApiOperation({
    summary:
      'Replace one object with the one sent (an edit of its YAML), only if it is still at the sent resourceVersion: a change made meanwhile is a 409, never overwritten. dryRun=true answers with the object as the API server would store it, without storing it. A Secret whose values are missing (as Cairn shows them before they are revealed) is refused with a 422.',
  })
  async replace(
    @PathParams(ObjectParams) ref: ObjectParams,
    @QueryParams(DryRunQuery) q: z.output<typeof DryRunQuery>,
    @JsonBody(ReplaceBodyBounded, 'The whole object as it should be stored, with the metadata.resourceVersion it was edited from.') object: ReplaceBody,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const caller = await this.kube.changer(request, ref.cluster, audit);
    return this.changes.replace(caller, ref, q.namespace, object, q.dryRun ?? false, audit);
  }

  @Patch('resources/:group/:version/:resource/:name')
  @ApiConsumes(...PATCH_CONTENT_TYPES)
  @ApiOperation({ summary: `Patch one object: Content-Type ${PATCH_CONTENT_TYPES.join(', ')} (JSON).` })
  async patch(
    @PathParams(ObjectParams) ref: ObjectParams,
    @QueryParams(DryRunQuery) q: z.output<typeof DryRunQuery>,
    @Headers('content-type') contentType: string | undefined,
    @JsonBody(PatchBody, 'A merge or strategic-merge patch (an object), or a JSON patch (an array).') patch: unknown,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    // Media types are case-insensitive (RFC 9110).
    const type = ((contentType ?? '').split(';')[0] ?? '').trim().toLowerCase();
    if (!(PATCH_CONTENT_TYPES as readonly string[]).includes(type)) throw new BadRequestException(`Content-Type must be one of ${PATCH_CONTENT_TYPES.join(', ')} (got "${type}").`);
    const caller = await this.kube.changer(request, ref.cluster, audit);
    return this.changes.patch(caller, ref, q.namespace, patch, type, q.dryRun ?? false, audit);
  }

  @Delete('resources/:group/:version/:resource/:name')
  @ApiOperation({ summary: 'Delete one object (propagationPolicy Foreground, Background or Orphan; default Background).' })
  async remove(@PathParams(ObjectParams) ref: ObjectParams, @QueryParams(DeleteQuery) q: z.output<typeof DeleteQuery>, @Audit() audit: AuditRecord, @Req() request: FastifyRequest): Promise<unknown> {
    const caller = await this.kube.changer(request, ref.cluster, audit);
    return this.changes.remove(caller, ref, q.namespace, { propagationPolicy: q.propagationPolicy, dryRun: q.dryRun ?? false }, audit);
  }

  @Post('resources/:group/:version/:resource/:name/scale')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the replica count through the scale subresource: {"replicas": n}. dryRun=true: the API server checks it and stores nothing.' })
  async scale(
    @PathParams(ObjectParams) ref: ObjectParams,
    @QueryParams(DryRunQuery) q: z.output<typeof DryRunQuery>,
    @JsonBody(ScaleBody) body: ScaleBody,
    @Audit() audit: AuditRecord,
    @Req() request: FastifyRequest,
  ): Promise<{ replicas: number }> {
    const caller = await this.kube.changer(request, ref.cluster, audit);
    return this.changes.scale(caller, ref, q.namespace, body.replicas, audit, q.dryRun ?? false);
  }

  @Post('resources/:group/:version/:resource/:name/restart')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rollout restart of a Deployment, StatefulSet or DaemonSet (as kubectl rollout restart does). dryRun=true: the API server checks it and stores nothing.' })
  async restart(@PathParams(ObjectParams) ref: ObjectParams, @QueryParams(DryRunQuery) q: z.output<typeof DryRunQuery>, @Audit() audit: AuditRecord, @Req() request: FastifyRequest): Promise<{ restartedAt: string }> {
    const caller = await this.kube.changer(request, ref.cluster, audit);
    return this.changes.restart(caller, ref, q.namespace, audit, q.dryRun ?? false);
  }

  @Post('namespaces/:namespace/cronjobs/:name/trigger')
  @HttpCode(201)
  @ApiOperation({ summary: 'Run a CronJob now: creates a Job from its template (as kubectl create job --from=cronjob/x does).' })
  async trigger(@PathParams(NamespacedObjectParams) p: z.output<typeof NamespacedObjectParams>, @Audit() audit: AuditRecord, @Req() request: FastifyRequest): Promise<{ job: string }> {
    const caller = await this.kube.changer(request, p.cluster, audit);
    return this.changes.trigger(caller, p.cluster, p.namespace, p.name, audit);
  }
}
