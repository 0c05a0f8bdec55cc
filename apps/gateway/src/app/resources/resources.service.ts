import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { pipeline, type Readable } from 'node:stream';
import type { KindParams, ListQuery, ObjectParams, OpenApiParams } from '@cairn/api-contracts/requests';
import { openApiV3Path } from '@cairn/kube-model';
import type { ApiResource } from '@cairn/api-contracts';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { coalesce } from '../kube/coalesce';
import { query, resourcePath } from '../kube/resource-paths';
import { DiscoveryService } from './discovery.service';
import { redactSecret, redactSecretList } from './secrets';

/** How the API server is asked for its printed table (what `kubectl get` shows), with the plain list as fallback. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/**
 * A list as it goes to the browser: the API server's own bytes, in writes of at least 64 KiB
 * (`coalesce`), with `encoding: 'gzip'` when the API server compressed them (which the reply then
 * says in its Content-Encoding); or (Secrets) an object with the values removed.
 */
export type ListReply = { stream: Readable; encoding?: 'gzip' } | { json: unknown };

/** Reads objects as the caller: lists, gets, the events about an object, and the kinds served. */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly kube: KubeService,
    private readonly discovery: DiscoveryService,
  ) {}

  apiResources(cluster: string, caller: Caller): Promise<ApiResource[]> {
    return this.discovery.resources(cluster, caller);
  }

  /**
   * One page of a list (`limit`/`continue`), in one namespace or all; with `as=Table` the API
   * server's printed table with each row's metadata (`includeObject=None`: the cells alone). Streamed through untouched (no parse, no
   * copy of a 5 000-item list), except Secrets, whose values are removed first.
   *
   * `acceptsGzip` (the browser's Accept-Encoding allows gzip): the API server is asked for gzip
   * and its compressed bytes are passed through as they come, never inflated here: a 5 000-pod
   * list is about 1.5 MB on the wire instead of 18.6 MB, for the browser and for the gateway's
   * own buffers and CPU (issue 20). Secrets are read whole and redacted, so never compressed.
   * An encoding the gateway did not ask for is refused with a 502 (a user-added cluster's
   * server could send anything).
   */
  async list(caller: Caller, kind: KindParams, q: ListQuery, acceptsGzip = false): Promise<ListReply> {
    const table = q.as === 'Table';
    const path =
      resourcePath({ ...kind, namespace: q.namespace }) +
      query({
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        limit: q.limit,
        continue: q.continue,
        resourceVersion: q.resourceVersion,
        resourceVersionMatch: q.resourceVersionMatch,
        includeObject: table ? (q.includeObject ?? 'Metadata') : undefined,
      });
    const gzip = acceptsGzip && !isSecrets(kind);
    const res = await this.kube.open(kind.cluster, caller, { method: 'GET', path, ...(table ? { accept: TABLE_ACCEPT } : {}), ...(gzip ? { acceptEncoding: 'gzip' } : {}) });
    const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && !(gzip && encoding === 'gzip')) {
      res.destroy();
      throw new HttpException(`Cluster ${kind.cluster} answered with Content-Encoding ${encoding.slice(0, 40)}, which Cairn did not ask for.`, HttpStatus.BAD_GATEWAY);
    }
    if (isSecrets(kind)) return { json: redactSecretList(this.kube.parse(kind.cluster, await this.kube.readBody(res))) };
    // The browser closing its request destroys the coalesced stream, and pipeline the upstream one.
    const stream = pipeline(res, coalesce(), () => undefined);
    return encoding === 'gzip' ? { stream, encoding: 'gzip' } : { stream };
  }

  /**
   * The OpenAPI v3 document of one group version (kube-model's `openApiV3Path`), as the caller
   * may read it (the API server's `system:discovery` role lets every signed-in user), as the
   * API server's JSON text, not parsed (a group's document runs to megabytes). Read whole within
   * CAIRN_MAX_UPSTREAM_BODY_BYTES and 60 s, as every body the gateway reads whole: past the bound
   * a 502 naming it, past the time a 504; so a cluster (a user-added one included) cannot make
   * the gateway relay an endless or dripping document.
   */
  async openApi(caller: Caller, p: OpenApiParams): Promise<string> {
    return this.kube.readBody(await this.kube.open(p.cluster, caller, { method: 'GET', path: openApiV3Path(p.group, p.version) }));
  }

  /** One object; a Secret without its values unless `reveal` (the API server still decides whether the caller may get it). */
  async get(caller: Caller, ref: ObjectParams, namespace: string | undefined, reveal: boolean): Promise<unknown> {
    const object = await this.kube.json<Record<string, unknown>>(ref.cluster, caller, { method: 'GET', path: resourcePath({ ...ref, namespace }) });
    return isSecrets(ref) && !reveal ? redactSecret(object) : object;
  }

  /** The events whose involvedObject is this object (the API server's order). */
  events(caller: Caller, ref: ObjectParams, namespace: string | undefined): Promise<unknown> {
    const fieldSelector = [`involvedObject.name=${ref.name}`, ...(namespace ? [`involvedObject.namespace=${namespace}`] : [])].join(',');
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'events', namespace }) + query({ fieldSelector });
    return this.kube.json(ref.cluster, caller, { method: 'GET', path });
  }
}

export function isSecrets(ref: { group: string; resource: string }): boolean {
  return ref.group === 'core' && ref.resource === 'secrets';
}
