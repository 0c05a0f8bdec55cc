import { USER_CLUSTER_PREFIX, WatchMessage, WatchSubscription } from '@cairn/api-contracts';
import { ApiClient, ApiError } from './api-client';

/**
 * The tab's live view of the cluster: one server-sent-events stream to the gateway carries
 * every watch the open views need (a user-added cluster gets its own stream, since its
 * entry travels in a header). It is read with `fetch`, not `EventSource`, so it can send
 * headers. When the set of watches changes, or the stream drops, it reopens with each
 * watch's last resourceVersion, so no event is lost and none repeats.
 */

export type WatchTarget = Omit<WatchSubscription, 'id'>;
export type WatchListener = (message: WatchMessage) => void;

interface Entry {
  id: string;
  target: WatchTarget;
  listener: WatchListener;
}

interface Stream {
  abort: AbortController;
  ids: string;
}

export interface WatchStreamOptions {
  /** Wait before reopening after the set changed, so a page's watches open together. */
  settleMs?: number;
  /** First delay before reconnecting after a drop (doubles up to 10 s). */
  retryMs?: number;
}

export class WatchStream {
  private readonly entries = new Map<string, Entry>();
  private readonly streams = new Map<string, Stream>();
  private readonly failures = new Map<string, number>();
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly api: ApiClient,
    private readonly options: WatchStreamOptions = {},
  ) {}

  /** Follows a list from `target.resourceVersion` (the list's); returns the unsubscribe. */
  subscribe(target: WatchTarget, listener: WatchListener): () => void {
    const id = `w${this.nextId++}`;
    this.entries.set(id, { id, target: { ...target }, listener });
    this.schedule();
    return () => {
      this.entries.delete(id);
      this.schedule();
    };
  }

  /** How many streams are open (one per group of clusters), for tests and diagnostics. */
  get openStreams(): number {
    return this.streams.size;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const s of this.streams.values()) s.abort.abort();
    this.streams.clear();
    this.entries.clear();
  }

  private schedule(delay = this.options.settleMs ?? 30): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reconcile(), delay);
  }

  /** Opens, reopens or closes streams so that each group's stream carries exactly its watches. */
  private reconcile(): void {
    const groups = new Map<string, Entry[]>();
    for (const e of this.entries.values()) {
      const key = e.target.cluster.startsWith(USER_CLUSTER_PREFIX) ? e.target.cluster : '';
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const [key, stream] of this.streams) {
      const wanted = groups.get(key);
      if (!wanted || wanted.map((e) => e.id).join(',') !== stream.ids) {
        stream.abort.abort();
        this.streams.delete(key);
      }
    }
    for (const [key, entries] of groups) if (!this.streams.has(key)) this.open(key, entries);
  }

  private open(key: string, entries: Entry[]): void {
    const abort = new AbortController();
    this.streams.set(key, { abort, ids: entries.map((e) => e.id).join(',') });
    const subscriptions: WatchSubscription[] = entries.map((e) => ({ id: e.id, ...e.target }));
    void this.run(key, subscriptions, abort).then(
      () => this.dropped(key, abort, undefined),
      (err: unknown) => this.dropped(key, abort, err),
    );
  }

  private async run(key: string, subscriptions: WatchSubscription[], abort: AbortController): Promise<void> {
    const cluster = key || undefined;
    const res = await this.api.request('GET', `api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { cluster, signal: abort.signal });
    if (!res.body) return;
    this.failures.delete(key);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.dispatch(block);
      }
    }
  }

  private dispatch(block: string): void {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event === 'overflow') {
      // The gateway gave up on this tab's backlog: reopen from the last resourceVersions.
      this.reopenAll();
      return;
    }
    if (event !== 'watch' || !data) return;
    const message = JSON.parse(data) as WatchMessage;
    const entry = this.entries.get(message.id);
    if (!entry) return;
    if (message.resourceVersion && message.type !== 'ERROR') entry.target.resourceVersion = message.resourceVersion;
    if (message.type === 'ERROR') {
      if (message.status === 401) {
        void this.api.renewSession().then((ok) => {
          if (ok) return this.reopenAll();
          // Not renewed: the session has ended. Nothing read under it is shown again as current
          // (a kept list), and the view says the watch stopped.
          this.api.sessionChanged();
          if (this.entries.get(message.id) !== entry) return;
          this.entries.delete(message.id);
          this.schedule();
          entry.listener(message);
        });
        return;
      }
      // Refused or gone: the view shows why; the stream stops asking for it.
      this.entries.delete(message.id);
      this.schedule();
    }
    entry.listener(message);
  }

  private reopenAll(): void {
    for (const s of this.streams.values()) s.abort.abort();
    this.streams.clear();
    this.schedule(0);
  }

  private dropped(key: string, abort: AbortController, err: unknown): void {
    if (abort.signal.aborted || this.closed) return;
    this.streams.delete(key);
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
      // A request the gateway refuses will not succeed by repeating it: tell every listener.
      for (const e of this.entries.values()) {
        if ((e.target.cluster.startsWith(USER_CLUSTER_PREFIX) ? e.target.cluster : '') !== key) continue;
        this.entries.delete(e.id);
        e.listener({ id: e.id, type: 'ERROR', status: err.status, message: err.message });
      }
      return;
    }
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    this.schedule(Math.min((this.options.retryMs ?? 500) * 2 ** (failures - 1), 10_000));
  }
}
