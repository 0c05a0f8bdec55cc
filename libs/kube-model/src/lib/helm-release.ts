import type { Health, Status } from './status';

/**
 * Helm 3 releases as Helm itself stores them, read without a Helm binary.
 *
 * Storage (helm.sh/helm/v3 `pkg/storage/driver`): each revision of a release is one object in
 * the release's namespace — a Secret of type `helm.sh/release.v1` (driver `secrets.go`, the
 * default) or a ConfigMap (driver `cfgmaps.go`, `HELM_DRIVER=configmap`) — named
 * `sh.helm.release.v1.<name>.v<revision>`, labelled `owner=helm`, `name=<release>`,
 * `version=<revision>`, `status=<status>`, whose `release` data field holds the encoding of
 * `util.go`'s `encodeRelease`: the release as JSON, gzip-compressed, then standard base64. A
 * Secret's `data` adds the API's own base64 on top; a ConfigMap's `data` holds the text as is.
 * `decodeRelease` gunzips only when the bytes start with the gzip magic `1f 8b 08`, else
 * reads them as JSON.
 */

/** The Secret type Helm's secrets driver writes (`helm.sh/release.v1`). */
export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';
/** The label selector that finds Helm's storage objects (Helm's drivers query `owner=helm`). */
export const HELM_OWNER_SELECTOR = 'owner=helm';
/** Where a revision is stored: Helm's `secrets` or `configmaps` driver. */
export type HelmStorage = 'secret' | 'configmap';

/** The release statuses Helm writes (`pkg/release/status.go`). */
export const HELM_STATUSES = ['unknown', 'deployed', 'uninstalled', 'superseded', 'failed', 'uninstalling', 'pending-install', 'pending-upgrade', 'pending-rollback'] as const;

/** A storage object's identity and labels, as a metadata-only list gives it. */
export interface HelmStorageRef {
  storage: HelmStorage;
  namespace: string;
  /** The storage object's own name (`sh.helm.release.v1.<release>.v<revision>`). */
  object: string;
  /** The `name` label: the release. */
  release: string;
  /** The `version` label: the revision; NaN when the label is not a number. */
  revision: number;
  /** The `status` label. */
  status: string;
}

/** What a revision says about itself, as the console's contract carries it (without where it is stored, which the caller knows). */
export interface HelmRevisionSummary {
  name: string;
  namespace: string;
  revision: number;
  /** Helm's status: deployed, superseded, failed, uninstalled, pending-install, … */
  status: string;
  /** Chart name (`chart.metadata.name`); `helm list` prints `<chart>-<chartVersion>`. */
  chart: string;
  chartVersion: string;
  appVersion: string;
  /** When the revision was deployed (RFC 3339, `info.last_deployed`). */
  updated: string;
  /** Helm's description ("Install complete", "Upgrade \"x\" failed: …"). */
  description: string;
}

/** One revision whole: the summary, the values the user gave (`config`), the chart's defaults, the manifest and notes. */
export interface HelmRevisionRecord extends HelmRevisionSummary {
  /** `helm get values`: the values supplied at install/upgrade (`config`); `{}` when none. */
  userValues: Record<string, unknown>;
  /** The chart's own `values.yaml` as stored with the revision (`chart.values`). */
  chartValues: Record<string, unknown>;
  /** `helm get manifest`: the rendered manifest (hooks excluded, as Helm keeps them apart). */
  manifest: string;
  /** `helm get notes`: the rendered NOTES.txt, '' when the chart has none. */
  notes: string;
}

/** Decoding refused: the data is not what Helm writes, or inflates past the bound. The message says which. */
export class HelmDecodeError extends Error {
  override readonly name = 'HelmDecodeError';
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** The storage object's identity from its labels (Helm's drivers write them with every revision). */
export function helmStorageRef(object: unknown, storage: HelmStorage): HelmStorageRef {
  const metadata = record(record(object)['metadata']);
  const labels = record(metadata['labels']);
  const version = String(labels['version'] ?? '');
  return {
    storage,
    namespace: String(metadata['namespace'] ?? ''),
    object: String(metadata['name'] ?? ''),
    release: String(labels['name'] ?? ''),
    revision: /^[0-9]{1,9}$/.test(version) ? Number(version) : Number.NaN,
    status: String(labels['status'] ?? ''),
  };
}

/**
 * Whether a labelled object is one of Helm's: a ConfigMap with `owner=helm`, or a Secret with
 * `owner=helm` of type `helm.sh/release.v1` (Helm's secrets driver writes no other type).
 * A metadata-only list carries no type, so `type` undefined is accepted there.
 */
export function isHelmStorage(object: unknown, storage: HelmStorage): boolean {
  const type = record(object)['type'];
  return storage === 'configmap' || type === undefined || type === HELM_RELEASE_SECRET_TYPE;
}

/**
 * The latest revision of each release, as `helm list` picks it (`pkg/action/list.go`,
 * `filterLatestReleases`: the highest revision per namespace and name), newest name order kept
 * stable: sorted by namespace, then release name (`helm list`'s default sort is by name).
 * Objects whose labels carry no release name or no numeric revision are returned apart, so the
 * caller can show them as broken rows.
 */
export function latestRevisions(refs: HelmStorageRef[]): { latest: HelmStorageRef[]; unlabelled: HelmStorageRef[] } {
  const latest = new Map<string, HelmStorageRef>();
  const unlabelled: HelmStorageRef[] = [];
  for (const ref of refs) {
    if (!ref.release || Number.isNaN(ref.revision)) {
      unlabelled.push(ref);
      continue;
    }
    const key = `${ref.namespace}\u0000${ref.release}`;
    const seen = latest.get(key);
    if (!seen || seen.revision < ref.revision) latest.set(key, ref);
  }
  const sorted = [...latest.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.release.localeCompare(b.release));
  return { latest: sorted, unlabelled };
}

/**
 * The `release` field of a storage object as Helm's base64 text: a Secret's `data.release`
 * (the API's base64 undone), a ConfigMap's `data.release` as is.
 *
 * @throws HelmDecodeError when the field is missing or a Secret's value is not base64.
 */
export function helmReleaseText(object: unknown, storage: HelmStorage): string {
  const data = record(record(object)['data']);
  const value = data['release'];
  if (typeof value !== 'string' || !value) throw new HelmDecodeError('the object has no "release" data field (Helm writes the release there)');
  if (storage === 'configmap') return value;
  return new TextDecoder().decode(base64Bytes(value, "the Secret's release value"));
}

/**
 * Decodes Helm's release text (util.go `decodeRelease`): base64, then gunzip when the bytes
 * start with gzip's magic, then JSON. Decompression streams and stops as soon as more than
 * `maxBytes` have come out, so a small "gzip bomb" is refused without its output ever being held.
 *
 * @param text Helm's base64 text (see helmReleaseText).
 * @param maxBytes the most decompressed bytes accepted (`boundName` names the bound in the message).
 * @returns the release JSON, parsed.
 * @throws HelmDecodeError naming what is wrong: not base64, not gzip, over the bound, not JSON.
 */
export async function decodeHelmRelease(text: string, maxBytes: number, boundName = 'the bound'): Promise<unknown> {
  const bytes = base64Bytes(text, "Helm's release text");
  const gzipped = bytes.length > 3 && GZIP_MAGIC.every((b, i) => bytes[i] === b);
  const json = gzipped ? await gunzipBounded(bytes, maxBytes, boundName) : bytes;
  if (json.length > maxBytes) throw new HelmDecodeError(`the release is larger than ${maxBytes} bytes (${boundName}); Cairn does not read it`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (err) {
    throw new HelmDecodeError(`the release is not JSON after decoding (${(err as Error).message})`);
  }
}

/**
 * A decoded release as a console shows it. Required: `name`, `version`, `info.status` and
 * `chart.metadata.name`/`version` (what `helm list` prints); the rest may be missing.
 *
 * @throws HelmDecodeError naming the first missing field.
 */
export function helmRevisionRecord(release: unknown, fallbackNamespace = ''): HelmRevisionRecord {
  const r = record(release);
  const info = record(r['info']);
  const chart = record(r['chart']);
  const metadata = record(chart['metadata']);
  const need = (value: unknown, field: string): string => {
    if (typeof value === 'string' && value) return value;
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    throw new HelmDecodeError(`the release has no "${field}"`);
  };
  const name = need(r['name'], 'name');
  const revision = Number(need(r['version'], 'version'));
  return {
    name,
    namespace: typeof r['namespace'] === 'string' && r['namespace'] ? r['namespace'] : fallbackNamespace,
    revision,
    status: need(info['status'], 'info.status'),
    chart: need(metadata['name'], 'chart.metadata.name'),
    chartVersion: need(metadata['version'], 'chart.metadata.version'),
    appVersion: typeof metadata['appVersion'] === 'string' ? metadata['appVersion'] : '',
    updated: typeof info['last_deployed'] === 'string' ? info['last_deployed'] : '',
    description: typeof info['description'] === 'string' ? info['description'] : '',
    userValues: isRecord(r['config']) ? r['config'] : {},
    chartValues: isRecord(chart['values']) ? chart['values'] : {},
    manifest: typeof r['manifest'] === 'string' ? r['manifest'] : '',
    notes: typeof info['notes'] === 'string' ? info['notes'] : '',
  };
}

/** The summary part of a record (what a list or a history row shows). */
export function helmRevisionSummary(rec: HelmRevisionRecord): HelmRevisionSummary {
  const { name, namespace, revision, status, chart, chartVersion, appVersion, updated, description } = rec;
  return { name, namespace, revision, status, chart, chartVersion, appVersion, updated, description };
}

/**
 * The computed values of a revision, as `helm get values --all` prints them: the user's values
 * coalesced over the chart's defaults (helm.sh/helm/v3 `pkg/chartutil/coalesce.go`,
 * `CoalesceValues`). The user's value wins; two maps merge key by key; a user's `null` removes
 * the key. A stored release carries only the top chart (its subcharts are not serialised), so,
 * as for Helm reading a stored release, no subchart's defaults take part.
 */
export function coalesceHelmValues(chartValues: Record<string, unknown>, userValues: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(userValues);
  coalesceInto(out, chartValues);
  return out;
}

function coalesceInto(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(src)) {
    if (!(key in dst)) {
      dst[key] = structuredClone(value);
      continue;
    }
    const have = dst[key];
    if (have === null) delete dst[key];
    else if (isRecord(have) && isRecord(value)) coalesceInto(have, value);
  }
}

async function gunzipBounded(bytes: Uint8Array, maxBytes: number, boundName: string): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new HelmDecodeError(`the release inflates to more than ${maxBytes} bytes (${boundName}); Cairn stopped decompressing it there`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof HelmDecodeError) throw err;
    throw new HelmDecodeError(`the release is not valid gzip (${(err as Error).message})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Standard base64 (Go's `base64.StdEncoding`, with padding), strictly: anything else is refused. */
function base64Bytes(text: string, what: string): Uint8Array {
  const clean = text.trim();
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new HelmDecodeError(`${what} is not base64`);
  const binary = atob(clean);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/**
 * A Helm status as a console colours it: `deployed` well, `failed` failed, `pending-*` and
 * `uninstalling` in progress, `superseded` and `uninstalled` done (history), anything else
 * (`unknown`, a label Helm does not write) a warning. The words are Helm's (`pkg/release/status.go`).
 */
export function helmStatus(status: string): Status {
  const health: Health =
    status === 'deployed' ? 'ok'
    : status === 'failed' ? 'failed'
    : status.startsWith('pending-') || status === 'uninstalling' ? 'progressing'
    : status === 'superseded' || status === 'uninstalled' ? 'done'
    : 'warning';
  return { health, text: status || 'unknown' };
}
