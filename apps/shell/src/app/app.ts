import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { CurrentSession } from './auth/current-session';
import { UserMenu } from './auth/user-menu';
import { ContextBar } from './context/context-bar';
import { RecentPlaces } from './home/recent-places';
import { RemoteError } from './remote-error/remote-error';
import { RemoteCrashes } from './remotes/remote-crashes';
import { NavIcon } from './nav-icon/nav-icon';
import { MFE_MANIFEST } from './remotes/remotes';
import { Theme } from './theme/theme';
import { GlobalSearchOpener } from './search/global-search-opener';

/** The console's frame: top bar, navigation built from the manifest, and the page. */
@Component({
  selector: 'cairn-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NavIcon, ContextBar, RemoteError, UserMenu],
  templateUrl: './app.html',
  styleUrl: './app.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKey($event)' },
})
export class App {
  private readonly manifest = inject(MFE_MANIFEST);
  protected readonly theme = inject(Theme);
  protected readonly remotes = this.manifest.remotes;
  protected readonly problems = this.manifest.problems;
  /** On a phone the navigation is a drawer; on wider screens it is always shown. */
  protected readonly navOpen = signal(false);
  protected readonly shortcutsOpen = signal(false);
  /** A remote that threw while running, shown as an error panel in its place. */
  protected readonly crash = inject(RemoteCrashes).current;
  protected readonly session = inject(CurrentSession);
  private readonly router = inject(Router);
  protected readonly search = inject(GlobalSearchOpener);

  constructor() {
    // Each page opened is one of the user's last places on the home page (kept in this browser).
    const recent = inject(RecentPlaces);
    const navigations = this.router.events.subscribe((event) => {
      // The router sets the page's title once the navigation has ended.
      if (event instanceof NavigationEnd) setTimeout(() => recent.record(event.urlAfterRedirects, document.title.replace(/ · Cairn$/, '')));
    });
    inject(DestroyRef).onDestroy(() => navigations.unsubscribe());
  }

  /** Where the user is, to come back to after signing in again. */
  protected currentUrl(): string {
    return this.router.url.startsWith('/sign-in') ? '/' : this.router.url;
  }

  /** The first key of a two-key shortcut ("g" then a module's key), while it waits for the second. */
  private pendingG = 0;

  /**
   * Keyboard shortcuts: Ctrl-K (⌘K) anywhere, or `/`, opens global search; `g` then the first
   * letter of a module's label goes there (`g h` home), `n` jumps to the namespace field, `?`
   * lists the shortcuts, Escape closes what is open. Keys typed into a field are left alone
   * (but Ctrl-K).
   */
  protected onKey(event: KeyboardEvent): void {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      this.search.show();
      return;
    }
    if (event.key === 'Escape') {
      this.navOpen.set(false);
      this.shortcutsOpen.set(false);
      return;
    }
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey || (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))) return;
    if (Date.now() - this.pendingG < 1500) {
      this.pendingG = 0;
      const key = event.key.toLowerCase();
      const route = key === 'h' ? '' : this.remotes.find((r) => r.label.toLowerCase().startsWith(key))?.route;
      if (route !== undefined) {
        event.preventDefault();
        void this.router.navigate(['/' + route], { queryParamsHandling: 'preserve' });
      }
      return;
    }
    if (event.key === 'g') this.pendingG = Date.now();
    else if (event.key === '?') this.shortcutsOpen.set(!this.shortcutsOpen());
    else if (event.key === '/') {
      event.preventDefault();
      this.search.show();
    } else if (event.key === 'n') {
      const field = document.querySelector<HTMLInputElement>('cairn-context-bar input');
      if (field) {
        event.preventDefault();
        field.focus();
        // What is typed next replaces the namespace, instead of running on from it ("team-ateam-b").
        field.select();
      }
    }
  }

  protected shortcutKey(label: string): string {
    return label.slice(0, 1).toLowerCase();
  }
}
