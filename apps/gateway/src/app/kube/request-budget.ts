import { createHash } from 'node:crypto';
import { KubeHttpException } from './kube-errors';

/**
 * A token bucket per caller and cluster, so one tab (or one script) cannot flood an API
 * server through the gateway. Callers are told by a hash of their credential; nothing else
 * about them is kept, and idle buckets are forgotten.
 */
export class RequestBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(
    /** Sustained requests per second per caller and cluster. */
    readonly ratePerSecond: number,
    /** Requests a caller may make at once before the rate applies. */
    readonly burst: number,
  ) {}

  /** Takes one request from the caller's budget, or throws a 429 with Retry-After. */
  take(credential: string, cluster: string, now = Date.now()): void {
    const key = createHash('sha256').update(credential).update('\0').update(cluster).digest('base64url');
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
      throw new KubeHttpException(
        `You are sending more than ${this.ratePerSecond} requests a second to cluster ${cluster}; slow down and retry in ${wait} s.`,
        429,
        { 'retry-after': String(wait) },
      );
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    this.sweep(now);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const full = (this.burst / this.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > full) this.buckets.delete(key);
  }
}
