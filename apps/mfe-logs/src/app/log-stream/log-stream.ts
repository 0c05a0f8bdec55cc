import { ApiError, query } from '@cairn/data-access';

/** What to read: one container of a pod, or every pod of a workload merged by the gateway. */
export type LogTarget =
  | { kind: 'container'; cluster: string; namespace: string; pod: string; container?: string }
  | { kind: 'workload'; cluster: string; namespace: string; group: string; version: string; resource: string; name: string; container?: string };

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
}

/** A line as it arrived, escape sequences still in it. */
export interface StreamedLine {
  readonly pod: string;
  readonly container: string;
  readonly timestamp?: string;
  readonly text: string;
}

export type StreamState =
  | { readonly phase: 'connecting' }
  | { readonly phase: 'streaming'; readonly reconnected: boolean }
  | { readonly phase: 'reconnecting'; readonly inSeconds: number; readonly reason: string }
  | { readonly phase: 'ended' }
  | { readonly phase: 'failed'; readonly message: string; readonly status?: number };

export interface LogStreamListener {
  lines(batch: StreamedLine[]): void;
  state(state: StreamState): void;
  /** Something to show in the log itself: the gateway's notice, one pod's error, a reconnect. */
  notice(text: string, kind: 'notice' | 'error', source?: { pod: string; container: string }): void;
}

/** Opens a path of the gateway as a byte stream (the page passes `ApiClient.request`). */
export type LogOpener = (path: string, cluster: string, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;

export interface LogStreamOptions {
  /** First wait before reconnecting, doubled on each failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Last timestamp seen per `pod/container`: start as if reconnecting (follow again after a stop). */
  resumeFrom?: ReadonlyMap<string, string>;
  now?: () => number;
}

const enc = encodeURIComponent;
/** Refusals (403, 404) tolerated in a row when reopening a stream that dropped. */
const MAX_REFUSALS_AFTER_DROP = 3;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

/**
 * Reads one log target and keeps reading: a followed stream that ends or drops (the
 * container restarted, the network blinked, a proxy timed out) is opened again after a
 * growing pause, from the last timestamp it delivered (`sinceSeconds`, then lines at or
 * before that timestamp are skipped), and the listener hears "reconnected". Timestamps are
 * always asked for, so resuming is exact; the view decides whether to show them.
 */
export class LogStream {
  private readonly abort = new AbortController();
  /** Last timestamp per `pod/container`. */
  private readonly last = new Map<string, string>();
  /** While resuming: lines at or before these are repeats. */
  private readonly cut = new Map<string, string>();
  private readonly now: () => number;
  /** The current connection has delivered a line: the next failure starts the back-off again. */
  private delivered = false;

  constructor(
    private readonly open: LogOpener,
    readonly target: LogTarget,
    readonly options: LogOptions,
    private readonly listener: LogStreamListener,
    private readonly settings: LogStreamOptions = {},
  ) {
    this.now = settings.now ?? Date.now;
    for (const [key, ts] of settings.resumeFrom ?? []) this.last.set(key, ts);
  }

  /** The last timestamp seen per `pod/container`, to resume from later. */
  get lastTimestamps(): ReadonlyMap<string, string> {
    return this.last;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  start(): this {
    void this.run();
    return this;
  }

  stop(): void {
    this.abort.abort();
  }

  private get follow(): boolean {
    // A previous container has ended: there is nothing to follow.
    return this.options.follow && !this.options.previous;
  }

  private async run(): Promise<void> {
    const retryMs = this.settings.retryMs ?? 1000;
    const maxRetryMs = this.settings.maxRetryMs ?? 30_000;
    let failures = 0;
    let refusals = 0;
    let resuming = this.last.size > 0;
    this.listener.state({ phase: 'connecting' });
    while (!this.stopped) {
      let reason = 'the stream ended';
      this.delivered = false;
      try {
        if (resuming) for (const [key, ts] of this.last) this.cut.set(key, ts);
        const body = await this.open(this.path(resuming), this.target.cluster, this.abort.signal);
        if (this.stopped) return;
        this.listener.state({ phase: 'streaming', reconnected: resuming });
        if (resuming) this.listener.notice(`Reconnected${this.resumedAt()}`, 'notice');
        await this.read(body);
        if (this.stopped) return;
        if (!this.follow) {
          this.listener.state({ phase: 'ended' });
          return;
        }
      } catch (err) {
        if (this.stopped) return;
        const status = err instanceof ApiError ? err.status : undefined;
        const message = err instanceof Error ? err.message : String(err);
        // Refused, gone or signed out: trying again changes nothing. Except while following:
        // a 400 is usually a container between restarts ("waiting to start"), and a 403 or 404
        // right after a drop may be an API server that restarted and has not yet loaded RBAC
        // or its cache; a few tries tell that apart from access really taken away.
        const passing = this.follow && (status === 400 || (resuming && (status === 403 || status === 404) && refusals++ < MAX_REFUSALS_AFTER_DROP));
        const final = status !== undefined && status < 500 && status !== 429 && !passing;
        if (final || !this.follow) {
          this.listener.state({ phase: 'failed', message, status });
          return;
        }
        reason = message;
      }
      failures = this.delivered ? 0 : failures + 1;
      if (this.delivered) refusals = 0;
      const wait = Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, failures - 1));
      this.listener.state({ phase: 'reconnecting', inSeconds: Math.ceil(wait / 1000), reason });
      await this.sleep(wait);
      resuming = true;
    }
  }

  private resumedAt(): string {
    const oldest = this.oldest();
    if (!oldest) return '';
    const time = oldest.slice(11, 19);
    return time ? ` (resumed after ${time} UTC)` : '';
  }

  private oldest(): string | undefined {
    let oldest: string | undefined;
    for (const ts of this.last.values()) if (!oldest || timestampKey(ts) < timestampKey(oldest)) oldest = ts;
    return oldest;
  }

  private path(resuming: boolean): string {
    const t = this.target;
    const params: Record<string, string | number | boolean | undefined> = {
      container: t.container,
      follow: this.follow || undefined,
      previous: this.options.previous || undefined,
      timestamps: true,
    };
    const oldest = resuming ? this.oldest() : undefined;
    if (oldest) {
      // Whole seconds back to the oldest line seen, and one more for clocks that disagree; the repeats are skipped.
      params['sinceSeconds'] = Math.max(1, Math.ceil((this.now() - Date.parse(oldest)) / 1000) + 1);
    } else {
      params['tailLines'] = this.options.tailLines;
      params['sinceSeconds'] = this.options.sinceSeconds;
    }
    const base = `api/v1/clusters/${enc(t.cluster)}/namespaces/${enc(t.namespace)}`;
    return t.kind === 'container'
      ? `${base}/pods/${enc(t.pod)}/log${query(params)}`
      : `${base}/workloads/${enc(t.group)}/${enc(t.version)}/${enc(t.resource)}/${enc(t.name)}/logs${query(params)}`;
  }

  /** Reads until the stream ends. */
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const onAbort = () => void reader.cancel().catch(() => undefined);
    this.abort.signal.addEventListener('abort', onAbort);
    let rest = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.stopped) return;
        const chunk = done ? decoder.decode() : decoder.decode(value, { stream: true });
        rest += chunk;
        const parts = rest.split('\n');
        rest = done ? '' : (parts.pop() ?? '');
        if (done && parts[parts.length - 1] === '') parts.pop();
        const batch = this.toLines(parts);
        if (batch.length > 0) {
          this.delivered = true;
          this.listener.lines(batch);
        }
        if (done) return;
      }
    } finally {
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }

  private toLines(parts: string[]): StreamedLine[] {
    const out: StreamedLine[] = [];
    for (const raw of parts) {
      if (this.target.kind === 'container') {
        this.accept(out, this.target.pod, this.target.container ?? '', raw);
        continue;
      }
      if (!raw.trim()) continue;
      let entry: { pod?: string; container?: string; line?: string; notice?: string; error?: string };
      try {
        entry = JSON.parse(raw) as typeof entry;
      } catch {
        continue;
      }
      if (typeof entry.notice === 'string') this.listener.notice(entry.notice, 'notice');
      else if (typeof entry.error === 'string') this.listener.notice(entry.error, 'error', { pod: entry.pod ?? '', container: entry.container ?? '' });
      else if (typeof entry.line === 'string') this.accept(out, entry.pod ?? '', entry.container ?? '', entry.line);
    }
    return out;
  }

  private accept(out: StreamedLine[], pod: string, container: string, raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = TIMESTAMP.exec(line);
    const timestamp = m?.[1];
    const key = `${pod}/${container}`;
    if (timestamp) {
      const cut = this.cut.get(key);
      if (cut !== undefined) {
        if (timestampKey(timestamp) <= timestampKey(cut)) return;
        this.cut.delete(key);
      }
      this.last.set(key, timestamp);
    }
    out.push({ pod, container, timestamp, text: m ? line.slice(m[0].length) : line });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}

/**
 * A timestamp as a string that sorts by time: RFC 3339 drops trailing zeros of the
 * fraction ("…05Z" after "…05.5Z" as text), so the fraction is padded to nanoseconds.
 */
export function timestampKey(ts: string): string {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return ts;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return `${String(ms).padStart(15, '0')}${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}`;
}
