import { createHash, hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Seals small JSON payloads (the session, the sign-in state) into compact JWEs
 * (`dir`, `A256GCM`) that only holders of the key can read or forge. The first key
 * encrypts; every key decrypts, so a key can be rotated without signing everyone out:
 * deploy with `[new, old]`, and drop `old` once the longest session has expired.
 */

export const MIN_KEY_LENGTH = 32;

export class SessionKeyError extends Error {}

interface DerivedKey {
  id: string;
  key: Uint8Array;
}

function derive(secret: string, purpose: string): DerivedKey {
  if (secret.length < MIN_KEY_LENGTH) {
    throw new SessionKeyError(`a session key must be at least ${MIN_KEY_LENGTH} characters long (got ${secret.length}); generate one with: openssl rand -base64 48`);
  }
  const key = new Uint8Array(hkdfSync('sha256', secret, 'cairn-session', purpose, 32));
  // The key id names the key without revealing it, so decryption tries the right key first.
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

export interface SealOptions {
  /** Lifetime in seconds; `open` refuses the payload afterwards. */
  ttlSeconds: number;
}

export interface SealedBoxOptions {
  /**
   * How many opened boxes to remember (the exact sealed text → its decrypted body; least
   * recently used dropped first), so a cookie sent with every request is decrypted once, not per
   * request (the session decrypt was 7.5 % of the console's CPU under the footprint load,
   * bench/reports/2026-11-30-footprint-profile.md). Each entry holds the sealed text and its body:
   * a session is about 2–8 KB of each. Expiry and purpose are checked again at every open, and a
   * payload is parsed afresh each time, so callers never share an object. 0 (the default)
   * remembers none.
   */
  openedCache?: number;
}

export class SealedBox {
  private readonly keys: DerivedKey[];
  private readonly openedCache: number;
  /** Sealed text → decrypted body, in least-recently-used order (a Map keeps insertion order). */
  private readonly opened = new Map<string, string>();

  /**
   * @param secrets current key first, then previous keys still accepted.
   * @param purpose separates uses of the same secret (a session can never be replayed as sign-in state).
   */
  constructor(secrets: string[], private readonly purpose: string, options: SealedBoxOptions = {}) {
    if (secrets.length === 0) throw new SessionKeyError('no session key is configured');
    this.keys = secrets.map((s) => derive(s, purpose));
    this.openedCache = Math.max(0, Math.floor(options.openedCache ?? 0));
  }

  /** How many opened boxes are remembered now (at most `openedCache`). */
  get rememberedCount(): number {
    return this.opened.size;
  }

  /** Whether `sealed` is remembered as opened (its next open decrypts nothing). */
  remembers(sealed: string): boolean {
    return this.opened.has(sealed);
  }

  async seal(payload: object, options: SealOptions, now = Date.now()): Promise<string> {
    const current = this.keys[0] as DerivedKey;
    const body = JSON.stringify({ p: payload, exp: Math.floor(now / 1000) + options.ttlSeconds, u: this.purpose });
    return new CompactEncrypt(new TextEncoder().encode(body))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.id })
      .encrypt(current.key);
  }

  /** The payload, or undefined when the box is not ours, was tampered with, or has expired. */
  async open<T>(sealed: string, now = Date.now()): Promise<T | undefined> {
    const remembered = this.opened.get(sealed);
    if (remembered !== undefined) {
      this.opened.delete(sealed);
      this.opened.set(sealed, remembered);
      return this.accept<T>(remembered, now);
    }
    let kid: string | undefined;
    try {
      const header = JSON.parse(Buffer.from(sealed.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
      kid = header.kid;
    } catch {
      return undefined;
    }
    const ordered = [...this.keys].sort((a, b) => Number(b.id === kid) - Number(a.id === kid));
    for (const { key } of ordered) {
      try {
        const { plaintext } = await compactDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        const text = new TextDecoder().decode(plaintext);
        const payload = this.accept<T>(text, now);
        if (payload !== undefined) this.remember(sealed, text);
        return payload;
      } catch {
        // Not this key; try the next.
      }
    }
    return undefined;
  }

  /** The payload of a decrypted body, or undefined when it is for another purpose or has expired. */
  private accept<T>(text: string, now: number): T | undefined {
    const body = JSON.parse(text) as { p: T; exp: number; u: string };
    if (body.u !== this.purpose || body.exp * 1000 <= now) return undefined;
    return body.p;
  }

  private remember(sealed: string, text: string): void {
    if (this.openedCache === 0) return;
    this.opened.set(sealed, text);
    while (this.opened.size > this.openedCache) this.opened.delete(this.opened.keys().next().value as string);
  }
}
