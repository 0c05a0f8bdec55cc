import { Injectable, signal } from '@angular/core';

/** How many searches the dialog remembers (in this browser's localStorage). */
export const MAX_RECENT_SEARCHES = 10;
const KEY = 'cairn.recentSearches';

/**
 * The user's last searches, newest first, kept in this browser only (never on the server): at
 * most `MAX_RECENT_SEARCHES`, each once (searching again moves it to the top), at most 512
 * characters each (the longest query the gateway runs); `clear()` forgets them all.
 */
@Injectable({ providedIn: 'root' })
export class RecentSearches {
  private readonly store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = typeof localStorage === 'undefined' ? undefined : localStorage;
  readonly searches = signal<string[]>(this.read());

  record(query: string): void {
    const q = query.trim();
    if (!q || q.length > 512) return;
    this.save([q, ...this.searches().filter((s) => s !== q)].slice(0, MAX_RECENT_SEARCHES));
  }

  clear(): void {
    this.searches.set([]);
    this.store?.removeItem(KEY);
  }

  private save(searches: string[]): void {
    this.searches.set(searches);
    try {
      this.store?.setItem(KEY, JSON.stringify(searches));
    } catch {
      // A full or refused localStorage only costs the list its next visit.
    }
  }

  private read(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.store?.getItem(KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 512).slice(0, MAX_RECENT_SEARCHES) : [];
    } catch {
      return [];
    }
  }
}
