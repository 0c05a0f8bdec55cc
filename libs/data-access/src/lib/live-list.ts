import { computed, signal } from '@angular/core';
import type { WatchMessage } from '@cairn/api-contracts';
import { ApiClient, ApiError, KindRef, KubeObject } from './api-client';
import { WatchStream } from './watch-stream';

export interface LiveListQuery extends KindRef {
  cluster: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * One object by name (a detail page): listed as `metadata.name=<name>`, or, for someone who
   * may `get` it but not `list` it (a Role with `get` only), read with a GET.
   */
  name?: string;
}

/** How often a list is read again when the API server refuses to let the user watch it. */
export const POLL_MS = 10_000;

/**
 * A whole list is read in one request, as a stream: rows show as its first objects are parsed,
 * and no task parses the whole body at once. Not page by page: the API server answers
 * `continue` pages from etcd (2 500 pods took 450-900 ms a page in benchmark 4) but a whole
 * list from its watch cache. Lists capped by `maxItems` page instead (a first page of
 * FIRST_PAGE, then NEXT_PAGE at a time) and stop at the cap.
 */
const FIRST_PAGE = 500;
const NEXT_PAGE = 2500;
/** While a list streams in, what is shown is brought up to date at most this often (each time the table sorts it again). */
const PUBLISH_MS = 250;

export interface LiveListOptions {
  /** Stop listing after this many objects (an overview needs the picture, not every object). Default: all. */
  maxItems?: number;
  /**
   * Keep at most `max` objects, the first ones by `compare` (e.g. the newest events): what the
   * watch adds past it pushes the last ones out, and `truncated` says so. Default: keep all.
   */
  keep?: { max: number; compare: (a: KubeObject, b: KubeObject) => number };
}
/** Watch events are applied together at most this often, so a busy cluster does not re-render per event. */
const FLUSH_MS = 100;

const key = (o: KubeObject) => o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * A list that stays true: listed page by page, then followed on the tab's watch stream from
 * the list's resourceVersion. Changes are applied in batches. It works for every RBAC shape
 * that allows reading: a single object (`query.name`) the user may `get` but not `list` is read
 * with a GET; when the watch is refused (`list` without `watch`), the list is read again every
 * `POLL_MS` instead (`refresh` says which, `pollReason` why). `error` says, in the gateway's
 * words, why nothing can be shown (a 403 names the verb that was refused and the resource).
 */
export class LiveList {
  readonly items = signal<KubeObject[]>([]);
  readonly loading = signal(true);
  readonly error = signal<string | undefined>(undefined);
  readonly forbidden = signal(false);
  /** True when the cluster has more than is kept: the list stopped at `maxItems`, or `keep` pushed objects out. */
  readonly truncated = signal(false);
  private readonly byKey = new Map<string, KubeObject>();
  private pending: WatchMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  /** Resolves once the first list has arrived or been refused. */
  readonly settled: Promise<void>;
  /** How it stays current: followed live, or read again every POLL_MS because watching was refused. */
  readonly refresh = signal<'watch' | 'poll' | undefined>(undefined);
  /** The API server's refusal of the watch, when it polls. */
  readonly pollReason = signal<string | undefined>(undefined);
  /** Why the last poll failed, while the last good answer stays shown. */
  readonly pollError = signal<string | undefined>(undefined);
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** Read with GET: the user may get the object but not list it. */
  private byGet = false;
  /** Ends a list still streaming in when the list is stopped. */
  private readonly abort = new AbortController();

  constructor(
    private readonly api: ApiClient,
    private readonly watch: WatchStream,
    readonly query: LiveListQuery,
    private readonly options: LiveListOptions = {},
    /** Read only once this settles (resolved or rejected), still `loading` meanwhile: another read that must not compete with this one (data-access `PrintedRows`). */
    startAfter?: Promise<unknown>,
  ) {
    this.settled = startAfter ? startAfter.then(() => undefined, () => undefined).then(() => (this.stopped ? undefined : this.start())) : this.start();
  }

  private get fieldSelector(): string | undefined {
    const byName = this.query.name === undefined ? undefined : `metadata.name=${this.query.name}`;
    return [this.query.fieldSelector, byName].filter(Boolean).join(',') || undefined;
  }

  /** Reads everything once (pages as they come when `publishPages`); resolves with the resourceVersion to watch from. */
  private async read(publishPages: boolean): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const { cluster, group, version, resource, namespace, labelSelector, name } = this.query;
    const kind = { group, version, resource };
    if (this.byGet && name !== undefined) {
      const object = await this.api.get(cluster, kind, name, namespace);
      return { items: [object], resourceVersion: object.metadata.resourceVersion ?? '' };
    }
    const fieldSelector = this.fieldSelector;
    if (this.options.maxItems === undefined) {
      const items: KubeObject[] = [];
      let published = -Infinity;
      const envelope = await this.api.listStream(cluster, kind, { namespace, labelSelector, fieldSelector }, (batch) => {
        if (this.stopped) return;
        for (const item of batch) items.push(item);
        if (!publishPages) return;
        for (const item of batch) this.byKey.set(key(item), item);
        if (performance.now() - published >= PUBLISH_MS) {
          this.publish();
          published = performance.now();
        }
      }, this.abort.signal);
      if (publishPages) this.publish();
      return { items, resourceVersion: envelope.metadata.resourceVersion };
    }
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const page = await this.api.list(cluster, kind, { namespace, labelSelector, fieldSelector, limit: next ? NEXT_PAGE : FIRST_PAGE, continue: next });
      if (this.stopped) break;
      items.push(...page.items);
      if (publishPages) {
        for (const item of page.items) this.byKey.set(key(item), item);
        this.publish();
      }
      next = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (next && items.length < this.options.maxItems);
    if (next && !this.stopped) this.truncated.set(true);
    return { items, resourceVersion };
  }

  private async start(): Promise<void> {
    const { cluster, group, version, resource, namespace, labelSelector, name } = this.query;
    let resourceVersion = '';
    try {
      try {
        resourceVersion = (await this.read(true)).resourceVersion;
      } catch (err) {
        // May get, may not list: read the one object itself.
        if (!(name !== undefined && err instanceof ApiError && err.forbidden)) throw err;
        this.byGet = true;
        const { items, resourceVersion: rv } = await this.read(false);
        this.replaceAll(items);
        resourceVersion = rv;
      }
      if (this.stopped) return;
    } catch (err) {
      if (!this.stopped) this.fail(err);
      return;
    } finally {
      this.loading.set(false);
    }
    this.refresh.set('watch');
    this.unsubscribe = this.watch.subscribe({ cluster, group, version, resource, namespace, labelSelector, fieldSelector: this.fieldSelector, resourceVersion }, (message) => {
      if (message.type === 'ERROR' && message.status === 403) {
        // May read, may not watch: read again every POLL_MS instead.
        this.unsubscribe?.();
        this.unsubscribe = undefined;
        this.pollReason.set(message.message);
        this.refresh.set('poll');
        this.schedulePoll();
        return;
      }
      this.pending.push(message);
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    });
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(async () => {
      try {
        const { items } = await this.read(false);
        if (this.stopped) return;
        this.replaceAll(items);
        this.pollError.set(undefined);
      } catch (err) {
        if (this.byGet && err instanceof ApiError && err.status === 404) {
          // Read by name and now gone: nothing to show, nothing more to read.
          this.replaceAll([]);
          return;
        }
        // A read that failed once (a restart, a 5xx) keeps what is shown and says so; the next may work.
        this.pollError.set(err instanceof Error ? err.message : String(err));
      }
      this.schedulePoll();
    }, POLL_MS);
  }

  private replaceAll(items: KubeObject[]): void {
    this.byKey.clear();
    for (const item of items) this.byKey.set(key(item), item);
    this.publish();
  }

  private flush(): void {
    this.timer = undefined;
    const messages = this.pending;
    this.pending = [];
    for (const m of messages) {
      if (m.type === 'ADDED' || m.type === 'MODIFIED') this.byKey.set(key(m.object as KubeObject), m.object as KubeObject);
      else if (m.type === 'DELETED') this.byKey.delete(key(m.object as KubeObject));
      else if (m.type === 'RESYNC') {
        this.byKey.clear();
        for (const item of (m.items ?? []) as KubeObject[]) this.byKey.set(key(item), item);
      } else if (m.type === 'ERROR') {
        this.forbidden.set(m.status === 403);
        this.error.set(m.message ?? `The watch stopped (HTTP ${m.status}).`);
      }
    }
    this.publish();
  }

  private publish(): void {
    if (this.stopped) return;
    const keep = this.options.keep;
    if (keep && this.byKey.size > keep.max) {
      const ranked = [...this.byKey.entries()].sort(([, a], [, b]) => keep.compare(a, b));
      for (const [k] of ranked.slice(keep.max)) this.byKey.delete(k);
      this.truncated.set(true);
    }
    this.items.set([...this.byKey.values()]);
  }

  private fail(err: unknown): void {
    this.forbidden.set(err instanceof ApiError && err.forbidden);
    this.error.set(err instanceof Error ? err.message : String(err));
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
  }
}

/**
 * A namespaced kind across the cluster, or, for someone who may not list it cluster-wide
 * (a tenant), across the namespaces they said they work in: one list per namespace, merged.
 */
export class ScopedLiveList {
  private readonly lists = signal<LiveList[]>([]);
  /** The namespaces followed one by one, when the cluster-wide list was refused. */
  readonly namespaces = signal<string[] | undefined>(undefined);
  /** Why the cluster-wide list was refused, when it was (kept while the per-namespace lists are shown). */
  readonly refused = signal<string | undefined>(undefined);
  private stopped = false;

  readonly items = computed(() => this.lists().flatMap((l) => l.items()));
  readonly loading = computed(() => this.lists().some((l) => l.loading()));
  /** Some list holds less than the cluster has (see `LiveList.truncated`). */
  readonly truncated = computed(() => this.lists().some((l) => l.truncated()));
  /** How the lists stay current: `poll` as soon as one of them may not watch. */
  readonly refresh = computed(() => (this.lists().some((l) => l.refresh() === 'poll') ? 'poll' : this.lists()[0]?.refresh()));
  /** What went wrong, per namespace when followed per namespace. */
  readonly errors = computed(() =>
    this.lists()
      .map((l) => l.error())
      .filter((e): e is string => Boolean(e)),
  );

  constructor(
    api: ApiClient,
    watch: WatchStream,
    query: Omit<LiveListQuery, 'namespace'>,
    /** Asked only if the cluster-wide list is refused (it may first ask the gateway which namespaces are the user's). */
    fallbackNamespaces: () => string[] | Promise<string[]>,
    options: LiveListOptions = {},
  ) {
    const all = new LiveList(api, watch, query, options);
    this.lists.set([all]);
    void all.settled.then(async () => {
      if (this.stopped || !all.forbidden()) return;
      this.refused.set(all.error());
      const namespaces = await fallbackNamespaces();
      if (namespaces.length === 0 || this.stopped) return;
      this.namespaces.set(namespaces);
      this.lists.set(namespaces.map((namespace) => new LiveList(api, watch, { ...query, namespace }, options)));
    });
  }

  stop(): void {
    this.stopped = true;
    for (const l of this.lists()) l.stop();
  }
}

// Ages as kubectl prints them are the resource model's rule; re-exported for the remotes that import it from here.
export { age } from '@cairn/kube-model';
