import { DOCUMENT, inject, Injectable, Injector } from '@angular/core';

/**
 * Opens global search, once: a second Ctrl-K while it is open (or still loading) leaves it as it
 * is. The dialog's code (`./global-search`: the CDK dialog and overlay, the palette, the query
 * parser) is a lazy chunk fetched on the first opening, not part of the shell's initial load
 * (issue 20's budget: it cost 25 KB gz there). What is typed while the chunk loads (Ctrl-K, then
 * typing at once) is kept and becomes the query, as a launcher does; Escape meanwhile cancels.
 */
@Injectable({ providedIn: 'root' })
export class GlobalSearchOpener {
  private readonly injector = inject(Injector);
  private readonly document = inject(DOCUMENT);
  private opening: Promise<unknown> | undefined;

  show(): void {
    if (this.opening) return;
    let typed = '';
    let cancelled = false;
    const early = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') cancelled = true;
      else if (event.key === 'Backspace') typed = typed.slice(0, -1);
      else if (event.key.length === 1) typed += event.key;
      else return;
      // Not into whatever field had focus: these keys were meant for the search.
      event.preventDefault();
      event.stopPropagation();
    };
    this.document.addEventListener('keydown', early, true);
    this.opening = import('./global-search')
      .then(({ openGlobalSearch }) => {
        this.document.removeEventListener('keydown', early, true);
        if (cancelled) return undefined;
        return new Promise<void>((closed) => openGlobalSearch(this.injector, typed).closed.subscribe(() => closed()));
      })
      .catch((err: unknown) => console.error('Global search could not be loaded; reload the page.', err))
      .finally(() => {
        this.document.removeEventListener('keydown', early, true);
        this.opening = undefined;
      });
  }
}
