import { BadRequestException, Body, Controller, Delete, Headers, HttpCode, HttpException, Logger, Param, Patch, PayloadTooLargeException, Post, Put, Query, Req, UnprocessableEntityException } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Alias, Document, isAlias, isCollection, isPair, isScalar, Node, parseAllDocuments } from 'yaml';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { optionalBool, optionalInt, query, resourcePath, ResourceRef } from '../kube/resource-paths';
import { DiscoveryService } from '../resources/discovery.service';
import { hiddenValueProblem, redactSecret } from '../resources/secrets';
import { MANIFEST_YAML_OPTIONS, type ApiResource, type ApplyResult } from '@cairn/api-contracts';

const FIELD_MANAGER = 'cairn';
const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'];
const RESTARTABLE = ['deployments', 'statefulsets', 'daemonsets'];

type Manifest = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } };

/**
 * Every change the console makes. Each one needs the CSRF header when made with the
 * session cookie, runs with the caller's credentials, and leaves one audit line.
 */
@ApiTags('changes')
@Controller('api/v1/clusters/:cluster')
export class ChangesController {
  private readonly audit = new Logger('Audit');

  constructor(
    private readonly kube: KubeService,
    private readonly discovery: DiscoveryService,
  ) {}

  private async changer(request: FastifyRequest, cluster: string): Promise<Caller> {
    const caller = await this.kube.caller(request, cluster);
    this.kube.callers.assertCsrfSafe(request, caller);
    if (caller.user || caller.via !== 'header') return caller;
    // An API client's bearer: the audit line names the person a configured cluster says it is
    // (its SelfSubjectReview, cached a minute), not just "a bearer-token client".
    const who = await this.kube.callers.signedIn(request).catch(() => undefined);
    return who?.name ? { ...caller, user: { name: who.name } } : caller;
  }

  private async audited<T>(caller: Caller, cluster: string, action: string, target: string, run: () => Promise<T>): Promise<T> {
    const who = caller.user?.name ?? (caller.via === 'header' ? 'bearer-token client (not known to any configured cluster)' : 'unknown');
    try {
      const out = await run();
      this.audit.log(JSON.stringify({ audit: true, who, cluster, action, target, result: 'ok' }));
      return out;
    } catch (err) {
      const status = err instanceof HttpException ? err.getStatus() : 500;
      this.audit.log(JSON.stringify({ audit: true, who, cluster, action, target, result: 'refused', status }));
      throw err;
    }
  }

  @Post('apply')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', required: ['yaml'], properties: { yaml: { type: 'string', description: 'One or more YAML (or JSON) documents.' }, namespace: { type: 'string', description: 'For namespaced objects that name none.' } } } })
  @ApiOperation({
    summary:
      'Create or update the objects of a YAML (or JSON) document with server-side apply. Every object is dry-run first; if any is refused, nothing is applied. dryRun=true stops after the dry run.',
  })
  async apply(
    @Param('cluster') cluster: string,
    @Body() body: { yaml?: unknown; namespace?: unknown },
    @Query('dryRun') dryRunParam: string | undefined,
    @Query('force') forceParam: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<{ dryRun: boolean; objects: ApplyResult[] }> {
    const dryRun = optionalBool('dryRun', dryRunParam) ?? false;
    const force = optionalBool('force', forceParam) ?? false;
    // Who asks comes first: an anonymous caller (or a made-up bearer) gets a 401 before the YAML is read.
    await this.kube.callers.requireSignedIn(request, 'applying YAML');
    const caller = await this.changer(request, cluster);
    if (typeof body?.yaml !== 'string' || !body.yaml.trim()) throw new BadRequestException('Send {"yaml": "<one or more YAML documents>"}.');
    const defaultNamespace = typeof body.namespace === 'string' ? body.namespace : undefined;
    const manifests = parseManifests(body.yaml, { bytes: this.kube.limits.manifestBytes, aliases: this.kube.limits.yamlAliases });
    manifests.forEach((m, i) => {
      const hidden = hiddenValueProblem(m.object);
      if (hidden) throw new UnprocessableEntityException(`Document ${i + 1}: ${hidden} Nothing was applied.`);
    });
    const kinds = await this.discovery.resources(cluster, caller);
    const targets = manifests.map((m, i) => {
      const r = kinds.find((k) => `${k.group === 'core' ? '' : `${k.group}/`}${k.version}` === m.apiVersion && k.kind === m.kind && !k.resource.includes('/'));
      if (!r) throw new BadRequestException(`Document ${i + 1}: cluster ${cluster} does not serve ${m.kind} in ${m.apiVersion} (or you may not see it).`);
      const namespace = r.namespaced ? (m.namespace ?? defaultNamespace) : undefined;
      if (r.namespaced && !namespace) throw new BadRequestException(`Document ${i + 1}: ${m.kind} ${m.name} is namespaced; give metadata.namespace or choose a namespace.`);
      return { manifest: m, resource: r, namespace };
    });
    const target = targets.map((t) => `${t.manifest.kind}/${t.namespace ? `${t.namespace}/` : ''}${t.manifest.name}`).join(', ');
    return this.audited(caller, cluster, dryRun ? 'apply (dry run)' : 'apply', target, async () => {
      const dryRuns = await Promise.all(
        targets.map(async (t, i) => {
          try {
            return await this.applyOne(cluster, caller, t.resource, t.namespace, t.manifest, true, force);
          } catch (err) {
            if (err instanceof HttpException) throw new HttpException(`Document ${i + 1} (${t.manifest.kind} ${t.manifest.name}): ${err.message} Nothing was applied.`, err.getStatus());
            throw err;
          }
        }),
      );
      if (dryRun) return { dryRun, objects: dryRuns };
      const objects: ApplyResult[] = [];
      for (const t of targets) objects.push(await this.applyOne(cluster, caller, t.resource, t.namespace, t.manifest, false, force));
      return { dryRun, objects };
    });
  }

  private async applyOne(cluster: string, caller: Caller, r: ApiResource, namespace: string | undefined, m: ParsedManifest, dryRun: boolean, force: boolean): Promise<ApplyResult> {
    const path = resourcePath({ group: r.group, version: r.version, resource: r.resource, namespace, name: m.name });
    // Through the caller's own connection, so a user-added cluster is reached like any other.
    let before: { metadata: { resourceVersion?: string } } | undefined;
    try {
      before = await this.kube.json(cluster, caller, { method: 'GET', path });
    } catch (err) {
      if (!(err instanceof HttpException && err.getStatus() === 404)) throw err;
    }
    const object = { ...m.object, metadata: { ...(m.object['metadata'] as object), ...(namespace ? { namespace } : {}) } };
    const applied = await this.kube.json<{ metadata: { resourceVersion?: string } }>(cluster, caller, {
      method: 'PATCH',
      path: path + query({ fieldManager: FIELD_MANAGER, force: force || undefined, dryRun: dryRun ? 'All' : undefined }),
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
    });
    // A real apply that changed nothing leaves the resourceVersion as it was.
    const result = !before ? 'created' : !dryRun && before.metadata.resourceVersion === applied.metadata.resourceVersion ? 'unchanged' : 'configured';
    return { apiVersion: m.apiVersion, kind: m.kind, name: m.name, ...(namespace ? { namespace } : {}), result };
  }

  @Put('resources/:group/:version/:resource/:name')
  @ApiBody({ schema: { type: 'object', required: ['apiVersion', 'kind', 'metadata'], description: 'The whole object as it should be stored, with the metadata.resourceVersion it was edited from.' } })
  @ApiOperation({
    summary:
      'Replace one object with the one sent (an edit of its YAML), only if it is still at the sent resourceVersion: a change made meanwhile is a 409, never overwritten. dryRun=true answers with the object as the API server would store it, without storing it. A Secret whose values are missing (as Cairn shows them before they are revealed) is refused with a 422.',
  })
  async replace(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('Send the whole object as JSON: {"apiVersion": …, "kind": …, "metadata": {…}, …}.');
    const object = body as { metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } } & Record<string, unknown>;
    const metadata = object.metadata ?? {};
    if (metadata.name !== ref.name) throw new BadRequestException(`metadata.name must be "${ref.name}", the object this address names (got ${JSON.stringify(metadata.name ?? null)}); renaming is not an edit.`);
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new BadRequestException(`metadata.namespace must be "${namespace ?? ''}", where the object is (got ${JSON.stringify(metadata.namespace)}); moving is not an edit.`);
    }
    // "0" means "any version" to the API server: it would skip the conflict check.
    if (typeof metadata.resourceVersion !== 'string' || !metadata.resourceVersion || metadata.resourceVersion === '0') {
      throw new BadRequestException('metadata.resourceVersion is missing: send the version the object was edited from, so a change made meanwhile is refused as a conflict instead of overwritten.');
    }
    const hidden = hiddenValueProblem(object, { secret: ref.group === 'core' && ref.resource === 'secrets' });
    if (hidden) throw new UnprocessableEntityException(hidden);
    const caller = await this.changer(request, cluster);
    const isDryRun = optionalBool('dryRun', dryRun) ?? false;
    return this.audited(caller, cluster, isDryRun ? 'replace (dry run)' : 'replace', path, () =>
      this.kube.json(cluster, caller, {
        method: 'PUT',
        path: path + query({ fieldManager: FIELD_MANAGER, dryRun: isDryRun ? 'All' : undefined }),
        body: JSON.stringify(object),
      }),
    );
  }

  @Patch('resources/:group/:version/:resource/:name')
  @ApiBody({ schema: { type: 'object', description: 'A merge or strategic-merge patch (an object), or a JSON patch (an array).' } })
  @ApiOperation({ summary: 'Patch one object: Content-Type merge-patch, strategic-merge-patch or json-patch (JSON).' })
  async patch(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!PATCH_TYPES.includes(type)) throw new BadRequestException(`Content-Type must be one of ${PATCH_TYPES.join(', ')} (got "${type}").`);
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    const caller = await this.changer(request, cluster);
    const patched = await this.audited(caller, cluster, 'patch', path, () =>
      this.kube.json<Record<string, unknown>>(cluster, caller, {
        method: 'PATCH',
        path: path + query({ fieldManager: FIELD_MANAGER, dryRun: optionalBool('dryRun', dryRun) ? 'All' : undefined }),
        body: JSON.stringify(body),
        contentType: type,
      }),
    );
    // The answer is the whole object: a Secret's values stay on the server, as with a get.
    return ref.group === 'core' && ref.resource === 'secrets' ? redactSecret(patched) : patched;
  }

  @Delete('resources/:group/:version/:resource/:name')
  @ApiOperation({ summary: 'Delete one object (propagationPolicy Foreground, Background or Orphan; default Background).' })
  async remove(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Query('propagationPolicy') propagationPolicy: string | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    if (propagationPolicy && !['Foreground', 'Background', 'Orphan'].includes(propagationPolicy)) {
      throw new BadRequestException(`propagationPolicy must be Foreground, Background or Orphan (got "${propagationPolicy}").`);
    }
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    const caller = await this.changer(request, cluster);
    const isDryRun = optionalBool('dryRun', dryRun) ?? false;
    const deleted = await this.audited(caller, cluster, isDryRun ? 'delete (dry run)' : 'delete', path, () =>
      this.kube.json<Record<string, unknown>>(cluster, caller, {
        method: 'DELETE',
        path: path + query({ dryRun: isDryRun ? 'All' : undefined }),
        // The API server takes DeleteOptions from the body when one is sent, ignoring the query: dryRun must be here.
        body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: propagationPolicy ?? 'Background', ...(isDryRun ? { dryRun: ['All'] } : {}) }),
      }),
    );
    // The API server answers with the deleted object: a Secret's values stay on the server, as with a get.
    return (ref.group === 'core' && ref.resource === 'secrets') || deleted?.['kind'] === 'Secret' ? redactSecret(deleted) : deleted;
  }

  @Post('resources/:group/:version/:resource/:name/scale')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', required: ['replicas'], properties: { replicas: { type: 'integer', minimum: 0, maximum: 100000 } } } })
  @ApiOperation({ summary: 'Set the replica count through the scale subresource: {"replicas": n}.' })
  async scale(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Body() body: { replicas?: unknown },
    @Req() request: FastifyRequest,
  ): Promise<{ replicas: number }> {
    const replicas = optionalInt('replicas', body?.replicas === undefined ? undefined : String(body.replicas), 0, 100_000);
    if (replicas === undefined) throw new BadRequestException('Send {"replicas": <a whole number from 0 to 100000>}.');
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name, subresource: 'scale' });
    const caller = await this.changer(request, cluster);
    const scale = await this.audited(caller, cluster, `scale to ${replicas}`, path, () =>
      this.kube.json<{ spec: { replicas: number } }>(cluster, caller, {
        method: 'PATCH',
        path: path + query({ fieldManager: FIELD_MANAGER }),
        body: JSON.stringify({ spec: { replicas } }),
        contentType: 'application/merge-patch+json',
      }),
    );
    return { replicas: scale.spec.replicas };
  }

  @Post('resources/:group/:version/:resource/:name/restart')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rollout restart of a Deployment, StatefulSet or DaemonSet (as kubectl rollout restart does).' })
  async restart(
    @Param('cluster') cluster: string,
    @Param() ref: ResourceRef,
    @Query('namespace') namespace: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<{ restartedAt: string }> {
    if (ref.group !== 'apps' || !RESTARTABLE.includes(ref.resource)) throw new BadRequestException(`Only ${RESTARTABLE.join(', ')} (apps) can be restarted.`);
    const path = resourcePath({ group: ref.group, version: ref.version, resource: ref.resource, namespace, name: ref.name });
    const caller = await this.changer(request, cluster);
    const restartedAt = new Date().toISOString();
    await this.audited(caller, cluster, 'rollout restart', path, () =>
      this.kube.json(cluster, caller, {
        method: 'PATCH',
        path: path + query({ fieldManager: FIELD_MANAGER }),
        body: JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } }),
        contentType: 'application/strategic-merge-patch+json',
      }),
    );
    return { restartedAt };
  }

  @Post('namespaces/:namespace/cronjobs/:name/trigger')
  @HttpCode(201)
  @ApiOperation({ summary: 'Run a CronJob now: creates a Job from its template (as kubectl create job --from=cronjob/x does).' })
  async trigger(@Param('cluster') cluster: string, @Param('namespace') namespace: string, @Param('name') name: string, @Req() request: FastifyRequest): Promise<{ job: string }> {
    const path = resourcePath({ group: 'batch', version: 'v1', resource: 'cronjobs', namespace, name });
    const caller = await this.changer(request, cluster);
    return this.audited(caller, cluster, 'trigger cronjob', path, async () => {
      const cronJob = await this.kube.json<{ metadata: { uid: string; name: string }; spec: { jobTemplate: { metadata?: { labels?: object; annotations?: object }; spec: object } } }>(cluster, caller, { method: 'GET', path });
      const jobName = `${name.slice(0, 40)}-manual-${Date.now().toString(36)}`;
      await this.kube.json(cluster, caller, {
        method: 'POST',
        path: resourcePath({ group: 'batch', version: 'v1', resource: 'jobs', namespace }) + query({ fieldManager: FIELD_MANAGER }),
        body: JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name: jobName,
            namespace,
            labels: cronJob.spec.jobTemplate.metadata?.labels,
            annotations: { ...cronJob.spec.jobTemplate.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: cronJob.metadata.uid, controller: false }],
          },
          spec: cronJob.spec.jobTemplate.spec,
        }),
      });
      return { job: jobName };
    });
  }
}

interface ParsedManifest {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  object: Record<string, unknown>;
}

/** Bounds on an apply's YAML (GatewayLimits). */
export interface ManifestBounds {
  /** CAIRN_MAX_MANIFEST_BYTES: the documents' source with every alias expanded. */
  bytes: number;
  /** CAIRN_MAX_YAML_ALIASES: alias nodes in the whole stream. */
  aliases: number;
}

export const DEFAULT_MANIFEST_BOUNDS: ManifestBounds = { bytes: 4 * 1024 * 1024, aliases: 100 };

/**
 * How large a document becomes once every alias is expanded, in bytes of its source, and how
 * many aliases it has; measured on the parsed nodes, before anything is expanded, so a small
 * text with many aliases of one big value (a 0.5 MB manifest with 99 aliases once took the
 * gateway from 250 to 450 MB) is refused without costing the memory it describes.
 */
export function expandedSize(doc: Document): { bytes: number; aliases: number } {
  const sizes = new Map<unknown, number>();
  let aliases = 0;
  const size = (node: unknown, depth: number): number => {
    if (depth > 200) throw new BadRequestException('The YAML nests deeper than 200 levels.');
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      aliases++;
      const target = (node as Alias).resolve(doc);
      if (!target) return 0;
      if (sizes.get(target) === -1) throw new BadRequestException('The YAML has an alias that refers to itself.');
      return size(target, depth + 1);
    }
    const known = sizes.get(node);
    if (known !== undefined && known >= 0) return known;
    sizes.set(node, -1);
    let total: number;
    if (isScalar(node)) {
      const range = (node as Node).range;
      total = range ? range[1] - range[0] : String((node as { value?: unknown }).value ?? '').length;
    } else if (isCollection(node)) {
      total = 2;
      for (const item of node.items) {
        if (isPair(item)) total += size(item.key, depth + 1) + size(item.value, depth + 1) + 2;
        else total += size(item, depth + 1) + 2;
      }
    } else total = 0;
    sizes.set(node, total);
    return total;
  };
  const bytes = size(doc.contents, 0);
  return { bytes, aliases };
}

/**
 * The documents of a YAML stream, read as kubectl reads them (YAML 1.1), each checked for
 * what an apply needs. Bounded by `bounds`: the alias count and the expanded size are checked
 * before any document is turned into objects; crossing either is a 413 naming the bound.
 */
export function parseManifests(text: string, bounds: ManifestBounds = DEFAULT_MANIFEST_BOUNDS): ParsedManifest[] {
  const docs = parseAllDocuments(text, MANIFEST_YAML_OPTIONS);
  if (!Array.isArray(docs)) throw new BadRequestException('The YAML holds no object to apply.');
  let expanded = 0;
  let aliases = 0;
  for (const doc of docs) {
    if (doc.errors.length) continue; // reported below, with its number
    const measured = expandedSize(doc);
    expanded += measured.bytes;
    aliases += measured.aliases;
    if (aliases > bounds.aliases) throw new PayloadTooLargeException(`The YAML has more than ${bounds.aliases} aliases (*name), the bound on one apply (CAIRN_MAX_YAML_ALIASES).`);
    if (expanded > bounds.bytes) throw new PayloadTooLargeException(`The YAML, with its aliases expanded, is larger than ${bounds.bytes} bytes, the bound on one apply (CAIRN_MAX_MANIFEST_BYTES).`);
  }
  const out: ParsedManifest[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new BadRequestException(`Document ${i + 1} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: bounds.aliases }) as unknown;
    if (value === null || value === undefined) return; // an empty document between ---
    if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException(`Document ${i + 1} must be a Kubernetes object (a mapping with apiVersion, kind and metadata.name).`);
    const m = value as Manifest;
    const missing = [
      typeof m.apiVersion !== 'string' && 'apiVersion',
      typeof m.kind !== 'string' && 'kind',
      typeof m.metadata?.name !== 'string' && 'metadata.name',
    ].filter(Boolean);
    if (missing.length) throw new BadRequestException(`Document ${i + 1} has no ${missing.join(', ')}.`);
    const { resourceVersion, ...metadata } = m.metadata as Record<string, unknown>;
    void resourceVersion; // an apply must not carry a stale resourceVersion from a copied object
    out.push({
      apiVersion: m.apiVersion as string,
      kind: m.kind as string,
      name: m.metadata?.name as string,
      namespace: typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined,
      object: { ...(value as Record<string, unknown>), metadata },
    });
  });
  if (out.length === 0) throw new BadRequestException('The YAML holds no object to apply.');
  if (out.length > 100) throw new BadRequestException(`At most 100 objects per apply (got ${out.length}).`);
  return out;
}
