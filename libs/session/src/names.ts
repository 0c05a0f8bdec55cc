/** Cookie names and sealing purposes shared by the auth service and the gateway. */
export const SESSION_COOKIE = 'cairn_session';
export const SESSION_PURPOSE = 'session';
/** The short-lived sign-in state (OIDC state, nonce, PKCE verifier, where to return). */
export const STATE_COOKIE = 'cairn_signin';
export const STATE_PURPOSE = 'signin-state';
