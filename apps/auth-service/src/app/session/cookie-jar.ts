import { clearCookie, parseCookies, writeCookie } from '@cairn/session';

export interface CookieSettings {
  /** The console's base path: every Cairn cookie is scoped to it. */
  path: string;
  secure: boolean;
}

/**
 * The cookies of one request and the Set-Cookie lines of its answer. Large values are split
 * into several cookies (see @cairn/session), and pieces of an older, longer value are removed.
 */
export class CookieJar {
  readonly request: Record<string, string>;
  private readonly lines = new Map<string, string[]>();

  constructor(
    header: string | undefined,
    private readonly settings: CookieSettings,
  ) {
    this.request = parseCookies(header);
  }

  /** Throws CookieTooLargeError when the value does not fit; nothing is then written. */
  set(name: string, value: string, maxAgeSeconds: number): void {
    this.lines.set(name, writeCookie(value, { name, ...this.settings, maxAgeSeconds }, this.request));
  }

  clear(name: string): void {
    this.lines.set(name, clearCookie({ name, ...this.settings, maxAgeSeconds: 0 }, this.request));
  }

  setCookieHeaders(): string[] {
    return [...this.lines.values()].flat();
  }
}
