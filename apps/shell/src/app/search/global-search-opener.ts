import type { DialogRef } from '@angular/cdk/dialog';
import { DOCUMENT, inject, Injectable, Injector } from '@angular/core';
import type { GlobalSearch } from './global-search';

/**
 * Opens global search, once: a second Ctrl-K while it is open (or still loading) leaves it as it
 * is. The dialog's code (`./global-search`: the CDK dialog and overlay, the palette, the query
 * parser) is a lazy chunk fetched on the first opening, not part of the shell's initial load
 * (issue 20's budget: it cost 25 KB gz there). What is typed before the search field has focus
 * (Ctrl-K, then typing at once: while the chunk loads, and between the dialog opening and the CDK
 * moving focus into it, which it does after the next render) is kept and becomes the query, as a
 * launcher does; Escape meanwhile cancels. Keys stop being caught once focus is in the dialog.
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
    let ref: DialogRef<unknown, GlobalSearch> | undefined;
    const early = (event: KeyboardEvent) => {
      if (ref?.overlayRef.overlayElement.contains(this.document.activeElement)) {
        // The dialog has focus: its field takes the keys from here on.
        this.document.removeEventListener('keydown', early, true);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') cancelled = true;
      else if (event.key === 'Backspace') typed = typed.slice(0, -1);
      else if (event.key.length === 1) typed += event.key;
      else return;
      // Not into whatever field had focus: these keys were meant for the search.
      event.preventDefault();
      event.stopPropagation();
      if (cancelled) ref?.close();
      else ref?.componentInstance?.type(typed);
    };
    this.document.addEventListener('keydown', early, true);
    this.opening = import('./global-search')
      .then(({ openGlobalSearch }) => {
        if (cancelled) return undefined;
        const opened = openGlobalSearch(this.injector, typed);
        ref = opened;
        return new Promise<void>((closed) => opened.closed.subscribe(() => closed()));
      })
      .catch((err: unknown) => console.error('Global search could not be loaded; reload the page.', err))
      .finally(() => {
        this.document.removeEventListener('keydown', early, true);
        this.opening = undefined;
      });
  }
}
