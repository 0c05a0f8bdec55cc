import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import { USER_CLUSTER_PREFIX } from '@cairn/api-contracts';
import { ApiClient, ApiError } from '@cairn/data-access';
import { CurrentSession } from '../auth/current-session';

/**
 * `/sign-in`: the ways into this console. "Sign in with <provider>" when OpenID Connect is
 * configured; always a bearer token for one cluster (a ServiceAccount's, seed 003), which
 * the cluster checks before the console keeps it.
 */
@Component({
  selector: 'cairn-sign-in',
  template: `
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Cairn</h1>
      @if (justSignedOut()) {
        <p class="status" role="status">You are signed out.</p>
      }
      @if (session.problem(); as problem) {
        <p class="error" role="alert">The sign-in service did not answer: {{ problem }}</p>
      }
      @if (session.options()?.oidc; as oidc) {
        <a class="primary" [href]="loginUrl(oidc.loginUrl)">Sign in with {{ oidc.name }}</a>
        <p class="muted">Your organisation's single sign-on. What you may see and do is what the cluster's RBAC grants you.</p>
      }

      <h2>Bearer token</h2>
      <p class="muted">
        A token the API server accepts as is, such as a ServiceAccount's. It is used for one cluster only, kept in
        your session cookie (encrypted), and checked with the cluster before it is accepted. Get one with:
      </p>
      <pre><code>kubectl create token &lt;service-account&gt; -n &lt;namespace&gt; --duration=8h</code></pre>
      <form (submit)="submit($event)" novalidate>
        <label for="token-cluster">Cluster</label>
        <select id="token-cluster" name="cluster" [value]="cluster()" (change)="cluster.set($any($event.target).value)" required>
          @for (c of clusters(); track c) {
            <option [value]="c" [selected]="c === cluster()">{{ c }}</option>
          }
        </select>
        <label for="token-value">Bearer token</label>
        <textarea id="token-value" name="token" rows="4" spellcheck="false" autocomplete="off" [value]="token()"
          (input)="token.set($any($event.target).value)" [attr.aria-invalid]="error() ? true : null" aria-describedby="token-error"></textarea>
        <p id="token-error" class="error" role="alert">{{ error() }}</p>
        <button type="submit" [disabled]="busy() || !cluster()">{{ busy() ? 'Checking with the cluster…' : 'Use this token' }}</button>
      </form>

      @if (tokens().length > 0) {
        <h2>Clusters with a token of their own</h2>
        <ul class="tokens">
          @for (t of tokens(); track t.cluster) {
            <li>
              <span><strong>{{ t.cluster }}</strong>: {{ t.user.name }}</span>
              <button type="button" class="link" (click)="forget(t.cluster)">Forget</button>
            </li>
          }
        </ul>
      }
    </section>
  `,
  styles: `
    .sign-in { max-width: 34rem; }
    h2 { font-size: 1.05rem; margin-top: 1.75rem; }
    .primary { display: inline-block; background: var(--cairn-accent); color: #fff; padding: 0.5rem 1rem; border-radius: 6px; text-decoration: none; font-weight: 600; }
    .muted { color: var(--cairn-muted); }
    pre { background: var(--cairn-surface); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.5rem 0.75rem; white-space: pre-wrap; }
    form { display: flex; flex-direction: column; gap: 0.375rem; }
    label { font-weight: 600; margin-top: 0.5rem; }
    select, textarea { font: inherit; padding: 0.375rem; border-radius: 4px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); }
    textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; word-break: break-all; }
    button[type='submit'] { align-self: flex-start; font: inherit; padding: 0.375rem 1rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    .error { color: var(--cairn-danger); min-height: 1.5em; margin: 0; }
    .status { background: var(--cairn-selected); color: var(--cairn-selected-text); padding: 0.5rem 0.75rem; border-radius: 6px; }
    .tokens { padding-left: 1.25rem; }
    .tokens li { display: flex; gap: 0.75rem; align-items: baseline; }
    .link { font: inherit; border: 0; background: none; color: var(--cairn-accent); cursor: pointer; text-decoration: underline; padding: 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignIn implements OnInit {
  /** The page to go back to afterwards (a path of this console). */
  readonly returnTo = input<string>();
  /** Set by the auth service after a sign-out. */
  readonly signedOut = input<string>();
  protected readonly session = inject(CurrentSession);
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  protected readonly clusters = signal<string[]>([]);
  protected readonly cluster = signal('');
  protected readonly token = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly justSignedOut = computed(() => this.signedOut() === '1' && !this.session.summary()?.signedIn);
  protected readonly tokens = computed(() => this.session.summary()?.tokens ?? []);

  async ngOnInit(): Promise<void> {
    void this.session.load();
    try {
      const names = (await this.api.clusters()).map((c) => c.name).filter((n) => !n.startsWith(USER_CLUSTER_PREFIX));
      this.clusters.set(names);
      const wanted = new URLSearchParams(location.search).get('cluster');
      this.cluster.set(names.find((n) => n === wanted) ?? names[0] ?? '');
    } catch (err) {
      this.error.set(`The list of clusters could not be loaded: ${(err as Error).message}`);
    }
  }

  protected loginUrl(base: string): string {
    return `${base}?returnTo=${encodeURIComponent(this.target())}`;
  }

  private target(): string {
    const wanted = this.returnTo();
    return wanted && wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.startsWith('/sign-in') ? wanted : '/';
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    const token = this.token().trim();
    if (!token) {
      this.error.set('Paste the token first.');
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      this.session.set(await this.api.signInWithToken(this.cluster(), token));
      this.token.set('');
      await this.router.navigateByUrl(this.target());
    } catch (err) {
      this.error.set(err instanceof ApiError ? err.message : `The token could not be checked: ${(err as Error).message}`);
    } finally {
      this.busy.set(false);
    }
  }

  protected async forget(cluster: string): Promise<void> {
    try {
      this.session.set(await this.api.forgetToken(cluster));
    } catch (err) {
      this.error.set((err as Error).message);
    }
  }
}
