import { AccessCheck, AccessResult, ConsoleSettings, MAX_ACCESS_CHECKS, READ_ONLY_REASON } from '@cairn/api-contracts';
import { isWriteVerb } from '@cairn/kube-model';
import { ApiClient } from './api-client';

/**
 * Answers "may I?" for the actions a view wants to offer. Questions asked in the same
 * moment go to the gateway as one batch of access reviews; answers are remembered for a
 * minute per cluster, so a list of 500 rows asks once, not 500 times.
 *
 * The one place the read-only console (CAIRN_READ_ONLY, from `console-settings`) is applied
 * in the browser: while it is on, every write verb (kube-model `isWriteVerb`: anything but
 * get, list, watch) is answered "no" with READ_ONLY_REASON, whatever the cluster's RBAC, so no
 * view offers a change. The gateway refuses the writes anyway; this keeps them out of sight.
 */
export class Permissions {
  private readonly cache = new Map<string, { at: number; answer: Promise<AccessResult> }>();
  private readonly pending = new Map<string, Array<{ check: AccessCheck; resolve: (r: AccessResult) => void; reject: (e: unknown) => void }>>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private settings: Promise<ConsoleSettings> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly ttlMs = 60_000,
  ) {}

  /** Whether the caller may do `check` on `cluster`; false when the cluster cannot say. */
  async can(cluster: string, check: AccessCheck): Promise<boolean> {
    return (await this.review(cluster, check)).allowed;
  }

  review(cluster: string, check: AccessCheck): Promise<AccessResult> {
    if (!isWriteVerb(check.verb)) return this.ask(cluster, check);
    // Asked in the same batch as the reads of this moment; the console's rule wins over the cluster's answer.
    return Promise.all([this.readOnly(), this.ask(cluster, check)]).then(([readOnly, answer]) => (readOnly ? { allowed: false, reason: READ_ONLY_REASON } : answer));
  }

  /**
   * Whether the administrator made this console read-only; asked once per page. While the
   * gateway cannot say, the answer is "read-only" (nothing offered that might be refused) and
   * the next question asks again.
   */
  readOnly(): Promise<boolean> {
    this.settings ??= this.api.consoleSettings().catch(() => {
      this.settings = undefined;
      return { readOnly: true };
    });
    return this.settings.then((s) => s.readOnly);
  }

  private ask(cluster: string, check: AccessCheck): Promise<AccessResult> {
    const key = JSON.stringify([cluster, check.verb, check.group ?? 'core', check.resource, check.subresource ?? '', check.namespace ?? '', check.name ?? '']);
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.answer;
    const answer = new Promise<AccessResult>((resolve, reject) => {
      this.pending.set(cluster, [...(this.pending.get(cluster) ?? []), { check, resolve, reject }]);
    });
    this.cache.set(key, { at: Date.now(), answer });
    answer.catch(() => this.cache.delete(key));
    this.flushTimer ??= setTimeout(() => this.flush(), 10);
    return answer;
  }

  /** Forgets every answer (after a sign-in, or when RBAC may have changed). */
  clear(): void {
    this.cache.clear();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [cluster, waiting] of batches) {
      for (let i = 0; i < waiting.length; i += MAX_ACCESS_CHECKS) {
        const chunk = waiting.slice(i, i + MAX_ACCESS_CHECKS);
        this.api.accessReviews(cluster, chunk.map((w) => w.check)).then(
          ({ results }) => chunk.forEach((w, j) => w.resolve(results[j] ?? { allowed: false })),
          (err: unknown) => chunk.forEach((w) => w.reject(err)),
        );
      }
    }
  }
}
