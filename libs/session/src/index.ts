export { credentialFor } from './session';
export type { OidcSession, Session, SessionUser, TokenSession } from './session';
export { MIN_KEY_LENGTH, SealedBox, SessionKeyError } from './codec';
export type { SealOptions } from './codec';
export { clearCookie, CookieTooLargeError, MAX_CHUNKS, MAX_COOKIE_VALUE, parseCookies, readCookie, writeCookie } from './cookies';
export type { CookieOptions } from './cookies';
export { cookieNames, SESSION_COOKIE, SESSION_PURPOSE, STATE_COOKIE, STATE_PURPOSE } from './names';
