/**
 * Buffers the gateway alone holds, given back to the allocator the moment they are done with
 * instead of when V8 next runs a full collection.
 *
 * Why: a Buffer's bytes live outside V8's heap, and a Buffer that outlives two scavenges (a
 * watch's replay ring, a body read whole) is freed only by a full collection, which V8 starts
 * for memory outside its heap only some 64 MB above the last one. In a 128 MiB pod that is the
 * difference between fitting and the OOM killer (bench/reports/2026-11-30-footprint-client.md:
 * 16 KiB Buffers each held briefly kept 38 MB allocated for 6.4 MB alive).
 */

/** A Buffer of `size` bytes on an ArrayBuffer of its own (never a slice of Node's shared pool), so `release` may free it. */
export function ownedBuffer(size: number): Buffer {
  return Buffer.allocUnsafeSlow(size);
}

/**
 * Frees `buffer`'s bytes now (ECMAScript's `ArrayBuffer.prototype.transfer(0)` detaches it, and
 * V8 frees a detached backing store at once), when `buffer` spans an ArrayBuffer of its own
 * (`ownedBuffer`, or a large `Buffer.concat`); a view of a shared ArrayBuffer (Node's pool, a
 * socket's read) is left alone, as it must be. Afterwards every view of it is empty: only for a
 * Buffer no one else holds.
 */
export function release(buffer: Buffer): void {
  const whole = buffer.buffer;
  if (buffer.length === 0 || buffer.byteOffset !== 0 || whole.byteLength !== buffer.length || !(whole instanceof ArrayBuffer)) return;
  const es2024 = whole as ArrayBuffer & Es2024ArrayBuffer;
  if (!es2024.detached) es2024.transfer(0);
}

/** ES2024's ArrayBuffer additions (Node 24 has them; the workspace's TypeScript lib predates them). */
interface Es2024ArrayBuffer {
  readonly detached: boolean;
  transfer(newByteLength?: number): ArrayBuffer;
}
