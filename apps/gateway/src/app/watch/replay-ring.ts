import { ownedBuffer, release } from '../kube/owned-buffer';
import type { SerializedEvent } from './watch-hub';

/** Where one kept event lies in the ring. */
interface Kept {
  rv: bigint;
  type: SerializedEvent['type'];
  resourceVersion?: string;
  at: number;
  length: number;
}

/** A ring starts this small and doubles (up to its allowance) as its events need. */
const FIRST_BYTES = 16 * 1024;

/**
 * The last events of one upstream watch, for subscribers that join from a recent
 * resourceVersion: their text encoded into one Buffer that is written over, oldest first,
 * instead of an object per event.
 *
 * Why one Buffer: every event of a watch is kept for a while, long enough for V8 to move it to
 * the old generation, and old garbage is given back only by a full collection. Kept as strings
 * (one per event), 50 users' 5 000-pod watches filled the console's 64 MiB heap with them and kept
 * it collecting (issue 20: 44 % of its CPU in the collector); kept as a Buffer each, the same
 * garbage grew outside the heap, where V8 starts a full collection only after 64 MB, and took a
 * 128 MiB console to its OOM kill. A ring makes no garbage per event: it is reallocated only when
 * it grows (doubling, up to the allowance) or when its allowance shrinks below it, and the Buffer
 * it leaves is freed then and there (`release`), as is its last one on `clear` (the watch ended):
 * 100 watches' rings shrinking as watches open left megabytes for a full collection to find.
 *
 * Bounds: at most `maxEvents` events, and the ring is never larger than the allowance of the
 * last `push` or `shrinkTo` (bytes; the watch's share of CAIRN_MAX_REPLAY_TOTAL_BYTES). An event
 * larger than the allowance empties it: a subscriber from before it gets a fresh watch.
 */
export class ReplayRing {
  private buf: Buffer = Buffer.alloc(0);
  /** Oldest first. */
  private kept: Kept[] = [];
  /** Where the next event goes. */
  private end = 0;

  constructor(private readonly maxEvents: number) {}

  /** Bytes this ring holds (its Buffer, used or not). */
  get bytes(): number {
    return this.buf.length;
  }

  get size(): number {
    return this.kept.length;
  }

  /** The resourceVersion of the oldest event kept. */
  get oldest(): bigint | undefined {
    return this.kept[0]?.rv;
  }

  /** Keeps `event` (its text, encoded as UTF-8 into the ring), dropping the oldest events to make room. */
  push(rv: bigint, event: SerializedEvent, allowance: number): void {
    const length = Buffer.byteLength(event.json, 'utf8');
    if (length > allowance) return this.clear();
    this.shrinkTo(allowance);
    if (this.kept.length >= this.maxEvents) this.kept.shift();
    if (!this.roomFor(length) && this.buf.length < allowance) this.resize(Math.min(allowance, Math.max(FIRST_BYTES, 2 * this.buf.length, this.used() + length)));
    let at = this.end;
    if (at + length > this.buf.length) {
      // Wrap: what lies between here and the end of the Buffer is the oldest; it goes first.
      while (this.kept.length && (this.kept[0] as Kept).at >= at) this.kept.shift();
      at = 0;
    }
    while (this.kept.length && overlaps(this.kept[0] as Kept, at, length)) this.kept.shift();
    this.buf.write(event.json, at, length, 'utf8');
    this.kept.push({ rv, type: event.type, ...(event.resourceVersion ? { resourceVersion: event.resourceVersion } : {}), at, length });
    this.end = at + length;
  }

  /** The events kept after `rv`, oldest first. */
  since(rv: bigint): SerializedEvent[] {
    return this.kept
      .filter((k) => k.rv > rv)
      .map((k) => ({ type: k.type, ...(k.resourceVersion ? { resourceVersion: k.resourceVersion } : {}), json: this.buf.toString('utf8', k.at, k.at + k.length) }));
  }

  /** Shrinks the ring to at most `allowance` bytes, keeping the newest events that fit. */
  shrinkTo(allowance: number): void {
    if (this.buf.length > allowance) this.resize(allowance);
  }

  /** Drops every event and frees the ring's Buffer now. */
  clear(): void {
    release(this.buf);
    this.buf = Buffer.alloc(0);
    this.kept = [];
    this.end = 0;
  }

  private used(): number {
    let n = 0;
    for (const k of this.kept) n += k.length;
    return n;
  }

  /** Whether `length` bytes fit without dropping an event. */
  private roomFor(length: number): boolean {
    if (this.kept.length === 0) return length <= this.buf.length;
    const start = (this.kept[0] as Kept).at;
    // Kept events lie in [start, end) or, wrapped, in [start, buf.length) and [0, end).
    if (start < this.end) return this.end + length <= this.buf.length || length <= start;
    return this.end + length <= start;
  }

  /** A Buffer of `size` bytes holding the newest events that fit, from its start. */
  private resize(size: number): void {
    const next = ownedBuffer(size);
    let total = 0;
    let from = this.kept.length;
    while (from > 0 && total + (this.kept[from - 1] as Kept).length <= size) total += (this.kept[--from] as Kept).length;
    let at = 0;
    const kept = this.kept.slice(from).map((k) => {
      this.buf.copy(next, at, k.at, k.at + k.length);
      const moved = { ...k, at };
      at += k.length;
      return moved;
    });
    release(this.buf);
    this.buf = next;
    this.kept = kept;
    this.end = at;
  }
}

function overlaps(k: Kept, at: number, length: number): boolean {
  return k.at < at + length && at < k.at + k.length;
}
