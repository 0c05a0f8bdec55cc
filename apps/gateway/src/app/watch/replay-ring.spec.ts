import { ReplayRing } from './replay-ring';
import type { SerializedEvent } from './watch-hub';

const KiB = 1024;
const event = (rv: number, size: number): SerializedEvent => {
  const head = `{"type":"MODIFIED","object":{"n":${rv},"f":"`;
  const tail = `"},"resourceVersion":"${rv}"}`;
  return { type: 'MODIFIED', resourceVersion: String(rv), json: head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail };
};

/** A deterministic pseudo-random sequence (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ReplayRing', () => {
  it('keeps the newest events, byte for byte and in order, within its allowance and event count, whatever their sizes', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const next = random(seed);
      const ring = new ReplayRing(50);
      const pushed: SerializedEvent[] = [];
      let allowance = 64 * KiB;
      for (let rv = 1; rv <= 1000; rv++) {
        if (next() < 0.01) allowance = Math.floor((16 + next() * 240) * KiB);
        const e = event(rv, Math.floor(60 + next() * (next() < 0.1 ? 40 * KiB : 3 * KiB)));
        const bytes = Buffer.byteLength(e.json);
        pushed.push(e);
        ring.push(BigInt(rv), e, allowance);
        const kept = ring.since(0n);
        const context = { seed, rv, allowance };
        expect({ ...context, within: ring.bytes <= allowance && kept.length <= 50 }).toEqual({ ...context, within: true });
        // A suffix of what was pushed, the newest last, each event's bytes as they were.
        const suffix = pushed.slice(pushed.length - kept.length);
        expect({ ...context, same: kept.every((k, i) => k.json === suffix[i]?.json && k.resourceVersion === suffix[i]?.resourceVersion) }).toEqual({ ...context, same: true });
        if (bytes <= allowance) expect({ ...context, newest: kept.at(-1)?.resourceVersion }).toEqual({ ...context, newest: String(rv) });
        expect(ring.oldest).toBe(kept.length ? BigInt(kept[0]?.resourceVersion as string) : undefined);
      }
    }
  });

  it('keeps as many of the newest events as its allowance holds, less at most one event lost to wrapping', () => {
    const ring = new ReplayRing(1000);
    for (let rv = 1; rv <= 100; rv++) ring.push(BigInt(rv), event(rv, 10 * KiB), 64 * KiB);
    // 6 events of 10 KiB fit in 64 KiB; the ring's end wastes at most one.
    expect(ring.size).toBeGreaterThanOrEqual(5);
    expect(ring.since(94n).map((e) => e.resourceVersion)).toEqual(['95', '96', '97', '98', '99', '100'].slice(6 - Math.min(6, ring.size)));
  });

  it('makes no Buffer per event once grown: events are copied into the same one', () => {
    const ring = new ReplayRing(1000);
    for (let rv = 1; rv <= 50; rv++) ring.push(BigInt(rv), event(rv, 4 * KiB), 80 * KiB);
    const held = (ring as unknown as { buf: Buffer }).buf;
    for (let rv = 51; rv <= 5000; rv++) ring.push(BigInt(rv), event(rv, 4 * KiB), 80 * KiB);
    expect((ring as unknown as { buf: Buffer }).buf).toBe(held);
    expect(ring.bytes).toBe(80 * KiB);
  });

  it('starts small: a quiet watch holds about what its events need, not its whole allowance', () => {
    const ring = new ReplayRing(1000);
    for (let rv = 1; rv <= 3; rv++) ring.push(BigInt(rv), event(rv, 2 * KiB), 1024 * KiB);
    expect(ring.bytes).toBe(16 * KiB);
  });

  it('shrinks to a smaller allowance at once, keeping the newest events that fit; an event larger than the allowance empties it', () => {
    const ring = new ReplayRing(1000);
    for (let rv = 1; rv <= 40; rv++) ring.push(BigInt(rv), event(rv, 8 * KiB), 256 * KiB);
    ring.shrinkTo(64 * KiB);
    expect(ring.bytes).toBe(64 * KiB);
    expect(ring.since(0n).map((e) => e.resourceVersion)).toEqual(['33', '34', '35', '36', '37', '38', '39', '40']);
    ring.push(41n, event(41, 100 * KiB), 64 * KiB);
    expect({ size: ring.size, bytes: ring.bytes, oldest: ring.oldest }).toEqual({ size: 0, bytes: 0, oldest: undefined });
  });
});

describe('ReplayRing memory', () => {
  it('frees the Buffer it leaves when it shrinks and when it is cleared, at once (no full collection needed)', () => {
    const ring = new ReplayRing(1000);
    for (let rv = 1; rv <= 400; rv++) ring.push(BigInt(rv), event(rv, 3 * KiB), 1024 * KiB);
    expect(ring.bytes).toBe(1024 * KiB);
    const full = process.memoryUsage().arrayBuffers;
    ring.shrinkTo(64 * KiB);
    const shrunk = process.memoryUsage().arrayBuffers;
    expect(full - shrunk).toBeGreaterThanOrEqual(1024 * KiB - 64 * KiB);
    expect(ring.since(0n).at(-1)?.resourceVersion).toBe('400');
    ring.clear();
    expect(shrunk - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(64 * KiB);
    expect(ring.size).toBe(0);
  });
});
