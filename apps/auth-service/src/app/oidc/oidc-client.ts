import { Logger } from '@nestjs/common';
import { createLocalJWKSet, errors as joseErrors, JSONWebKeySet, jwtVerify, JWTPayload } from 'jose';
import type { Agent } from 'node:https';
import type { OidcSettings } from '../settings/auth-settings';
import { call, jsonObject, providerAgent, UnreachableError } from './http';

/** The provider could not be asked (down, TLS, nonsense answers): the user can only wait. */
export class ProviderUnavailableError extends Error {}

/** The provider or its tokens said no: the user must sign in again. */
export class SignInRejectedError extends Error {}

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
}

/** What the token endpoint gave, for a code or a refresh token. */
export interface ProviderTokens {
  idToken?: string;
  accessToken: string;
  refreshToken?: string;
  /** Seconds the access token lives, when the provider says. */
  expiresIn?: number;
}

/** How long a failed discovery is remembered before the provider is asked again. */
const RETRY_AFTER_FAILURE_MS = 5_000;
/** Keys are re-fetched on an unknown key id at most this often (a forged kid must not make us hammer the provider). */
const JWKS_REFETCH_MS = 30_000;
/** Clock skew forgiven on exp/iat/nbf. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * The OpenID provider as the auth service uses it: discovery, the keys that sign its ID
 * tokens, the token endpoint for refreshes and revocation, and the logout endpoint. The code
 * flow itself is passport-openidconnect's (see sign-in.ts); this class checks what that
 * library does not: the ID token's signature.
 */
export class OidcClient {
  readonly agent: Agent;
  private metadata?: Promise<ProviderMetadata>;
  private failedAt = 0;
  private keys?: { set: ReturnType<typeof createLocalJWKSet>; fetchedAt: number };
  private readonly log = new Logger('Oidc');

  constructor(
    readonly settings: OidcSettings,
    extraCa: string[],
  ) {
    this.agent = providerAgent(extraCa);
  }

  /** The provider's metadata; a failure is remembered briefly, then discovery is tried again. */
  discover(): Promise<ProviderMetadata> {
    if (!this.metadata || (this.failedAt && Date.now() - this.failedAt > RETRY_AFTER_FAILURE_MS)) {
      this.failedAt = 0;
      this.metadata = this.fetchMetadata().catch((err: unknown) => {
        this.failedAt = Date.now();
        this.log.warn(`OpenID discovery failed: ${(err as Error).message}`);
        throw err;
      });
    }
    return this.metadata;
  }

  private async fetchMetadata(): Promise<ProviderMetadata> {
    const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const answer = await this.ask(url, { headers: { accept: 'application/json' } }, 'OpenID discovery');
    if (answer.status !== 200) throw new ProviderUnavailableError(`OpenID discovery at ${url} answered HTTP ${answer.status}`);
    const json = jsonObject(answer, `OpenID discovery at ${url}`);
    const issuer = json['issuer'];
    if (typeof issuer !== 'string' || issuer.replace(/\/+$/, '') !== this.settings.issuer.replace(/\/+$/, '')) {
      throw new ProviderUnavailableError(`OpenID discovery at ${url} names issuer ${String(issuer)}, but OIDC_ISSUER_URL is ${this.settings.issuer}; set OIDC_ISSUER_URL to exactly the provider's issuer`);
    }
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      if (typeof json[field] !== 'string') throw new ProviderUnavailableError(`OpenID discovery at ${url} has no ${field}`);
    }
    return json as unknown as ProviderMetadata;
  }

  private async ask(url: string, options: Parameters<typeof call>[2], what: string) {
    try {
      return await call(url, this.agent, options);
    } catch (err) {
      if (err instanceof UnreachableError) throw new ProviderUnavailableError(`${what}: ${err.message}`);
      throw new ProviderUnavailableError(`${what} failed: ${(err as Error).message}`);
    }
  }

  private async keySet(force: boolean): Promise<ReturnType<typeof createLocalJWKSet>> {
    if (this.keys && (!force || Date.now() - this.keys.fetchedAt < JWKS_REFETCH_MS)) return this.keys.set;
    const { jwks_uri } = await this.discover();
    const answer = await this.ask(jwks_uri, { headers: { accept: 'application/json' } }, 'Fetching the provider\u2019s signing keys');
    if (answer.status !== 200) throw new ProviderUnavailableError(`the provider's keys at ${jwks_uri} answered HTTP ${answer.status}`);
    const set = createLocalJWKSet(jsonObject(answer, jwks_uri) as unknown as JSONWebKeySet);
    this.keys = { set, fetchedAt: Date.now() };
    return set;
  }

  /**
   * Checks an ID token as the API server will: signed by one of the provider's keys, issued by
   * it, for this client, not expired, and carrying the sign-in's nonce when one was sent.
   */
  async verifyIdToken(idToken: string, nonce?: string): Promise<JWTPayload> {
    const { issuer } = await this.discover();
    const verify = async (force: boolean) =>
      jwtVerify(idToken, await this.keySet(force), { issuer, audience: this.settings.clientId, clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['sub', 'exp', 'iat'] });
    let payload: JWTPayload;
    try {
      try {
        payload = (await verify(false)).payload;
      } catch (err) {
        // The provider may have rotated its keys since we fetched them.
        if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
        payload = (await verify(true)).payload;
      }
    } catch (err) {
      if (err instanceof ProviderUnavailableError) throw err;
      throw new SignInRejectedError(idTokenProblem(err));
    }
    if (nonce !== undefined && payload['nonce'] !== nonce) throw new SignInRejectedError('the ID token does not carry this sign-in\u2019s nonce (a replayed or mixed-up response)');
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload['azp'] !== this.settings.clientId) {
      throw new SignInRejectedError('the ID token was issued to another client (azp)');
    }
    return payload;
  }

  /** New tokens for a refresh token; a refusal (revoked, expired) is a SignInRejectedError. */
  async refresh(refreshToken: string): Promise<ProviderTokens> {
    const { token_endpoint } = await this.discover();
    const answer = await this.ask(
      token_endpoint,
      { method: 'POST', headers: this.tokenHeaders(), body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString() },
      'Renewing the session at the provider',
    );
    const json = safeJson(answer.body);
    if (answer.status === 400 || answer.status === 401) {
      const reason = typeof json?.['error_description'] === 'string' ? json['error_description'] : String(json?.['error'] ?? `HTTP ${answer.status}`);
      throw new SignInRejectedError(`the provider no longer accepts this session (${reason})`);
    }
    if (answer.status !== 200 || !json || typeof json['access_token'] !== 'string') {
      throw new ProviderUnavailableError(`the provider's token endpoint answered HTTP ${answer.status} to a refresh`);
    }
    return {
      accessToken: json['access_token'],
      ...(typeof json['id_token'] === 'string' ? { idToken: json['id_token'] } : {}),
      ...(typeof json['refresh_token'] === 'string' ? { refreshToken: json['refresh_token'] } : {}),
      ...(typeof json['expires_in'] === 'number' ? { expiresIn: json['expires_in'] } : {}),
    };
  }

  /** Tells the provider to forget a refresh token (best effort: sign-out goes on regardless). */
  async revoke(refreshToken: string): Promise<void> {
    try {
      const { revocation_endpoint } = await this.discover();
      if (!revocation_endpoint) return;
      const answer = await call(revocation_endpoint, this.agent, {
        method: 'POST',
        headers: this.tokenHeaders(),
        body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
      });
      if (answer.status !== 200) this.log.warn(`the provider answered HTTP ${answer.status} to revoking a refresh token`);
    } catch (err) {
      this.log.warn(`could not revoke a refresh token: ${(err as Error).message}`);
    }
  }

  /** Where to send the browser for RP-initiated logout, when the provider offers it. */
  async endSessionUrl(idToken: string | undefined, postLogoutRedirect: string): Promise<string | undefined> {
    let metadata: ProviderMetadata;
    try {
      metadata = await this.discover();
    } catch {
      return undefined;
    }
    if (!metadata.end_session_endpoint) return undefined;
    const url = new URL(metadata.end_session_endpoint);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogoutRedirect);
    return url.href;
  }

  private tokenHeaders(): Record<string, string> {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    return {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${encode(this.settings.clientId)}:${encode(this.settings.clientSecret)}`).toString('base64')}`,
    };
  }
}

function safeJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function idTokenProblem(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the ID token has expired (is this server\u2019s clock right?)';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the ID token\u2019s signature does not match the provider\u2019s keys (a forged or altered token)';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the ID token is signed with a key the provider does not publish';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'the ID token was issued for another client (audience)';
    if (err.claim === 'iss') return 'the ID token comes from another issuer';
    return `the ID token's ${err.claim} claim is not acceptable (${err.reason})`;
  }
  if (err instanceof joseErrors.JOSEError) return `the ID token could not be verified (${err.code})`;
  return `the ID token could not be verified (${(err as Error).message})`;
}
