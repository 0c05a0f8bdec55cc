import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ContextBar } from './context/context-bar';
import { NavIcon } from './nav-icon/nav-icon';
import { MFE_MANIFEST } from './remotes/remotes';
import { Theme } from './theme/theme';

/** The console's frame: top bar, navigation built from the manifest, and the page. */
@Component({
  selector: 'cairn-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NavIcon, ContextBar],
  templateUrl: './app.html',
  styleUrl: './app.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'navOpen.set(false)' },
})
export class App {
  private readonly manifest = inject(MFE_MANIFEST);
  protected readonly theme = inject(Theme);
  protected readonly remotes = this.manifest.remotes;
  protected readonly problems = this.manifest.problems;
  /** On a phone the navigation is a drawer; on wider screens it is always shown. */
  protected readonly navOpen = signal(false);
}
