import { HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import type { HelmHistory, HelmReleaseList, HelmReleaseRow, HelmRevision } from '@cairn/api-contracts';
import { MAX_HELM_RELEASE_BYTES, MAX_HELM_RELEASES, MAX_HELM_REVISIONS, MAX_HELM_STORAGE_OBJECTS } from '@cairn/api-contracts';
import {
  coalesceHelmValues, decodeHelmRelease, HELM_OWNER_SELECTOR, HELM_RELEASE_SECRET_TYPE, HelmDecodeError, helmReleaseText, helmRevisionRecord, helmRevisionSummary, helmStorageRef, latestRevisions,
} from '@cairn/kube-model';
import type { HelmRevisionRecord, HelmStorage, HelmStorageRef } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { query, resourcePath } from '../kube/resource-paths';

/** Storage objects fetched and decoded at once: each may inflate to MAX_HELM_RELEASE_BYTES, so few at a time keep the gateway's memory small. */
const DECODE_CONCURRENCY = 2;
/** A metadata-only list: labels and names, never the Secrets' data. */
const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
const BOUND = 'MAX_HELM_RELEASE_BYTES';

const RESOURCE: Record<HelmStorage, string> = { secret: 'secrets', configmap: 'configmaps' };

/**
 * Helm releases read from Helm's own storage with the caller's credentials, decoded here, in
 * the gateway (kube-model's `helm-release.ts` holds the rule). Decoding here rather than in the
 * browser: the browser would need every revision's whole Secret (up to 1 MiB each, and the
 * Secret routes redact values), while the gateway first lists only the labels
 * (a PartialObjectMetadataList: no Secret data leaves the API server for the list), then reads
 * and inflates just the revisions it shows, two at a time, each within MAX_HELM_RELEASE_BYTES,
 * and answers with small summaries. A caller who may not list Secrets gets the API server's 403
 * (`you may not list secrets`), never an empty list; one who may not list ConfigMaps still
 * gets the Secret-stored releases, with `configMapsUnread` saying why the rest is missing.
 */
@Injectable()
export class HelmService {
  constructor(private readonly kube: KubeService) {}

  /** The latest revision of every release in `namespace` (every namespace when absent), as `helm list --all` picks them. */
  async list(caller: Caller, cluster: string, namespace: string | undefined): Promise<HelmReleaseList> {
    const found = await this.storageRefs(caller, cluster, namespace, HELM_OWNER_SELECTOR);
    const { latest, unlabelled } = latestRevisions(found.refs);
    const shown = latest.slice(0, MAX_HELM_RELEASES);
    const items = await mapLimit(shown, DECODE_CONCURRENCY, (ref) => this.row(caller, cluster, ref));
    for (const ref of unlabelled.slice(0, Math.max(0, MAX_HELM_RELEASES - items.length))) items.push(labelRow(ref, 'its labels carry no release name or no numeric "version" (Helm writes both)'));
    const truncated = [
      found.truncated,
      latest.length + unlabelled.length > MAX_HELM_RELEASES ? `showing ${MAX_HELM_RELEASES} of ${latest.length + unlabelled.length} releases (MAX_HELM_RELEASES); pick a namespace to see the others` : undefined,
    ].filter(Boolean);
    return { items, ...(truncated.length ? { truncated: truncated.join('; ') } : {}), ...(found.configMapsUnread ? { configMapsUnread: found.configMapsUnread } : {}) };
  }

  /** Every revision of one release, newest first (`helm history`), at most MAX_HELM_REVISIONS. */
  async history(caller: Caller, cluster: string, namespace: string, name: string): Promise<HelmHistory> {
    const found = await this.storageRefs(caller, cluster, namespace, `${HELM_OWNER_SELECTOR},name=${name}`);
    if (!found.refs.length) throw new NotFoundException(`There is no Helm release ${name} in ${namespace}: Helm's storage (Secrets and ConfigMaps labelled owner=helm,name=${name}) holds no revision of it.`);
    const sorted = [...found.refs].sort((a, b) => (Number.isNaN(b.revision) ? -1 : b.revision) - (Number.isNaN(a.revision) ? -1 : a.revision));
    const revisions = await mapLimit(sorted.slice(0, MAX_HELM_REVISIONS), DECODE_CONCURRENCY, (ref) => this.row(caller, cluster, ref));
    const truncated = [found.truncated, sorted.length > MAX_HELM_REVISIONS ? `showing the newest ${MAX_HELM_REVISIONS} of ${sorted.length} revisions (MAX_HELM_REVISIONS)` : undefined].filter(Boolean);
    return { name, namespace, revisions, ...(truncated.length ? { truncated: truncated.join('; ') } : {}), ...(found.configMapsUnread ? { configMapsUnread: found.configMapsUnread } : {}) };
  }

  /** One revision whole (`helm get all --revision`): values given and computed, manifest, notes. A revision that cannot be decoded is a 422 saying why. */
  async revision(caller: Caller, cluster: string, namespace: string, name: string, revision: number): Promise<HelmRevision> {
    const object = `sh.helm.release.v1.${name}.v${revision}`;
    for (const storage of ['secret', 'configmap'] as const) {
      const item = await this.kube
        .json<unknown>(cluster, caller, { method: 'GET', path: resourcePath({ group: 'core', version: 'v1', resource: RESOURCE[storage], namespace, name: object }) })
        .catch((err: unknown) => {
          if (err instanceof HttpException && err.getStatus() === HttpStatus.NOT_FOUND) return undefined;
          throw err;
        });
      if (item === undefined) continue;
      const ref = helmStorageRef(item, storage);
      let rec: HelmRevisionRecord;
      try {
        rec = await this.decode(item, storage, namespace);
      } catch (err) {
        if (err instanceof HelmDecodeError) throw new HttpException(`Helm release ${name} revision ${revision} (${storage} ${object}) cannot be read: ${err.message}.`, HttpStatus.UNPROCESSABLE_ENTITY);
        throw err;
      }
      const { userValues, chartValues, manifest, notes, ...summary } = rec;
      return { ...summary, storage, object: ref.object, userValues, computedValues: coalesceHelmValues(chartValues, userValues), manifest, notes };
    }
    throw new NotFoundException(`Helm release ${name} has no revision ${revision} in ${namespace} (no Secret or ConfigMap ${object}).`);
  }

  /** The labels of Helm's storage objects: Secrets (a refusal is the caller's answer) and ConfigMaps (a refusal is only noted). */
  private async storageRefs(caller: Caller, cluster: string, namespace: string | undefined, labelSelector: string): Promise<{ refs: HelmStorageRef[]; truncated?: string; configMapsUnread?: string }> {
    const read = async (storage: HelmStorage) => {
      const list = await this.kube.json<{ items?: unknown[]; metadata?: { continue?: string } }>(cluster, caller, {
        method: 'GET',
        path: resourcePath({ group: 'core', version: 'v1', resource: RESOURCE[storage], namespace }) + query({ labelSelector, limit: String(MAX_HELM_STORAGE_OBJECTS) }),
        accept: METADATA_ACCEPT,
      });
      return { refs: (list.items ?? []).map((i) => helmStorageRef(i, storage)), more: Boolean(list.metadata?.continue) };
    };
    const [secrets, configmaps] = await Promise.all([
      read('secret'),
      read('configmap').catch((err: unknown) => {
        if (err instanceof HttpException && err.getStatus() === HttpStatus.FORBIDDEN) return err.message;
        throw err;
      }),
    ]);
    const fromConfigMaps = typeof configmaps === 'string' ? undefined : configmaps;
    const more = secrets.more || Boolean(fromConfigMaps?.more);
    return {
      refs: [...secrets.refs, ...(fromConfigMaps?.refs ?? [])],
      ...(more ? { truncated: `read the first ${MAX_HELM_STORAGE_OBJECTS} of Helm's storage objects (MAX_HELM_STORAGE_OBJECTS); pick a namespace to see the others` } : {}),
      ...(typeof configmaps === 'string' ? { configMapsUnread: configmaps } : {}),
    };
  }

  /** A list or history row: the revision decoded, or the labels with what is wrong. */
  private async row(caller: Caller, cluster: string, ref: HelmStorageRef): Promise<HelmReleaseRow> {
    try {
      const item = await this.kube.json<unknown>(cluster, caller, { method: 'GET', path: resourcePath({ group: 'core', version: 'v1', resource: RESOURCE[ref.storage], namespace: ref.namespace, name: ref.object }) });
      return { ...helmRevisionSummary(await this.decode(item, ref.storage, ref.namespace)), storage: ref.storage, object: ref.object };
    } catch (err) {
      if (err instanceof HelmDecodeError || err instanceof HttpException) return labelRow(ref, err.message);
      throw err;
    }
  }

  private async decode(item: unknown, storage: HelmStorage, namespace: string): Promise<HelmRevisionRecord> {
    const type = (item as { type?: unknown }).type;
    if (storage === 'secret' && type !== HELM_RELEASE_SECRET_TYPE) throw new HelmDecodeError(`the Secret is of type ${String(type)}, not ${HELM_RELEASE_SECRET_TYPE}`);
    return helmRevisionRecord(await decodeHelmRelease(helmReleaseText(item, storage), MAX_HELM_RELEASE_BYTES, BOUND), namespace);
  }
}

/** A row made of a storage object's labels alone, for data that cannot be read. */
function labelRow(ref: HelmStorageRef, error: string): HelmReleaseRow {
  return {
    name: ref.release || ref.object,
    namespace: ref.namespace,
    revision: Number.isNaN(ref.revision) ? 0 : ref.revision,
    status: ref.status,
    chart: '',
    chartVersion: '',
    appVersion: '',
    updated: '',
    description: '',
    storage: ref.storage,
    object: ref.object,
    error,
  };
}

/** `fn` over `items`, at most `limit` at once, in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
