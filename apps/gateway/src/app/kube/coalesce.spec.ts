import { PassThrough, Readable, Writable, pipeline } from 'node:stream';
import { COALESCE_BYTES, coalesce } from './coalesce';

/** Writes seen by a sink: each chunk's length, in order. */
function sink(highWaterMark = 16 * 1024): { writable: Writable; writes: number[]; bytes: () => Buffer } {
  const writes: number[] = [];
  const parts: Buffer[] = [];
  const writable = new Writable({
    highWaterMark,
    write(chunk: Buffer, _e, done) {
      writes.push(chunk.length);
      parts.push(chunk);
      done();
    },
  });
  return { writable, writes, bytes: () => Buffer.concat(parts) };
}

describe('coalesce', () => {
  it('joins 4 KiB chunks into writes of at least 64 KiB, every byte in order, the last write the remainder', async () => {
    const body = Buffer.alloc(1_000_003);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const chunks: Buffer[] = [];
    for (let at = 0; at < body.length; at += 4096) chunks.push(body.subarray(at, at + 4096));
    const out = sink();
    await new Promise<void>((resolve, reject) => pipeline(Readable.from(chunks), coalesce(), out.writable, (err) => (err ? reject(err) : resolve())));
    expect(out.bytes().equals(body)).toBe(true);
    expect(out.writes.slice(0, -1).every((n) => n >= COALESCE_BYTES && n < COALESCE_BYTES + 4096)).toBe(true);
    expect(out.writes.length).toBe(Math.ceil(body.length / COALESCE_BYTES));
  });

  it('passes a chunk of 64 KiB or more on at once, without copying it', async () => {
    const big = Buffer.alloc(200 * 1024, 7);
    const seen: Buffer[] = [];
    const c = coalesce();
    c.on('data', (b: Buffer) => seen.push(b));
    c.end(big);
    await new Promise((r) => c.on('end', r));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(big);
  });

  it('sends what it holds after maxWaitMs when the source pauses mid-body (a slow cluster), not only at the end', async () => {
    const source = new PassThrough();
    const c = coalesce(COALESCE_BYTES, 20);
    const seen: number[] = [];
    c.on('data', (b: Buffer) => seen.push(b.length));
    source.pipe(c);
    source.write(Buffer.alloc(1000));
    source.write(Buffer.alloc(500));
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toEqual([1500]);
    source.end(Buffer.alloc(10));
    await new Promise((r) => c.on('end', r));
    expect(seen).toEqual([1500, 10]);
  });

  it('holds back a fast source while the reader does not read: what it holds stays bounded, the rest waits in the source', async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 16 * 1024,
      read() {
        produced += 16 * 1024;
        this.push(Buffer.alloc(16 * 1024));
      },
    });
    const c = coalesce();
    source.pipe(c); // nothing reads c
    await new Promise((r) => setTimeout(r, 100));
    // Joined but unread (16 KiB high-water mark plus one write), taken and not yet joined (16 KiB plus a chunk).
    expect(c.readableLength + c.writableLength).toBeLessThanOrEqual(16 * 1024 + COALESCE_BYTES + 16 * 1024 + 16 * 1024);
    expect(produced).toBeLessThan(COALESCE_BYTES * 3);
    source.destroy();
    c.destroy();
  });

  it('holds back a slow source too (under 64 KiB per wait) while the reader does not read: what it holds stays bounded', async () => {
    // A cluster dripping 1 KiB every 2 ms (about 0.5 MB/s) to a tab that never reads: each 20 ms
    // wait flushes less than 64 KiB, so only the high-water check holds the source back.
    const source = new Readable({ read: () => undefined });
    const c = coalesce();
    source.pipe(c); // nothing reads c
    for (let i = 0; i < 300; i++) {
      source.push(Buffer.alloc(1024));
      await new Promise((r) => setTimeout(r, 2));
    }
    // Joined but unread (its 16 KiB high-water mark plus one write), taken from the source and not yet joined (16 KiB plus a chunk).
    expect(c.readableLength + c.writableLength).toBeLessThanOrEqual(16 * 1024 + COALESCE_BYTES + 16 * 1024 + 1024);
    // The rest waits in the source, where the upstream's flow control (TCP, HTTP/2) holds it back.
    expect(source.readableLength).toBeGreaterThan(100 * 1024);
    source.destroy();
    c.destroy();
  });

  it('a reader that goes away destroys the source (the upstream request is cancelled), and a failing source fails the reader', async () => {
    const source = new PassThrough();
    const out = pipeline(source, coalesce(), () => undefined);
    source.write(Buffer.alloc(100));
    out.destroy();
    await new Promise((r) => setImmediate(r));
    expect(source.destroyed).toBe(true);

    const failing = new PassThrough();
    const out2 = pipeline(failing, coalesce(), () => undefined);
    const failed = new Promise<Error>((r) => out2.on('error', r));
    failing.destroy(new Error('stream reset by the cluster'));
    expect((await failed).message).toBe('stream reset by the cluster');
  });
});
