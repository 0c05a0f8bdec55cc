import { computed, Injectable, inject, signal } from '@angular/core';
import type { SessionSummary, SignInOptions } from '@cairn/api-contracts';
import { ApiClient } from '@cairn/data-access';

/**
 * Set by the API client when the gateway answers 401 and the session could not be renewed
 * (created before Angular starts, so a plain signal).
 */
export const sessionEnded = signal<string | undefined>(undefined);

/** Who is signed in, for the top bar and the sign-in page; loaded once, updated after each change. */
@Injectable({ providedIn: 'root' })
export class CurrentSession {
  private readonly api = inject(ApiClient);
  readonly summary = signal<SessionSummary | undefined>(undefined);
  readonly options = signal<SignInOptions | undefined>(undefined);
  /** Why the session could not be read (the auth service is down), if it could not. */
  readonly problem = signal<string | undefined>(undefined);
  private loading?: Promise<void>;

  load(): Promise<void> {
    this.loading ??= Promise.all([this.api.session(), this.api.signInOptions()])
      .then(([summary, options]) => {
        this.summary.set(summary);
        this.options.set(options);
        this.problem.set(undefined);
      })
      .catch((err: unknown) => this.problem.set((err as Error).message))
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  set(summary: SessionSummary): void {
    this.summary.set(summary);
    if (summary.signedIn) sessionEnded.set(undefined);
  }

  /** Why the session the user had has ended, when it has (a 401 that a refresh could not fix). */
  readonly ended = computed(() => (this.summary()?.signedIn ? sessionEnded() : undefined));

  /** Signs out; the browser then goes where the auth service says (the provider's logout page, or the sign-in page). */
  async signOut(): Promise<void> {
    const { redirect } = await this.api.signOut();
    this.summary.set({ signedIn: false, tokens: [] });
    location.assign(redirect);
  }
}
