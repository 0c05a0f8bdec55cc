/** Cookie names and sealing purposes shared by the auth service and the gateway. */
export const SESSION_COOKIE = 'cairn_session';
export const SESSION_PURPOSE = 'session';
/** The short-lived sign-in state (OIDC state, nonce, PKCE verifier, where to return). */
export const STATE_COOKIE = 'cairn_signin';
export const STATE_PURPOSE = 'signin-state';

/**
 * The cookie names a console uses. Served at `/` over HTTPS they carry the `__Host-` prefix,
 * which browsers accept only from the console's own host, with `Secure`, `Path=/` and no
 * `Domain`: a sibling subdomain cannot plant or shadow them. Under a base path, or on
 * plain-HTTP localhost, the prefix is impossible and the plain names are used.
 */
export function cookieNames(options: { secure: boolean; path: string }): { session: string; state: string } {
  const prefix = options.secure && options.path === '/' ? '__Host-' : '';
  return { session: `${prefix}${SESSION_COOKIE}`, state: `${prefix}${STATE_COOKIE}` };
}
