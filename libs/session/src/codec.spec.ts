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

  it('refuses a short key with a message that says how to make one', () => {
    expect(() => new SealedBox(['short'], 'session')).toThrow(SessionKeyError);
    expect(() => new SealedBox(['short'], 'session')).toThrow(/at least 32 characters.*openssl rand/);
  });
});
