import { inject, Injectable, Injector } from '@angular/core';

/**
 * Opens global search, once: a second Ctrl-K while it is open (or still loading) leaves it as it
 * is. The dialog's code (`./global-search`: the CDK dialog and overlay, the palette, the query
 * parser) is a lazy chunk fetched on the first opening, not part of the shell's initial load
 * (issue 20's budget: it cost 25 KB gz there).
 */
@Injectable({ providedIn: 'root' })
export class GlobalSearchOpener {
  private readonly injector = inject(Injector);
  private opening: Promise<unknown> | undefined;

  show(): void {
    if (this.opening) return;
    this.opening = import('./global-search')
      .then(({ openGlobalSearch }) => new Promise<void>((closed) => openGlobalSearch(this.injector).closed.subscribe(() => closed())))
      .catch((err: unknown) => console.error('Global search could not be loaded; reload the page.', err))
      .finally(() => (this.opening = undefined));
  }
}
