import { cookieNames, SealedBox, Session, SESSION_PURPOSE, STATE_PURPOSE, readCookie } from '@cairn/session';
import type { SessionSummary } from '@cairn/api-contracts';
import type { FastifyRequest } from 'fastify';
import type { AuthSettings } from '../settings/auth-settings';
import { CookieJar, CookieSettings } from './cookie-jar';

/**
 * How long a session cookie lives without being renewed. Each refresh (the shell asks when a
 * token is about to expire) seals it again for this long; an OIDC token inside it expires
 * sooner, as the provider decides.
 */
export const SESSION_TTL_SECONDS = 8 * 3600;

/** Reads and writes the sealed session cookie; nothing is kept on the server. */
export class Sessions {
  readonly stateBox: SealedBox;
  private readonly box: SealedBox;
  private readonly cookies: CookieSettings;
  /** The console's base path, ending in a slash. */
  readonly basePath: string;
  /** `__Host-cairn_session` and `__Host-cairn_signin` at `/` over HTTPS, else without the prefix. */
  readonly names: { session: string; state: string };

  constructor(settings: AuthSettings) {
    this.box = new SealedBox(settings.sessionKeys, SESSION_PURPOSE);
    this.stateBox = new SealedBox(settings.sessionKeys, STATE_PURPOSE);
    this.basePath = settings.publicUrl.pathname.endsWith('/') ? settings.publicUrl.pathname : `${settings.publicUrl.pathname}/`;
    this.cookies = { path: this.basePath === '/' ? '/' : this.basePath.replace(/\/$/, ''), secure: settings.secureCookies };
    this.names = cookieNames({ secure: this.cookies.secure && settings.publicUrl.protocol === 'https:', path: this.cookies.path });
  }

  jar(request: FastifyRequest): CookieJar {
    return new CookieJar(request.headers.cookie, this.cookies);
  }

  /** The session the request carries, if any that this service sealed and that is still valid. */
  async read(jar: CookieJar): Promise<Session | undefined> {
    const sealed = readCookie(this.names.session, jar.request);
    if (!sealed) return undefined;
    const session = await this.box.open<Session>(sealed);
    return session?.v === 1 ? session : undefined;
  }

  /** Seals and sets the session; an empty one is removed instead. Throws CookieTooLargeError, writing nothing. */
  async write(jar: CookieJar, session: Session): Promise<void> {
    if (!session.oidc && !Object.keys(session.tokens ?? {}).length) {
      jar.clear(this.names.session);
      return;
    }
    jar.set(this.names.session, await this.box.seal(session, { ttlSeconds: SESSION_TTL_SECONDS }), SESSION_TTL_SECONDS);
  }

  clear(jar: CookieJar): void {
    jar.clear(this.names.session);
    if (readCookie(this.names.state, jar.request)) jar.clear(this.names.state);
  }

  summary(session: Session | undefined, providerName: string | undefined): SessionSummary {
    const tokens = Object.entries(session?.tokens ?? {}).map(([cluster, t]) => ({ cluster, user: t.user, ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}) }));
    const oidc = session?.oidc;
    return {
      signedIn: Boolean(oidc) || tokens.length > 0,
      ...(oidc ? { oidc: { provider: providerName ?? 'OpenID Connect', user: oidc.user, expiresAt: oidc.expiresAt, refreshable: Boolean(oidc.refreshToken) } } : {}),
      tokens,
    };
  }

  /**
   * A path on this console to go back to after signing in; anything else (another site,
   * `//host`, a backslash trick) becomes the console's start page.
   */
  returnTo(value: unknown): string {
    if (typeof value !== 'string' || value.length > 2000) return this.basePath;
    if (!value.startsWith(this.basePath.replace(/\/$/, '') + '/') && value !== this.basePath.replace(/\/$/, '')) return this.basePath;
    if (value.startsWith('//') || value.includes('\\') || [...value].some((c) => c.charCodeAt(0) < 0x20)) return this.basePath;
    return value;
  }
}
