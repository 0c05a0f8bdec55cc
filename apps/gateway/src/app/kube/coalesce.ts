import { Transform, type TransformCallback } from 'node:stream';

/** Bytes a coalesced write carries at least, but the body's last (64 KiB: four TLS records to the browser). */
export const COALESCE_BYTES = 64 * 1024;

/** High-water mark of each side of the Transform (Node 24's default is 64 KiB): what waits unread before the source is held back. */
const HIGH_WATER_BYTES = 16 * 1024;

/**
 * Joins a body's small chunks into writes of at least `bytes` (the last one excepted), for a body
 * the browser reads whole (a list page), never for a stream read event by event (a watch, a
 * followed log), which must not wait for the next chunk.
 *
 * Why: the API server's TLS records reach the gateway as chunks of about 1.4 KB (15 000 for an
 * 18.6 MB list of 5 000 pods), and each one went to the browser as a write of its own: a chunk
 * of HTTP/1.1's chunked encoding and a `writev` system call, 57 % of the gateway's CPU for that
 * list, about 140 ms of it per list, which seed 001's 100m pod takes 1.4 s to give
 * (bench/reports/2026-11-30-list-http1.md).
 *
 * Bounds, per list: under `bytes` waiting to be joined, or else at most 16 KiB of joined writes
 * not yet read plus one write (up to `bytes` plus a chunk) and 16 KiB taken from the source and
 * not yet joined (HIGH_WATER_BYTES): a chunk that finds the unread writes at their high-water
 * mark is passed on at once, which makes the Transform hold back the next chunk (and so the
 * upstream socket) until the browser reads. Data waits for more at most `maxWaitMs`
 * (milliseconds), so a slow cluster's page still moves; without the high-water check, a
 * cluster dripping under 64 KiB per `maxWaitMs` to a tab that never reads would be buffered
 * without end by the timer's pushes.
 */
export function coalesce(bytes = COALESCE_BYTES, maxWaitMs = 20): Transform {
  let pending: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const take = (): Buffer => {
    const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
    pending = [];
    size = 0;
    clearTimeout(timer);
    timer = undefined;
    return joined;
  };
  return new Transform({
    readableHighWaterMark: HIGH_WATER_BYTES,
    writableHighWaterMark: HIGH_WATER_BYTES,
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= bytes || this.readableLength >= this.readableHighWaterMark) return done(null, take());
      timer ??= setTimeout(() => size > 0 && this.push(take()), maxWaitMs);
      done();
    },
    flush(done: TransformCallback) {
      done(null, size > 0 ? take() : undefined);
    },
    destroy(err, done) {
      clearTimeout(timer);
      pending = [];
      done(err);
    },
  });
}
