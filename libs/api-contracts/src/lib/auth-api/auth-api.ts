/**
 * The auth service's API (`/auth/*`, reached through the gateway), as the shell uses it.
 * Every POST needs the CSRF header of kube-api.ts (`x-cairn-csrf: 1`).
 */

/** `GET /auth/providers`: the ways to sign in that this console offers. */
export interface SignInOptions {
  /** Present when OpenID Connect is configured: "Sign in with <name>" goes to `loginUrl`. */
  oidc?: { name: string; loginUrl: string };
  /** Bearer tokens (a ServiceAccount's, or any other the API servers accept) are always possible. */
  bearerToken: true;
}

/** Who someone is, as the provider or the cluster said. Never any token. */
export interface SessionIdentity {
  name: string;
  email?: string;
  groups?: string[];
}

/** `GET /auth/session`. */
export interface SessionSummary {
  signedIn: boolean;
  /** The OpenID Connect sign-in, when there is one. */
  oidc?: {
    provider: string;
    user: SessionIdentity;
    /** Seconds since the epoch when the token sent to API servers expires. */
    expiresAt: number;
    /** A refresh token is held: the session renews itself. */
    refreshable: boolean;
  };
  /** Clusters with a bearer token of their own, and who each token is. */
  tokens: Array<{ cluster: string; user: SessionIdentity; expiresAt?: number }>;
}

/** `POST /auth/token`: sign in to one cluster with a bearer token. */
export interface BearerTokenSignIn {
  cluster: string;
  token: string;
}

/** `POST /auth/logout`: where the browser goes next (the provider's logout page, or the sign-in page). */
export interface SignedOut {
  redirect: string;
}

/** The auth service's own paths, under the gateway's `/auth` prefix. */
export const AUTH_PATHS = {
  providers: 'auth/providers',
  login: 'auth/login',
  session: 'auth/session',
  refresh: 'auth/refresh',
  logout: 'auth/logout',
  token: 'auth/token',
} as const;
