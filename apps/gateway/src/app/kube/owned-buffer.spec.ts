import { ownedBuffer, release } from './owned-buffer';

const MiB = 1024 * 1024;

describe('release', () => {
  it('gives an owned Buffer\u2019s bytes back at once, without waiting for the garbage collector', () => {
    const buffers = Array.from({ length: 16 }, () => ownedBuffer(MiB).fill(1));
    const before = process.memoryUsage().arrayBuffers;
    for (const b of buffers) release(b);
    const after = process.memoryUsage().arrayBuffers;
    expect(before - after).toBeGreaterThanOrEqual(16 * MiB);
    expect(buffers.every((b) => b.length === 0)).toBe(true);
  });

  it('leaves alone what it must not free: a slice of Node\u2019s shared pool, a view into a larger Buffer, an empty one', () => {
    const pooled = Buffer.from('from the pool');
    const neighbour = Buffer.from('a neighbour in the pool');
    release(pooled);
    expect(pooled.toString()).toBe('from the pool');
    expect(neighbour.toString()).toBe('a neighbour in the pool');
    const whole = ownedBuffer(64 * 1024).fill(0x61);
    const view = whole.subarray(1024, 2048);
    release(view);
    expect(whole.length).toBe(64 * 1024);
    expect(view.toString()).toBe('a'.repeat(1024));
    expect(() => release(Buffer.alloc(0))).not.toThrow();
    release(whole);
    expect(() => release(whole)).not.toThrow();
  });
});
