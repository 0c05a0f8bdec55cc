import { BadRequestException, HttpException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { ApiResource, ApplyResult } from '@cairn/api-contracts';
import type { CreateBody, KindParams, ObjectParams, ReplaceBody } from '@cairn/api-contracts/requests';
import { apiVersionOf } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import type { AuditRecord } from '../edge/audit';
import { KubeService } from '../kube/kube.service';
import { query, resourcePath } from '../kube/resource-paths';
import { DiscoveryService } from '../resources/discovery.service';
import { hiddenValueProblem, redactSecret } from '../resources/secrets';
import { isSecrets } from '../resources/resources.service';
import { ParsedManifest, parseManifests } from './manifests';

/** The field manager Cairn's changes are recorded under (managedFields). */
export const FIELD_MANAGER = 'cairn';
const RESTARTABLE = ['deployments', 'statefulsets', 'daemonsets'];

/**
 * Every change the console makes, as the caller, each described in the request's audit
 * record just before it is sent (AuditInterceptor writes the line, ok or refused). Nothing is
 * half-applied: an apply is dry-run whole first; an edit carries its resourceVersion; a Secret
 * whose values were hidden from the editor cannot be saved without them.
 */
@Injectable()
export class ChangesService {
  constructor(
    private readonly kube: KubeService,
    private readonly discovery: DiscoveryService,
  ) {}

  /**
   * Server-side apply of every object of a YAML stream: each is dry-run first and, if any is
   * refused, nothing is applied (the refusal names the document). `dryRun` stops there.
   * Errors: 400 for YAML that is not objects or kinds the cluster does not serve, 413 over the
   * manifest bounds (CAIRN_MAX_MANIFEST_BYTES, CAIRN_MAX_YAML_ALIASES), 422 for a Secret with
   * hidden values, the API server's own status otherwise.
   */
  async apply(caller: Caller, cluster: string, audit: AuditRecord, yaml: string, options: { namespace?: string; dryRun: boolean; force: boolean }): Promise<{ dryRun: boolean; objects: ApplyResult[] }> {
    const manifests = parseManifests(yaml, { bytes: this.kube.limits.manifestBytes, aliases: this.kube.limits.yamlAliases });
    manifests.forEach((m, i) => {
      const hidden = hiddenValueProblem(m.object);
      if (hidden) throw new UnprocessableEntityException(`Document ${i + 1}: ${hidden} Nothing was applied.`);
    });
    const kinds = await this.discovery.resources(cluster, caller);
    const targets = manifests.map((m, i) => {
      const r = kinds.find((k) => `${k.group === 'core' ? '' : `${k.group}/`}${k.version}` === m.apiVersion && k.kind === m.kind && !k.resource.includes('/'));
      if (!r) throw new BadRequestException(`Document ${i + 1}: cluster ${cluster} does not serve ${m.kind} in ${m.apiVersion} (or you may not see it).`);
      const namespace = r.namespaced ? (m.namespace ?? options.namespace) : undefined;
      if (r.namespaced && !namespace) throw new BadRequestException(`Document ${i + 1}: ${m.kind} ${m.name} is namespaced; give metadata.namespace or choose a namespace.`);
      return { manifest: m, resource: r, namespace };
    });
    audit.describe(options.dryRun ? 'apply (dry run)' : 'apply', targets.map((t) => `${t.manifest.kind}/${t.namespace ? `${t.namespace}/` : ''}${t.manifest.name}`).join(', '));
    const dryRuns = await Promise.all(
      targets.map(async (t, i) => {
        try {
          return await this.applyOne(cluster, caller, t.resource, t.namespace, t.manifest, true, options.force);
        } catch (err) {
          if (err instanceof HttpException) throw new HttpException(`Document ${i + 1} (${t.manifest.kind} ${t.manifest.name}): ${err.message} Nothing was applied.`, err.getStatus());
          throw err;
        }
      }),
    );
    if (options.dryRun) return { dryRun: true, objects: dryRuns };
    const objects: ApplyResult[] = [];
    for (const t of targets) objects.push(await this.applyOne(cluster, caller, t.resource, t.namespace, t.manifest, false, options.force));
    return { dryRun: false, objects };
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

  /**
   * Creates one object (POST to its kind's collection), never replacing one: an object of that
   * name already there is the API server's 409 (reason `AlreadyExists`). `dryRun` asks the API
   * server to validate and default it without storing it (its field errors come back with their
   * paths, see kubeError). The object's namespace is the address's: a different
   * `metadata.namespace` is a 400, a missing one is filled in.
   *
   * Before anything is sent, the kind is looked up in the cluster's discovery (as apply does),
   * so a mistake is named rather than answered with the API server's bare 405 or 404: a kind the
   * cluster does not serve (404), a namespaced kind without a namespace or a cluster-scoped one
   * with one (400), a body whose kind or apiVersion is not the address's — a Secret posted to
   * `configmaps`, a `List` (400; Apply takes many objects), each audited as a refused create.
   */
  async create(caller: Caller, kind: KindParams, namespace: string | undefined, object: CreateBody, dryRun: boolean, audit: AuditRecord): Promise<unknown> {
    const given = object.metadata.namespace;
    if (given !== undefined && given !== namespace) {
      throw new BadRequestException(`metadata.namespace is "${given}" but the object is being created ${namespace ? `in namespace "${namespace}"` : 'cluster-wide'}; make them the same.`);
    }
    const path = resourcePath({ ...kind, namespace });
    audit.describe(dryRun ? 'create (dry run)' : 'create', `${path}/${object.metadata.name ?? `${object.metadata.generateName ?? ''}*`}`);
    const served = (await this.discovery.resources(kind.cluster, caller)).find((r) => r.group === kind.group && r.version === kind.version && r.resource === kind.resource);
    const apiVersion = apiVersionOf(kind.group, kind.version);
    if (!served) throw new NotFoundException(`Cluster ${kind.cluster} does not serve ${kind.resource} in ${apiVersion} (or you may not see it).`);
    const what = `${kind.resource} (${served.kind}, ${apiVersion})`;
    if (served.namespaced && !namespace) throw new BadRequestException(`${what} are namespaced: give ?namespace=<namespace> to say where to create it.`);
    if (!served.namespaced && namespace) throw new BadRequestException(`${what} are cluster-scoped: leave out ?namespace= and metadata.namespace.`);
    if (object.kind !== served.kind || object.apiVersion !== apiVersion) {
      throw new BadRequestException(`The body is a ${object.kind} (${object.apiVersion}) but this address creates ${kind.resource}, whose kind is ${served.kind} (${apiVersion}): make them the same.`);
    }
    const body = namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
    return this.kube.json(kind.cluster, caller, { method: 'POST', path: path + query({ fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }), body: JSON.stringify(body) });
  }

  /**
   * Replaces one object (an edit of its YAML), only if it is still at the resourceVersion it
   * was edited from: a change made meanwhile is the API server's 409, never overwritten.
   * Errors: 400 when the body renames or moves the object, 422 for a Secret whose values were
   * hidden.
   */
  replace(caller: Caller, ref: ObjectParams, namespace: string | undefined, object: ReplaceBody, dryRun: boolean, audit: AuditRecord): Promise<unknown> {
    const path = resourcePath({ ...ref, namespace });
    const metadata = object.metadata;
    if (metadata.name !== ref.name) throw new BadRequestException(`metadata.name must be "${ref.name}", the object this address names (got ${JSON.stringify(metadata.name)}); renaming is not an edit.`);
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new BadRequestException(`metadata.namespace must be "${namespace ?? ''}", where the object is (got ${JSON.stringify(metadata.namespace)}); moving is not an edit.`);
    }
    const hidden = hiddenValueProblem(object, { secret: isSecrets(ref) });
    if (hidden) throw new UnprocessableEntityException(hidden);
    audit.describe(dryRun ? 'replace (dry run)' : 'replace', path);
    return this.kube.json(ref.cluster, caller, { method: 'PUT', path: path + query({ fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }), body: JSON.stringify(object) });
  }

  /** A merge, strategic-merge or JSON patch; the answer is the whole object (a Secret without its values). */
  async patch(caller: Caller, ref: ObjectParams, namespace: string | undefined, patch: unknown, contentType: string, dryRun: boolean, audit: AuditRecord): Promise<unknown> {
    const path = resourcePath({ ...ref, namespace });
    audit.describe(dryRun ? 'patch (dry run)' : 'patch', path);
    const patched = await this.kube.json<Record<string, unknown>>(ref.cluster, caller, {
      method: 'PATCH',
      path: path + query({ fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }),
      body: JSON.stringify(patch),
      contentType,
    });
    return isSecrets(ref) ? redactSecret(patched) : patched;
  }

  /** Deletes one object (propagationPolicy default Background); the answer is the deleted object (a Secret without its values). */
  async remove(caller: Caller, ref: ObjectParams, namespace: string | undefined, options: { propagationPolicy?: string; dryRun: boolean }, audit: AuditRecord): Promise<unknown> {
    const path = resourcePath({ ...ref, namespace });
    audit.describe(options.dryRun ? 'delete (dry run)' : 'delete', path);
    const deleted = await this.kube.json<Record<string, unknown>>(ref.cluster, caller, {
      method: 'DELETE',
      path: path + query({ dryRun: options.dryRun ? 'All' : undefined }),
      // The API server takes DeleteOptions from the body when one is sent, ignoring the query: dryRun must be here.
      body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy ?? 'Background', ...(options.dryRun ? { dryRun: ['All'] } : {}) }),
    });
    return isSecrets(ref) || deleted?.['kind'] === 'Secret' ? redactSecret(deleted) : deleted;
  }

  /** Sets the replica count through the scale subresource; `dryRun`: the API server checks it and stores nothing. */
  async scale(caller: Caller, ref: ObjectParams, namespace: string | undefined, replicas: number, audit: AuditRecord, dryRun = false): Promise<{ replicas: number }> {
    const path = resourcePath({ ...ref, namespace, subresource: 'scale' });
    audit.describe(`scale to ${replicas}${dryRun ? ' (dry run)' : ''}`, path);
    const scale = await this.kube.json<{ spec: { replicas: number } }>(ref.cluster, caller, {
      method: 'PATCH',
      path: path + query({ fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }),
      body: JSON.stringify({ spec: { replicas } }),
      contentType: 'application/merge-patch+json',
    });
    return { replicas: scale.spec.replicas };
  }

  /** `kubectl rollout restart`: stamps the pod template's restartedAt annotation; `dryRun`: the API server checks it and stores nothing. */
  async restart(caller: Caller, ref: ObjectParams, namespace: string | undefined, audit: AuditRecord, dryRun = false): Promise<{ restartedAt: string }> {
    if (ref.group !== 'apps' || !RESTARTABLE.includes(ref.resource)) throw new BadRequestException(`Only ${RESTARTABLE.join(', ')} (apps) can be restarted.`);
    const path = resourcePath({ ...ref, namespace });
    const restartedAt = new Date().toISOString();
    audit.describe(dryRun ? 'rollout restart (dry run)' : 'rollout restart', path);
    await this.kube.json(ref.cluster, caller, {
      method: 'PATCH',
      path: path + query({ fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }),
      body: JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } }),
      contentType: 'application/strategic-merge-patch+json',
    });
    return { restartedAt };
  }

  /** `kubectl create job --from=cronjob/x`: a Job from the CronJob's template, owned by it. */
  async trigger(caller: Caller, cluster: string, namespace: string, name: string, audit: AuditRecord): Promise<{ job: string }> {
    const path = resourcePath({ group: 'batch', version: 'v1', resource: 'cronjobs', namespace, name });
    audit.describe('trigger cronjob', path);
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
  }
}
