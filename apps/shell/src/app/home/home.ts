import { ChangeDetectionStrategy, Component, computed, inject, OnInit } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { CurrentSession } from '../auth/current-session';
import { Estate } from './estate';

/**
 * `/`: a signed-out visitor is sent to the sign-in page at once (every module needs a
 * session); a signed-in one sees every cluster they have, each as a card (reachability,
 * version, who they are there, what needs attention), and their last places. The cards are a
 * deferred chunk (`@defer`), so they cost the shell's first load nothing.
 */
@Component({
  selector: 'cairn-home',
  imports: [RouterLink, Estate],
  template: `
    <h1>Cairn</h1>
    @if (session.problem(); as problem) {
      <p role="alert">The sign-in service did not answer: {{ problem }}. <a routerLink="/sign-in">Sign in</a> once it is back.</p>
    } @else if (session.summary() === undefined) {
      <p class="muted" role="status">Checking your session…</p>
    } @else if (!signedIn()) {
      <p>You are not signed in. <a routerLink="/sign-in">Sign in</a> to see your clusters.</p>
    } @else {
      @defer (on immediate) {
        <cairn-estate />
      } @placeholder {
        <p class="muted" role="status">Loading your clusters…</p>
      } @error {
        <p role="alert">The home page could not be loaded. Reload the page, or open a module from the menu.</p>
      }
    }
  `,
  styles: `h1 { margin-bottom: 0; } .muted { color: var(--cairn-muted); }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Home implements OnInit {
  protected readonly session = inject(CurrentSession);
  private readonly router = inject(Router);
  protected readonly signedIn = computed(() => this.session.summary()?.signedIn === true);

  async ngOnInit(): Promise<void> {
    await this.session.load();
    // Replace, not push: Back from the sign-in page must not land on this redirect again.
    // Only while still here: a visitor who already clicked elsewhere is not pulled back.
    if (this.session.summary()?.signedIn === false && this.router.url.split(/[?#]/)[0] === '/') await this.router.navigate(['/sign-in'], { replaceUrl: true });
  }
}
