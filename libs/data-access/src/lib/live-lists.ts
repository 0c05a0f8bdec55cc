import { inject, Injectable } from '@angular/core';
import { ApiClient } from './api-client';
import { LiveList, type LiveListOptions, type LiveListQuery } from './live-list';
import { WatchStream } from './watch-stream';

/** Lists that no screen shows, kept at most (the oldest goes first). */
export const MAX_KEPT_LISTS = 4;
/** Objects across the kept lists, at most: one list of 10 000 pods fits, two do not. */
export const MAX_KEPT_OBJECTS = 15_000;
/** How long a list no screen shows is kept, still followed on the watch stream (ms). */
export const KEEP_MS = 60_000;
/** How often the limits are checked again while lists are kept (ms): a kept list grows with what the watch adds. */
const BOUND_CHECK_MS = 5_000;

/** What LiveLists keeps at most: lists, objects across them, and ms each (MAX_KEPT_LISTS, MAX_KEPT_OBJECTS, KEEP_MS). */
export interface KeptListLimits {
  lists: number;
  objects: number;
  ms: number;
}

/** A list a screen shows: `release` when it no longer does (its component's onDestroy). */
export interface OpenedList {
  list: LiveList;
  release(): void;
}

interface Entry {
  list: LiveList;
  /** Screens showing it now. */
  users: number;
  /** When the last screen let it go (performance.now()); undefined while shown. */
  idleSince?: number;
  timer?: ReturnType<typeof setTimeout>;
  /** `ApiClient.sessionGeneration` when it was read: who it was read as. */
  generation: number;
}

/**
 * The tab's live lists, shared and kept for a while after their screen is left: back from a
 * pod's page, the pods list shows at once and is current (it was followed on the watch stream
 * all along) instead of being read again (10 000 pods: 36 MB and about a second in benchmark 4).
 * Two screens showing the same query share one list.
 *
 * Kept only while whole and well: a list still loading when left is stopped (its stream
 * aborted), as is one with an error, one capped (`truncated`), one read again every POLL_MS
 * because the user may not watch, or one opened with options (a `keep` rule is a function, so
 * such lists are never shared). Bounded by MAX_KEPT_LISTS, MAX_KEPT_OBJECTS (checked when a list
 * is left and every 5 s while any is kept) and KEEP_MS. Every kept list is stopped, and no list
 * is shared, across a change of whom the tab acts as (`ApiClient.sessionGeneration`: a token
 * signed in or forgotten, signing out, an ended session, in this tab or another).
 */
@Injectable({ providedIn: 'root', useFactory: () => new LiveLists(inject(ApiClient), inject(WatchStream)) })
export class LiveLists {
  private readonly entries = new Map<string, Entry>();

  /** While anything is kept, the limits are checked again every BOUND_CHECK_MS (a kept list grows with the watch). */
  private boundTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly watch: WatchStream,
    private readonly limits: KeptListLimits = { lists: MAX_KEPT_LISTS, objects: MAX_KEPT_OBJECTS, ms: KEEP_MS },
  ) {
    // Whom the tab acts as may have changed (here or in another tab): nothing kept is shown again.
    api.onSessionChange(() => this.clear());
  }

  /** Whether `open(query)` would give a list already read (shown or kept), not a new one. */
  has(query: LiveListQuery): boolean {
    const entry = this.entries.get(listId(query));
    return Boolean(entry && entry.generation === this.api.sessionGeneration && !entry.list.error());
  }

  /**
   * The list for `query`: one shown or kept already (as it is now), else a new one, read once
   * `startAfter` settles (see `LiveList`).
   */
  open(query: LiveListQuery, options?: LiveListOptions, startAfter?: Promise<unknown>): OpenedList {
    if (options && Object.keys(options).length) {
      const list = new LiveList(this.api, this.watch, query, options, startAfter);
      return { list, release: once(() => list.stop()) };
    }
    const id = listId(query);
    let entry = this.entries.get(id);
    if (entry && entry.generation !== this.api.sessionGeneration) {
      // Read as whoever the tab acted as before: never shared. A screen still showing it keeps it until it lets go.
      if (entry.users === 0) this.drop(id);
      else this.entries.delete(id);
      entry = undefined;
    }
    if (entry && entry.users === 0 && entry.list.error()) {
      this.drop(id);
      entry = undefined;
    }
    if (!entry) {
      entry = { list: new LiveList(this.api, this.watch, query, {}, startAfter), users: 0, generation: this.api.sessionGeneration };
      this.entries.set(id, entry);
    }
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.idleSince = undefined;
    entry.users++;
    const opened = entry;
    return { list: opened.list, release: once(() => this.release(id, opened)) };
  }

  /** Lists kept with no screen showing them, now. */
  get kept(): number {
    return [...this.entries.values()].filter((e) => e.users === 0).length;
  }

  /** Stops every list no screen shows; done each time whom the tab acts as may have changed. */
  clear(): void {
    for (const [id, entry] of this.entries) if (entry.users === 0) this.drop(id);
  }

  private release(id: string, entry: Entry): void {
    entry.users--;
    if (this.entries.get(id) !== entry) {
      // Set aside when the session changed: stopped once no screen shows it.
      if (entry.users <= 0) entry.list.stop();
      return;
    }
    if (entry.users > 0) return;
    const { list } = entry;
    // A list read again every POLL_MS (the user may not watch) is not kept: it would be read while no one looks.
    if (list.loading() || list.error() || list.truncated() || list.refresh() === 'poll' || entry.generation !== this.api.sessionGeneration) {
      this.drop(id);
      return;
    }
    entry.idleSince = performance.now();
    entry.timer = setTimeout(() => this.drop(id), this.limits.ms);
    this.bound();
    this.boundTimer ??= setInterval(() => this.bound(), BOUND_CHECK_MS);
  }

  /** Stops the oldest kept lists until the limits on lists and objects hold. */
  private bound(): void {
    const idle = [...this.entries].filter(([, e]) => e.idleSince !== undefined).sort(([, a], [, b]) => (a.idleSince as number) - (b.idleSince as number));
    let objects = idle.reduce((sum, [, e]) => sum + e.list.items().length, 0);
    let lists = idle.length;
    for (const [id, entry] of idle) {
      if (lists <= this.limits.lists && objects <= this.limits.objects) break;
      objects -= entry.list.items().length;
      lists--;
      this.drop(id);
    }
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.list.stop();
    this.entries.delete(id);
    if (this.kept === 0 && this.boundTimer) {
      clearInterval(this.boundTimer);
      this.boundTimer = undefined;
    }
  }
}

function listId(q: LiveListQuery): string {
  return JSON.stringify([q.cluster, q.group, q.version, q.resource, q.namespace ?? null, q.labelSelector ?? null, q.fieldSelector ?? null, q.name ?? null]);
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}
