/**
 * What a Cairn session holds. The auth service writes it; the gateway reads it on every
 * request to act as the user. It lives only in the browser, encrypted (see codec.ts).
 */

/** Who the user is, as the identity provider or the cluster said. */
export interface SessionUser {
  /** The name shown in the console (e-mail, preferred_username or the token's username). */
  name: string;
  email?: string;
  groups?: string[];
}

/** A sign-in through the OpenID provider; its token is sent to every cluster that trusts it. */
export interface OidcSession {
  /** The ID token (or the access token with OIDC_USE_ACCESS_TOKEN) sent to API servers. */
  token: string;
  /** Seconds since the epoch when `token` expires. */
  expiresAt: number;
  refreshToken?: string;
  /** The ID token, kept for RP-initiated logout's id_token_hint. */
  idToken?: string;
  user: SessionUser;
}

/** A bearer token the user pasted for one cluster ("Use a bearer token"). */
export interface TokenSession {
  token: string;
  user: SessionUser;
  /** Seconds since the epoch, when the token says (a JWT's exp); unknown otherwise. */
  expiresAt?: number;
}

export interface Session {
  /** Format version; a cookie with another version is ignored (the user signs in again). */
  v: 1;
  oidc?: OidcSession;
  /** Per-cluster bearer tokens, by cluster name. */
  tokens?: Record<string, TokenSession>;
  /** Seconds since the epoch. */
  issuedAt: number;
}

/** The credential to use for `cluster`: its own bearer token first, else the OIDC token. */
export function credentialFor(session: Session, cluster: string): { token: string; user: SessionUser; expiresAt?: number; kind: 'token' | 'oidc' } | undefined {
  const perCluster = session.tokens && Object.hasOwn(session.tokens, cluster) ? session.tokens[cluster] : undefined;
  if (perCluster) return { ...perCluster, kind: 'token' };
  if (session.oidc) return { token: session.oidc.token, user: session.oidc.user, expiresAt: session.oidc.expiresAt, kind: 'oidc' };
  return undefined;
}
