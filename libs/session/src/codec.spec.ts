import { SealedBox, SessionKeyError } from './codec';

const keyA = 'a'.repeat(40);
const keyB = 'b'.repeat(40);

describe('SealedBox', () => {
  it('opens what it sealed, and nothing else', async () => {
    const box = new SealedBox([keyA], 'session');
    const sealed = await box.seal({ user: 'alice' }, { ttlSeconds: 60 });
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed).not.toContain('alice');
    expect(await box.open(sealed)).toEqual({ user: 'alice' });
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'BBB' : 'AAA');
    expect(await box.open(tampered)).toBeUndefined();
    expect(await box.open('not-a-jwe')).toBeUndefined();
  });

  it('refuses an expired payload', async () => {
    const box = new SealedBox([keyA], 'session');
    const sealed = await box.seal({ x: 1 }, { ttlSeconds: 60 }, Date.now() - 61_000);
    expect(await box.open(sealed)).toBeUndefined();
  });

  it('accepts the previous key while sealing with the new one', async () => {
    const old = new SealedBox([keyA], 'session');
    const rotated = new SealedBox([keyB, keyA], 'session');
    const fromOld = await old.seal({ n: 1 }, { ttlSeconds: 60 });
    expect(await rotated.open(fromOld)).toEqual({ n: 1 });
    const fromNew = await rotated.seal({ n: 2 }, { ttlSeconds: 60 });
    expect(await old.open(fromNew)).toBeUndefined();
    expect(await new SealedBox([keyB], 'session').open(fromNew)).toEqual({ n: 2 });
  });

  it('keeps purposes apart: sign-in state cannot pass as a session', async () => {
    const state = await new SealedBox([keyA], 'signin-state').seal({ nonce: 'n' }, { ttlSeconds: 60 });
    expect(await new SealedBox([keyA], 'session').open(state)).toBeUndefined();
  });

  it('remembers opened boxes up to its bound, least recently used dropped first, and still checks expiry and purpose at each open', async () => {
    const box = new SealedBox([keyA], 'session', { openedCache: 2 });
    const now = Date.now();
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => box.seal({ n }, { ttlSeconds: 60 }, now)));
    const first = await box.open<{ n: number }>(a as string, now);
    expect(first).toEqual({ n: 1 });
    // Parsed afresh: what one caller changes, the next does not see.
    (first as { n: number }).n = 99;
    expect(await box.open(a as string, now)).toEqual({ n: 1 });
    expect(box.rememberedCount).toBe(1);
    await box.open(b as string, now);
    await box.open(a as string, now);
    // Past the bound: b, used least recently, is dropped; a and c stay.
    await box.open(c as string, now);
    expect(box.rememberedCount).toBe(2);
    expect([a, b, c].map((x) => box.remembers(x as string))).toEqual([true, false, true]);
    // A remembered box is still refused once it has expired.
    expect(await box.open(a as string, now + 61_000)).toBeUndefined();
    // Nor is a failed open remembered.
    expect(await box.open('not-a-jwe', now)).toBeUndefined();
    const tampered = (c as string).slice(0, -3) + ((c as string).endsWith('A') ? 'BBB' : 'AAA');
    expect(await box.open(tampered, now)).toBeUndefined();
    expect(box.rememberedCount).toBe(2);
    // Another purpose's box with the same key is not opened through the cache either.
    const state = await new SealedBox([keyA], 'signin-state').seal({ nonce: 'n' }, { ttlSeconds: 60 });
    expect(await box.open(state, now)).toBeUndefined();
    // Without the option nothing is remembered.
    const plain = new SealedBox([keyA], 'session');
    await plain.open(a as string, now);
    expect(plain.rememberedCount).toBe(0);
  });

  it('refuses a short key with a message that says how to make one', () => {
    expect(() => new SealedBox(['short'], 'session')).toThrow(SessionKeyError);
    expect(() => new SealedBox(['short'], 'session')).toThrow(/at least 32 characters.*openssl rand/);
  });
});
