/**
 * The configuration file of the dev OpenID provider (`dev-oidc-provider.mts`), written as
 * JSON and passed as the process's only argument. The .mts file cannot import this module
 * (Node runs it with type stripping only), so it repeats these interfaces; keep them equal.
 */

/** A person who can sign in at the login form. */
export interface DevOidcUser {
  /** Login name; also the subject (`sub`) and `preferred_username` of the tokens. */
  username: string;
  password: string;
  /** `email` claim (`email_verified` is always true); the API server's username. */
  email: string;
  /** `name` claim. */
  name: string;
  /** `groups` claim; the API server's groups. */
  groups: string[];
}

/**
 * An OAuth client. With a `clientSecret` it is confidential and authenticates at the token
 * endpoint with client_secret_basic or client_secret_post (the provider takes either);
 * otherwise it is public (no client authentication, PKCE required). Either may use any
 * redirect URI on 127.0.0.1 or localhost.
 */
export interface DevOidcClient {
  clientId: string;
  clientSecret?: string;
}

export interface DevOidcProviderConfig {
  /** Address to listen on, e.g. `127.0.0.1`. The issuer is always `https://127.0.0.1:<port>`. */
  host: string;
  /** 0 picks a free port; the ready line on stdout tells which. */
  port: number;
  /** PEM serving certificate (SAN IP 127.0.0.1, DNS localhost) and its private key. */
  tlsCertFile: string;
  tlsKeyFile: string;
  idTokenTtlSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  users: DevOidcUser[];
  clients: DevOidcClient[];
  /** Keys that sign the provider's cookies; random when absent. */
  cookieKeys?: string[];
  /**
   * Issue access tokens as JWTs (RFC 9068) whose `aud` is the client id and which carry
   * `email` and `groups`, so the API server accepts them like ID tokens. Default true.
   * Such tokens are refused by the userinfo endpoint (an oidc-provider rule for tokens
   * with an audience); set false for opaque access tokens that work at userinfo.
   */
  jwtAccessTokens?: boolean;
}

/** The single line the provider prints on stdout once it listens. */
export interface DevOidcProviderReady {
  ready: true;
  issuer: string;
  port: number;
}
