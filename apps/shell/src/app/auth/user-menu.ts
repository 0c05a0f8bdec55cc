import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink } from '@angular/router';
import { filter, map } from 'rxjs';
import { CurrentSession } from './current-session';

/** The top bar's "who am I": the signed-in name with a menu to sign out, or a link to sign in. */
@Component({
  selector: 'cairn-user-menu',
  imports: [RouterLink],
  template: `
    @if (name(); as who) {
      <button type="button" class="who" [attr.aria-expanded]="open()" aria-controls="cairn-user-menu" (click)="open.set(!open())">
        <span class="name">{{ who }}</span>
      </button>
      @if (open()) {
        <div id="cairn-user-menu" class="menu" role="menu">
          @if (session.summary()?.oidc; as oidc) {
            <p class="detail">Signed in with {{ oidc.provider }} as {{ oidc.user.name }}</p>
          }
          @for (t of session.summary()?.tokens ?? []; track t.cluster) {
            <p class="detail">Bearer token for {{ t.cluster }}: {{ t.user.name }}</p>
          }
          <a role="menuitem" routerLink="/sign-in" [queryParams]="{ returnTo: here() }" (click)="open.set(false)">Sign-in options</a>
          <button role="menuitem" type="button" (click)="signOut()">Sign out</button>
          @if (error(); as message) {
            <p class="error" role="alert">{{ message }}</p>
          }
        </div>
      }
    } @else if (session.summary()) {
      <a class="sign-in" routerLink="/sign-in" [queryParams]="{ returnTo: here() }">Sign in</a>
    }
  `,
  styles: `
    :host { position: relative; }
    .who { font: inherit; font-size: 0.875rem; color: inherit; background: transparent; border: 1px solid rgb(255 255 255 / 30%); border-radius: 4px; padding: 0.125rem 0.5rem; cursor: pointer; max-width: 14rem; }
    .name { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .sign-in { color: inherit; font-weight: 600; }
    .menu { position: absolute; right: 0; top: 2.25rem; z-index: 6; min-width: 16rem; background: var(--cairn-surface); color: var(--cairn-text);
      border: 1px solid var(--cairn-border); border-radius: 8px; padding: 0.5rem; box-shadow: 0 8px 24px rgb(0 0 0 / 20%); display: flex; flex-direction: column; gap: 0.25rem; }
    .menu a, .menu button { font: inherit; text-align: left; padding: 0.375rem 0.5rem; border-radius: 4px; border: 0; background: transparent; color: var(--cairn-text); cursor: pointer; text-decoration: none; }
    .menu a:hover, .menu button:hover { background: var(--cairn-hover); }
    .detail { margin: 0 0.5rem 0.25rem; font-size: 0.8125rem; color: var(--cairn-muted); }
    .error { margin: 0.25rem 0.5rem; color: var(--cairn-danger); font-size: 0.8125rem; }
    @media (max-width: 720px) { .who { max-width: 7rem; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'open.set(false)' },
})
export class UserMenu implements OnInit {
  protected readonly session = inject(CurrentSession);
  private readonly router = inject(Router);
  protected readonly open = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly name = computed(() => {
    const summary = this.session.summary();
    if (!summary?.signedIn) return undefined;
    return summary.oidc?.user.name ?? summary.tokens[0]?.user.name;
  });

  ngOnInit(): void {
    void this.session.load();
  }

  /** The page to come back to after signing in: where the user is now. */
  private readonly url = toSignal(
    this.router.events.pipe(
      filter((e): e is NavigationEnd => e instanceof NavigationEnd),
      map((e) => e.urlAfterRedirects),
    ),
    { initialValue: this.router.url },
  );
  /**
   * While a navigation is under way (the first one waits for a remote to load), the page the
   * person is going to is "here", not the one being left: a quick click on "Sign in" must not
   * bring them back to the home page.
   */
  protected readonly here = computed(() => {
    const pending = this.router.currentNavigation();
    const url = pending ? this.router.serializeUrl(pending.finalUrl ?? pending.extractedUrl) : this.url();
    return url.startsWith('/sign-in') ? '/' : url;
  });

  protected async signOut(): Promise<void> {
    try {
      await this.session.signOut();
    } catch (err) {
      this.error.set(`Could not sign out: ${(err as Error).message}`);
    }
  }
}
