import { Injectable, signal } from '@angular/core';

/** How many of the user's last places the home page keeps (in this browser's localStorage). */
export const MAX_RECENT_PLACES = 8;
const KEY = 'cairn.recentPlaces';

/** A page the user opened: its URL in the console (path and query), its title, when (ms since the epoch). */
export interface RecentPlace {
  url: string;
  title: string;
  at: number;
}

/**
 * The user's last places, newest first, kept in this browser (never on the server): at most
 * `MAX_RECENT_PLACES`, one entry per page, cluster and namespace (opening a place again moves it
 * to the top; other query parameters, such as a list's filter, follow the latest visit). The home
 * page and the sign-in page are not places.
 */
@Injectable({ providedIn: 'root' })
export class RecentPlaces {
  private readonly store: Pick<Storage, 'getItem' | 'setItem'> | undefined = typeof localStorage === 'undefined' ? undefined : localStorage;
  readonly places = signal<RecentPlace[]>(this.read());

  record(url: string, title: string, at = Date.now()): void {
    const path = url.split(/[?#]/)[0];
    if (path === '/' || path === '' || path.startsWith('/sign-in') || path.startsWith('/oidc-callback')) return;
    const key = placeKey(url);
    const places = [{ url, title, at }, ...this.places().filter((p) => placeKey(p.url) !== key)].slice(0, MAX_RECENT_PLACES);
    this.places.set(places);
    try {
      this.store?.setItem(KEY, JSON.stringify(places));
    } catch {
      // A full or refused localStorage only costs the list its next visit.
    }
  }

  private read(): RecentPlace[] {
    try {
      const parsed: unknown = JSON.parse(this.store?.getItem(KEY) ?? '[]');
      if (!Array.isArray(parsed)) return [];
      return parsed
        .filter((p): p is RecentPlace => typeof p?.url === 'string' && p.url.startsWith('/') && !p.url.startsWith('//') && typeof p.title === 'string' && typeof p.at === 'number')
        .slice(0, MAX_RECENT_PLACES);
    } catch {
      return [];
    }
  }
}

/** A place is its path, cluster and namespace. */
function placeKey(url: string): string {
  const parsed = new URL(url, 'http://console');
  return `${parsed.pathname}|${parsed.searchParams.get('cluster') ?? ''}|${parsed.searchParams.get('ns') ?? ''}`;
}
