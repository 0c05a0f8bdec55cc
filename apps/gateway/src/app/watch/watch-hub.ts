import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import type { UpstreamResponse } from '../kube/http2-pool';
import { byteLines, LineTooLongError } from '../kube/lines';
import { PerIdentityLimit } from '../kube/per-identity-limit';
import { redactSecret } from '../resources/secrets';
import { USER_CLUSTER_PREFIX, type WatchEventOut } from '@cairn/api-contracts';
import { kubeError } from '../kube/kube-errors';
import { ReplayRing } from './replay-ring';

/**
 * Upstream watches, shared between the subscribers that have the same credentials and the
 * same query (two tabs of one user on one list), never between two users.
 *
 * An upstream watch follows the API server's stream, resuming from the last resourceVersion
 * it saw (bookmarks keep that fresh) whenever the stream ends or drops, so an API-server
 * restart loses no event. On 410 Gone it lists again and hands subscribers a RESYNC with the
 * whole current state. It keeps its last events, so a subscriber that joins from a recent
 * resourceVersion gets what it missed before the live events.
 */

export interface WatchTarget {
  cluster: string;
  /** API path of the collection, e.g. /apis/apps/v1/namespaces/team-a/deployments. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * An event as it goes to every subscriber: serialised once, when it arrives. Only its text is
 * kept (for replay, copied into the watch's ReplayRing), never the parsed object, so what a
 * watch holds is what its bound counts.
 */
export interface SerializedEvent {
  type: WatchEventOut['type'];
  resourceVersion?: string;
  /** `JSON.stringify` of the WatchEventOut. */
  json: string;
}

/**
 * What the subscribers of one delivery make of the event, by key, made once for all of them
 * (the watch controller keeps each subscription id's server-sent-event frame, so 50 tabs with
 * the same id write one string, not 50 concatenations). Lives for one delivery only: never kept
 * with the replayed events, so the replay bound counts what a watch holds.
 */
export type DeliveryMemo = Map<string, string>;

/**
 * A subscriber that has fallen behind: its tab's socket holds more than its high-water mark (the
 * write returned false) since `since` (ms since the epoch); `drained` settles once that socket
 * has drained, or closed.
 */
export interface Behind {
  since: number;
  drained: Promise<void>;
}

/**
 * A subscriber: takes an event (and the delivery's memo), and answers `undefined`, or `Behind`
 * when its tab has not taken what it was sent. The upstream watch then reads no further until
 * it has drained (see UPSTREAM_STALL_MS).
 */
export type Listener = (event: SerializedEvent, memo: DeliveryMemo) => Behind | undefined;

/**
 * Backpressure from the tabs to the API server. While a subscriber is behind, its upstream watch
 * reads no further: the API server's bytes wait in the API server and TCP (flow control), not in
 * the gateway, so 50 tabs taking in a 5 000-pod watch at once each hold about a socket's
 * high-water mark instead of CAIRN_MAX_STREAM_BUFFER_BYTES (issue 20: with 1 MiB each they took
 * a 128 MiB console to its OOM kill). A watch with one subscriber waits for as long as it takes
 * (that tab slows only itself; the API server closes a watch it cannot deliver to, and the watch
 * resumes from its last resourceVersion). A watch shared by several tabs waits for a behind one
 * for at most this long (ms) from when it fell behind, so one stalled tab cannot hold up the
 * others: after that it is sent on without waiting and, past CAIRN_MAX_STREAM_BUFFER_BYTES,
 * gets `overflow`.
 */
export const UPSTREAM_STALL_MS = 2_000;

const REPLAY_EVENTS = 1000;

/** What an upstream watch is bounded by (GatewayLimits). */
interface WatchBounds {
  /** CAIRN_MAX_LINE_BYTES: one event. */
  lineBytes: number;
  /**
   * Bytes of event text this watch may keep for replay now: CAIRN_MAX_REPLAY_BYTES, and no more
   * than its share of CAIRN_MAX_REPLAY_TOTAL_BYTES among the open watches (asked per event).
   */
  replayBytes: () => number;
}

/** Serialises an event for every subscriber, once. */
export function serialize(event: WatchEventOut): SerializedEvent {
  return { type: event.type, ...(event.resourceVersion ? { resourceVersion: event.resourceVersion } : {}), json: JSON.stringify(event) };
}

/**
 * The frame text of an ADDED/MODIFIED/DELETED event whose object is `objectText`, exactly as
 * `serialize` would write it (`{"type":…,"object":…,"resourceVersion":…}`, in that order).
 */
function eventText(type: 'ADDED' | 'MODIFIED' | 'DELETED', objectText: string, resourceVersion: string | undefined): SerializedEvent {
  return { type, ...(resourceVersion ? { resourceVersion } : {}), json: `{"type":"${type}","object":${objectText}${resourceVersion ? `,"resourceVersion":${JSON.stringify(resourceVersion)}` : ''}}` };
}

/**
 * The serialised form of an upstream ADDED/MODIFIED/DELETED event, taken from the API server's
 * own line instead of stringifying the parsed object again: the same text `serialize` would
 * give. The API server writes a watch event as the compact JSON of its WatchEvent
 * (`{"type":"…","object":{…}}`, metav1 WatchEvent, k8s.io/apimachinery/pkg/apis/meta/v1/watch.go),
 * so the object's text is the line between that prefix and the closing brace; a line of any
 * other shape (another key, whitespace, escapes in the type) is stringified as before, and so
 * is one holding a carriage return (JSON allows it between tokens; a server-sent event would
 * take it for the end of its `data:` line). `parsed` is `JSON.parse(line)`.
 */
export function serializeUpstream(line: string, parsed: { type: string; object: unknown }, resourceVersion: string | undefined): SerializedEvent {
  const type = parsed.type as WatchEventOut['type'];
  const prefix = `{"type":${JSON.stringify(type)},"object":`;
  if (Object.keys(parsed).length === 2 && line.startsWith(prefix) && line.endsWith('}') && !line.includes('\r') && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
    return eventText(type, line.slice(prefix.length, -1), resourceVersion);
  }
  return serialize({ type, object: parsed.object, resourceVersion });
}

/**
 * The start of a watch line as a configured API server writes an event on an object of a
 * built-in kind: `{"type":"<T>","object":{"kind":"<K>","apiVersion":"<v>","metadata":{`, then
 * ObjectMeta's string fields that Go declares before it (name, generateName, namespace,
 * selfLink, uid) and `"resourceVersion":"<digits>"`. Typed objects are encoded in their
 * struct's field order (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta), so this is where
 * resourceVersion is; no string here may hold a quote or an escape. Custom resources are
 * encoded from maps with sorted keys (annotations and labels come first), so they never match.
 */
const BUILT_IN_EVENT_START = /^\{"type":"(ADDED|MODIFIED|DELETED)","object":\{"kind":"([A-Za-z0-9]{1,100})","apiVersion":"[^"\\]{0,300}","metadata":\{(?:"(?:name|generateName|namespace|selfLink|uid)":"[^"\\]{0,600}",){0,5}"resourceVersion":"([0-9]{1,20})"/;

/** Bytes of a line's start decoded for BUILT_IN_EVENT_START: enough for a pod's; a longer metadata start is decoded again whole. */
const EVENT_START_BYTES = 512;
/** The longest start BUILT_IN_EVENT_START can match (its bounded repetitions). */
const EVENT_START_MAX_BYTES = 4096;
const CLOSE_BRACE = 0x7d;
const CARRIAGE_RETURN = 0x0d;

/**
 * An upstream event read from the start of its line, without parsing the object: its type,
 * kind and resourceVersion, and its text for the subscribers (the line itself, decoded once,
 * with the resourceVersion member added before the last brace). For
 * whole (newline-ended) lines of configured API servers only (their operator's; a user-added
 * cluster's lines are parsed whole), on a line of the shape BUILT_IN_EVENT_START describes that
 * ends the object where the event ends and holds no carriage return; undefined for anything
 * else, which the caller parses. Only the start is decoded (as Latin-1: the fields it reads are
 * ASCII, and a UTF-8 byte of another field is never a quote or a backslash). Parsing every line
 * of a 5 000-pod watch for 50 users was a quarter of the gateway's CPU, and most of its garbage,
 * under issue 20's load (bench/reports/2026-11-30-footprint-quiet.md).
 */
export function readBuiltInEvent(line: Buffer): { kind: string; resourceVersion: string; event: SerializedEvent } | undefined {
  const n = line.length;
  if (n < 2 || line[n - 1] !== CLOSE_BRACE || line[n - 2] !== CLOSE_BRACE || line.indexOf(CARRIAGE_RETURN) >= 0) return undefined;
  let start = BUILT_IN_EVENT_START.exec(line.toString('latin1', 0, Math.min(n, EVENT_START_BYTES)));
  if (!start && n > EVENT_START_BYTES) start = BUILT_IN_EVENT_START.exec(line.toString('latin1', 0, Math.min(n, EVENT_START_MAX_BYTES)));
  if (!start) return undefined;
  const type = start[1] as 'ADDED' | 'MODIFIED' | 'DELETED';
  const resourceVersion = start[3] ?? '';
  return { kind: start[2] ?? '', resourceVersion, event: { type, resourceVersion, json: `${line.toString('utf8', 0, n - 1)},"resourceVersion":"${resourceVersion}"}` } };
}

/** An upstream that broke a bound or the protocol: reported once, not retried (it would do it again). */
class UpstreamBroken extends Error {}
/**
 * An `ERROR` event inside the upstream stream that is neither 410 Gone nor a refusal (401, 403):
 * the API server's 500 when etcd times out, a 504 ("Too large resource version", also for good
 * after the cluster was restored from a backup), a 429 while it is overloaded, a Status without
 * a code. As client-go's reflector does, after the backoff a 429 watches again from the last
 * resourceVersion, and anything else lists again (a RESYNC to the subscribers), so an error that
 * would repeat for that resourceVersion cannot freeze the list. Subscribers get no `ERROR`: for
 * them it ends the subscription (README, the watch endpoint), over what is a moment's overload.
 */
class UpstreamHiccup extends Error {
  constructor(
    readonly code: number | undefined,
    upstreamMessage: string | undefined,
  ) {
    // Logged by pause(): the upstream's words at most 200 characters, on one line (a line may be 4 MiB).
    const words = [...(upstreamMessage ?? 'no message').slice(0, 200)].map((c) => (c < ' ' || c === '\u007f' ? ' ' : c)).join('');
    super(`its watch stream reported ${code ?? 'an error without a code'}: ${words}`);
  }
}
const MAX_BACKOFF_MS = 10_000;
/** A relist less than this long after the previous one (ms) waits out the backoff first. */
const RESYNC_QUIET_MS = 5_000;
const AUTH_RETRIES = 6;

class UpstreamWatch {
  private readonly listeners = new Set<Listener>();
  private readonly recent = new ReplayRing(REPLAY_EVENTS);
  private resourceVersion: string | undefined;
  private abort = new AbortController();
  private stopped = false;
  private backoffMs = 250;
  /** When the last relist after a 410 was made (ms since the epoch). */
  private lastResync = 0;
  /** Set once the API server has accepted this watch; later auth refusals may be transient. */
  private established = false;
  private authRetries = 0;
  /** Secret values stay on the server here as in lists and gets (see resources/secrets.ts). */
  private readonly redact: (object: Record<string, unknown>) => Record<string, unknown>;
  /** Lines read without parsing (`readBuiltInEvent`): a configured cluster's watch on anything but Secrets. */
  private readonly readsLines: boolean;

  constructor(
    private readonly kube: KubeService,
    private readonly caller: Caller,
    private readonly target: WatchTarget,
    startVersion: string | undefined,
    private readonly onEmpty: () => void,
    private readonly logger: Logger,
    private readonly bounds: WatchBounds,
  ) {
    this.resourceVersion = startVersion;
    // By address, and by kind as well: whatever path carries a Secret, its values stay here.
    const secrets = /^\/api\/v1\/(namespaces\/[^/]+\/)?secrets$/.test(target.path);
    this.redact = (object) => (secrets || object?.['kind'] === 'Secret' ? redactSecret(object) : object);
    this.readsLines = !secrets && !target.cluster.startsWith(USER_CLUSTER_PREFIX);
    void this.run();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Whether a subscriber that has seen everything up to `rv` can join without missing an event. */
  canServeFrom(rv: string | undefined): boolean {
    if (rv === undefined) return true;
    if (this.resourceVersion === rv) return true;
    const wanted = toBigInt(rv);
    const oldest = this.recent.oldest;
    return wanted !== undefined && oldest !== undefined && wanted >= oldest - 1n;
  }

  subscribe(listener: Listener, fromVersion: string | undefined): () => void {
    const from = toBigInt(fromVersion);
    if (from !== undefined) for (const event of this.recent.since(from)) listener(event, new Map());
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.recent.clear();
    this.onEmpty();
  }

  /** Bytes this watch holds for replay now. */
  get replayBytes(): number {
    return this.recent.bytes;
  }

  /** Keeps at most `limit` bytes for replay, the newest events (the watch's share shrank). */
  trim(limit: number): void {
    this.recent.shrinkTo(limit);
  }

  /**
   * Serialises the event once, keeps its bytes for replay (within the bound), and hands it to
   * every subscriber; resolves once the subscribers that asked for it have drained, or after
   * UPSTREAM_STALL_MS (the caller awaits it before reading on).
   */
  private emit(out: WatchEventOut | SerializedEvent): Promise<void> | undefined {
    const event = 'json' in out ? out : serialize(out);
    const rv = toBigInt(event.resourceVersion);
    if (rv !== undefined && event.type !== 'RESYNC') this.recent.push(rv, event, this.bounds.replayBytes());
    const memo: DeliveryMemo = new Map();
    let waits: Behind[] | undefined;
    for (const listener of this.listeners) {
      const behind = listener(event, memo);
      if (behind) (waits ??= []).push(behind);
    }
    if (!waits) return undefined;
    if (this.listeners.size <= 1) return Promise.all(waits.map((w) => w.drained)).then(() => undefined);
    const now = Date.now();
    const recent = waits.filter((w) => now - w.since < UPSTREAM_STALL_MS);
    return recent.length ? drainedOrStalled(recent) : undefined;
  }

  private query(watch: boolean): string {
    const q = new URLSearchParams();
    if (this.target.labelSelector) q.set('labelSelector', this.target.labelSelector);
    if (this.target.fieldSelector) q.set('fieldSelector', this.target.fieldSelector);
    if (watch) {
      q.set('watch', '1');
      q.set('allowWatchBookmarks', 'true');
      q.set('timeoutSeconds', String(240 + Math.floor(Math.random() * 60)));
      if (this.resourceVersion) q.set('resourceVersion', this.resourceVersion);
    }
    return `${this.target.path}?${q.toString()}`;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let res: UpstreamResponse;
      try {
        res = await this.kube.open(this.target.cluster, this.caller, { method: 'GET', path: this.query(true), signal: this.abort.signal, timeoutMs: 15_000 });
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof HttpException && [400, 401, 403, 404, 422].includes(err.getStatus())) {
          // A restarted API server refuses OIDC tokens until it has rediscovered the issuer
          // (it retries every 10 s), and answers 403 until its RBAC caches have synced: an
          // established watch tries again for about 20 s before it reports the refusal.
          if (this.established && [401, 403].includes(err.getStatus()) && this.authRetries++ < AUTH_RETRIES) {
            await this.pause(err);
            continue;
          }
          // The user may not (or no longer) watch this: tell the subscribers, and end.
          void this.emit({ type: 'ERROR', status: err.getStatus(), message: err.message });
          this.stop();
          return;
        }
        if (err instanceof HttpException && err.getStatus() === 410) {
          await this.resync();
          continue;
        }
        await this.pause(err);
        continue;
      }
      this.established = true;
      this.authRetries = 0;
      try {
        const started = Date.now();
        const gone = await this.follow(res);
        // Only a watch that held for a while proves the upstream well again.
        if (Date.now() - started > RESYNC_QUIET_MS) this.backoffMs = 250;
        if (gone) await this.resync();
      } catch (err) {
        res.destroy();
        if (this.stopped) return;
        if (err instanceof UpstreamBroken || err instanceof LineTooLongError) {
          void this.emit({ type: 'ERROR', status: HttpStatus.BAD_GATEWAY, message: `Cluster ${this.target.cluster}: ${err.message}; the watch is stopped.` });
          this.stop();
          return;
        }
        await this.pause(err);
        if (err instanceof UpstreamHiccup && err.code !== 429 && !this.stopped) await this.resync();
      }
    }
  }

  /** Reads one upstream stream to its end; true when it ended with 410 Gone. */
  private async follow(res: UpstreamResponse): Promise<boolean> {
    for await (const bytes of byteLines(res, { maxLine: this.bounds.lineBytes, dropUnterminated: true })) {
      const read = this.readsLines ? readBuiltInEvent(bytes) : undefined;
      if (read && read.kind !== 'Secret') {
        this.resourceVersion = read.resourceVersion;
        const behind = this.emit(read.event);
        if (behind) await behind;
        continue;
      }
      const line = bytes.toString('utf8');
      let event: { type: WatchEventOut['type']; object: { code?: number; message?: string; metadata?: { resourceVersion?: string } } };
      try {
        event = JSON.parse(line);
      } catch {
        throw new UpstreamBroken('its watch stream sent a line that is not JSON');
      }
      if (!event || typeof event !== 'object' || !event.object || typeof event.object !== 'object') throw new UpstreamBroken('its watch stream sent an event without an object');
      if (event.type === 'ERROR') {
        if (event.object.code === 410) return true;
        if (event.object.code === 401 && this.target.cluster.startsWith(USER_CLUSTER_PREFIX)) {
          // A user-added cluster refusing its entry's credential: not the console session's end (kubeError).
          const refused = kubeError(this.target.cluster, 401, line);
          void this.emit({ type: 'ERROR', status: refused.getStatus(), message: refused.message });
          continue;
        }
        if (event.object.code === 401 || event.object.code === 403) {
          void this.emit({ type: 'ERROR', status: event.object.code, message: event.object.message });
          continue;
        }
        throw new UpstreamHiccup(typeof event.object.code === 'number' ? event.object.code : undefined, typeof event.object.message === 'string' ? event.object.message : undefined);
      }
      const rv = event.object.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (event.type === 'BOOKMARK') {
        void this.emit({ type: 'BOOKMARK', resourceVersion: rv });
        continue;
      }
      const object = event.object as Record<string, unknown>;
      const redacted = this.redact(object);
      // Nothing taken out: the API server's own text of the object goes on, not a second stringify of it.
      const behind = this.emit(redacted === object ? serializeUpstream(line, event, rv) : { type: event.type, object: redacted, resourceVersion: rv });
      if (behind) await behind;
    }
    return false;
  }

  /** 410 Gone: list again and give every subscriber the whole state. */
  private async resync(): Promise<void> {
    // A 410 right after a fresh list is not compaction catching up: an upstream that answers
    // 410 to everything would otherwise be listed again in a tight loop (about 100 requests a
    // second, each a RESYNC to every tab). Back off as after any other failure.
    if (Date.now() - this.lastResync < RESYNC_QUIET_MS) await this.pause(new Error('410 Gone again right after a fresh list'));
    if (this.stopped) return;
    this.lastResync = Date.now();
    try {
      const list = await this.kube.json<{ metadata: { resourceVersion: string }; items: unknown[] }>(this.target.cluster, this.caller, { method: 'GET', path: this.query(false) });
      if (!Array.isArray(list?.items) || typeof list.metadata?.resourceVersion !== 'string') throw new UpstreamBroken('its list (after 410 Gone) is not a Kubernetes list');
      this.resourceVersion = list.metadata.resourceVersion;
      this.recent.clear();
      void this.emit({ type: 'RESYNC', items: list.items.map((item) => this.redact(item as Record<string, unknown>)), resourceVersion: list.metadata.resourceVersion });
    } catch (err) {
      if (err instanceof HttpException && [401, 403].includes(err.getStatus())) {
        void this.emit({ type: 'ERROR', status: err.getStatus(), message: err.message });
        this.stop();
        return;
      }
      if (err instanceof UpstreamBroken) {
        void this.emit({ type: 'ERROR', status: HttpStatus.BAD_GATEWAY, message: `Cluster ${this.target.cluster}: ${err.message}; the watch is stopped.` });
        this.stop();
        return;
      }
      await this.pause(err);
    }
  }

  private async pause(err: unknown): Promise<void> {
    this.logger.warn(`watch ${this.target.cluster} ${this.target.path}: ${(err as Error).message}; retrying in ${this.backoffMs} ms`);
    await new Promise((r) => setTimeout(r, this.backoffMs));
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** Settles when every subscriber behind has drained, or UPSTREAM_STALL_MS after the first fell behind. */
async function drainedOrStalled(waits: Behind[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const left = UPSTREAM_STALL_MS - (Date.now() - Math.min(...waits.map((w) => w.since)));
  await Promise.race([Promise.all(waits.map((w) => w.drained)), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, left))))]);
  clearTimeout(timer);
}

function toBigInt(rv: string | undefined): bigint | undefined {
  if (!rv || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}

@Injectable()
export class WatchHub {
  private readonly logger = new Logger('Watch');
  private readonly upstreams = new Map<string, UpstreamWatch[]>();
  /** Upstream watches per identity (CAIRN_MAX_WATCHES_PER_USER). */
  readonly watchesPerUser: PerIdentityLimit;

  constructor(private readonly kube: KubeService) {
    this.watchesPerUser = new PerIdentityLimit(kube.limits.watchesPerUser, 'watches of API servers', 'CAIRN_MAX_WATCHES_PER_USER');
  }

  /** The browser tabs' open watch streams (WatchController adds and removes them): what waits in their sockets. */
  readonly streams = new Set<{ readonly writableLength: number }>();

  /**
   * Counts for /metrics and the benchmarks; `replayBytes`: event bytes held for replay by all
   * watches; `bufferedBytes`: bytes written to the tabs' streams and not yet taken by their sockets.
   */
  stats(): { upstreams: number; subscribers: number; replayBytes: number; bufferedBytes: number } {
    const all = [...this.upstreams.values()].flat();
    let bufferedBytes = 0;
    for (const stream of this.streams) bufferedBytes += stream.writableLength;
    return { upstreams: all.length, subscribers: all.reduce((n, u) => n + u.subscribers, 0), replayBytes: all.reduce((n, u) => n + u.replayBytes, 0), bufferedBytes };
  }

  /**
   * What one watch may keep for replay now: CAIRN_MAX_REPLAY_BYTES, and at most an equal share
   * of CAIRN_MAX_REPLAY_TOTAL_BYTES among the open watches, so the total stays bounded however
   * many users watch (at least one line's worth of 64 KiB each, for the reconnect of a quiet list).
   */
  private replayAllowance(): number {
    let open = 0;
    for (const list of this.upstreams.values()) open += list.length;
    return Math.min(this.kube.limits.replayBytes, Math.max(64 * 1024, Math.floor(this.kube.limits.replayTotalBytes / Math.max(open, 1))));
  }

  /**
   * Subscribes `listener` to `target` as `caller`. Joins an upstream only when its whole
   * credential (Caller.credential: token, certificate and key, server, CA, TLS options) and
   * query are the same, so nobody receives an event their own connection did not
   * authenticate. Opening a new upstream counts against the caller's identity; past
   * CAIRN_MAX_WATCHES_PER_USER it throws a 429.
   */
  subscribe(caller: Caller, target: WatchTarget, fromVersion: string | undefined, listener: Listener): () => void {
    const key = createHash('sha256').update(JSON.stringify([caller.credential, target.cluster, target.path, target.labelSelector ?? '', target.fieldSelector ?? ''])).digest('hex');
    const list = this.upstreams.get(key) ?? [];
    let upstream = list.find((u) => u.canServeFrom(fromVersion));
    if (!upstream) {
      const release = this.watchesPerUser.acquire(caller.identity);
      const created: UpstreamWatch = new UpstreamWatch(
        this.kube,
        caller,
        target,
        fromVersion,
        () => {
          release();
          const remaining = (this.upstreams.get(key) ?? []).filter((u) => u !== created);
          if (remaining.length) this.upstreams.set(key, remaining);
          else this.upstreams.delete(key);
        },
        this.logger,
        { lineBytes: this.kube.limits.lineBytes, replayBytes: () => this.replayAllowance() },
      );
      upstream = created;
      list.push(created);
      this.upstreams.set(key, list);
      // One more watch: every watch's share of the total shrinks now, not at its next event.
      const allowance = this.replayAllowance();
      for (const watches of this.upstreams.values()) for (const watch of watches) watch.trim(allowance);
      return created.subscribe(listener, undefined);
    }
    return upstream.subscribe(listener, fromVersion);
  }
}
