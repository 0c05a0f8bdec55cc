import { KubeHttpException } from './kube-errors';

/**
 * A count per identity with a ceiling (open streams, upstream watches, followed logs). Taking
 * past the ceiling is a 429 whose message names the bound and its setting; what was taken is
 * given back with the function `acquire` returns (idempotent).
 */
export class PerIdentityLimit {
  private readonly counts = new Map<string, number>();

  constructor(
    /** Most at once per identity. */
    readonly limit: number,
    /** What is counted, plural, e.g. "open watch streams". */
    private readonly what: string,
    /** The setting that holds `limit`, named in the 429. */
    private readonly setting: string,
  ) {}

  /** Takes `n` for `identity`, or throws a 429 and takes nothing. */
  acquire(identity: string, n = 1): () => void {
    const held = this.counts.get(identity) ?? 0;
    if (held + n > this.limit) {
      throw new KubeHttpException(`You have ${held} ${this.what} open; at most ${this.limit} are allowed per user (${this.setting}). Close some and retry.`, 429, { 'retry-after': '5' });
    }
    this.counts.set(identity, held + n);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.counts.get(identity) ?? n) - n;
      if (now > 0) this.counts.set(identity, now);
      else this.counts.delete(identity);
    };
  }

  held(identity: string): number {
    return this.counts.get(identity) ?? 0;
  }
}
