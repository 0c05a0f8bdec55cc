import { ChangeDetectionStrategy, Component, computed, inject, OnInit } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { CurrentSession } from '../auth/current-session';
import { MFE_MANIFEST } from '../remotes/remotes';

/**
 * `/`: a signed-out visitor is sent to the sign-in page at once (every module needs a
 * session); a signed-in one sees the console's modules.
 */
@Component({
  selector: 'cairn-home',
  imports: [RouterLink],
  template: `
    <h1>Cairn</h1>
    @if (session.problem(); as problem) {
      <p role="alert">The sign-in service did not answer: {{ problem }}. <a routerLink="/sign-in">Sign in</a> once it is back.</p>
    } @else if (session.summary() === undefined) {
      <p class="muted" role="status">Checking your session…</p>
    } @else if (!signedIn()) {
      <p>You are not signed in. <a routerLink="/sign-in">Sign in</a> to see your clusters.</p>
    } @else if (remotes.length > 0) {
      <p>Choose where to go:</p>
      <ul class="modules">
        @for (remote of remotes; track remote.name) {
          <li><a [routerLink]="'/' + remote.route">{{ remote.label }}</a></li>
        }
      </ul>
    } @else {
      <p>No console modules are registered. Whoever runs this console lists them in the gateway's
        remotes setting; until then there is nothing to show.</p>
    }
  `,
  styles: `.modules { line-height: 2; padding-left: 1.25rem; } .muted { color: var(--cairn-muted); }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Home implements OnInit {
  protected readonly remotes = inject(MFE_MANIFEST).remotes;
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
