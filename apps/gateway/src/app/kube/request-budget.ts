import { createHash } from 'node:crypto';
import { KubeHttpException } from './kube-errors';

/** What the budget needs to know about a caller (see auth/callers.ts). */
export interface BudgetCaller {
  /** `user:<name>`, `bearer:<digest>`, ...: whose bucket. */
  identity: string;
  /** False for a caller no API server has accepted yet: the per-source bucket applies first. */
  verified: boolean;
  /** The connection's peer address. */
  source: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets so that one tab, one script or one flood of made-up credentials cannot load
 * an API server through the gateway. Two tiers:
 *
 * - per identity and cluster (`ratePerSecond`, burst `burst`): a verified identity is a
 *   person (a session) or a bearer an API server accepted;
 * - in front of it, per source address (`sourceRate`, burst 4x) for callers not verified
 *   yet, so 300 different junk bearers from one address share one bucket instead of getting
 *   300 fresh ones.
 *
 * Buckets are keyed by digests; nothing else about callers is kept, and idle buckets are
 * forgotten.
 */
export class RequestBudget {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = Date.now();

  constructor(
    /** Sustained requests per second per identity and cluster. */
    readonly ratePerSecond: number,
    /** Requests an identity may make at once before the rate applies. */
    readonly burst: number,
    /** Sustained requests per second per source address for callers not verified yet (burst 4x). */
    readonly sourceRate = ratePerSecond,
  ) {}

  /**
   * Takes one request from the caller's budget for `cluster`, or throws a 429 with
   * Retry-After and a message naming the bound that was crossed.
   */
  take(caller: BudgetCaller, cluster: string, now = Date.now()): void {
    if (!caller.verified) {
      this.takeFrom(`source\0${caller.source}`, this.sourceRate, this.sourceRate * 4, now, (wait) =>
        `Too many requests from your address by callers no cluster has accepted yet (more than ${this.sourceRate} a second, CAIRN_SOURCE_REQUEST_RATE); sign in, or retry in ${wait} s.`,
      );
    }
    this.takeFrom(`${caller.identity}\0${cluster}`, this.ratePerSecond, this.burst, now, (wait) => `You are sending more than ${this.ratePerSecond} requests a second to cluster ${cluster}; slow down and retry in ${wait} s.`);
    this.sweep(now);
  }

  /**
   * Takes one request from the per-source bucket only: for work the gateway does on behalf of
   * a caller it does not know yet (asking a cluster whose bearer token this is).
   */
  takeSource(source: string, now = Date.now()): void {
    this.takeFrom(`source\0${source}`, this.sourceRate, this.sourceRate * 4, now, (wait) =>
      `Too many requests from your address by callers no cluster has accepted yet (more than ${this.sourceRate} a second, CAIRN_SOURCE_REQUEST_RATE); sign in, or retry in ${wait} s.`,
    );
  }

  private takeFrom(name: string, rate: number, burst: number, now: number, message: (wait: number) => string): void {
    const key = createHash('sha256').update(name).digest('base64url');
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
      throw new KubeHttpException(message(wait), 429, { 'retry-after': String(wait) });
    }
    bucket.tokens -= 1;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const full = (Math.max(this.burst / this.ratePerSecond, 4)) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > full) this.buckets.delete(key);
  }
}
