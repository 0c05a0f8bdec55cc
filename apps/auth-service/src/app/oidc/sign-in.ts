import { createHash, randomBytes } from 'node:crypto';
import { Passport } from 'passport';
import { Strategy as OpenIdConnectStrategy } from 'passport-openidconnect';
import type { FastifyRequest } from 'fastify';
import { readCookie, SealedBox } from '@cairn/session';
import { CookieJar } from '../session/cookie-jar';
import { OidcClient, ProviderUnavailableError, SignInRejectedError } from './oidc-client';

/** How long a sign-in may take at the provider before its state cookie is worthless. */
export const SIGN_IN_TTL_SECONDS = 600;

/** What a finished code flow yields, the ID token already verified against the provider's keys. */
export interface SignedIn {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** Seconds the access token lives, when the provider says. */
  expiresIn?: number;
  claims: Record<string, unknown>;
  returnTo: string;
}

export type SignInOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'signed-in'; signedIn: SignedIn }
  /** The user or the provider said no, or the response failed a check: sign in again. */
  | { kind: 'rejected'; message: string; returnTo: string }
  /** The provider could not be asked. */
  | { kind: 'unavailable'; message: string };

/** The sealed content of the sign-in state cookie. */
interface SignInState {
  handle: string;
  ctx: { nonce?: string };
  returnTo: string;
  /** The PKCE code verifier (RFC 7636); its S256 challenge went to the provider. */
  verifier?: string;
}

/** The Express-shaped request passport works with, carrying what the Fastify request had. */
interface PassportRequest {
  method: string;
  url: string;
  originalUrl: string;
  headers: FastifyRequest['headers'];
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  cairn: { jar: CookieJar; returnTo: string; nonce?: string; challenge?: string };
}

type Done = (err: Error | null, ...rest: unknown[]) => void;

/**
 * passport-openidconnect keeps the state and nonce in `req.session`; Cairn keeps no
 * server-side session, so they go into a short-lived sealed cookie instead. The handle
 * (passport's `state` parameter) must match the one sealed in the cookie, so a response
 * meant for another browser or another sign-in is refused.
 */
class CookieStateStore {
  constructor(
    private readonly box: SealedBox,
    /** Code verifiers by authorization code, for the token request that follows verify(). */
    private readonly verifiers: Map<string, string>,
    /** The state cookie's name (Sessions.names.state). */
    private readonly cookie: string,
  ) {}

  store(req: PassportRequest, ctx: SignInState['ctx'], _appState: unknown, _meta: unknown, done: Done): void {
    const handle = randomBytes(24).toString('base64url');
    // PKCE (RFC 7636, S256): the challenge goes with the redirect, the verifier stays sealed in this browser.
    const verifier = randomBytes(32).toString('base64url');
    req.cairn.challenge = createHash('sha256').update(verifier).digest('base64url');
    this.box
      .seal({ handle, ctx: { ...(ctx.nonce ? { nonce: ctx.nonce } : {}) }, returnTo: req.cairn.returnTo, verifier } satisfies SignInState, { ttlSeconds: SIGN_IN_TTL_SECONDS })
      .then((sealed) => {
        req.cairn.jar.set(this.cookie, sealed, SIGN_IN_TTL_SECONDS);
        done(null, handle);
      }, done);
  }

  verify(req: PassportRequest, handle: string, done: Done): void {
    const sealed = readCookie(this.cookie, req.cairn.jar.request);
    // Whatever happens next, this sign-in's state is used up.
    req.cairn.jar.clear(this.cookie);
    if (!sealed) {
      done(null, false, { message: 'this browser has no sign-in in progress (it took longer than 10 minutes, cookies are blocked, or it was started in another browser)' });
      return;
    }
    this.box.open<SignInState>(sealed).then((state) => {
      if (!state) return done(null, false, { message: 'the sign-in took longer than 10 minutes, or its state cookie was altered' });
      req.cairn.returnTo = state.returnTo;
      if (state.handle !== handle) return done(null, false, { message: 'the answer from the provider belongs to another sign-in (state does not match)' });
      req.cairn.nonce = state.ctx.nonce;
      const code = req.query['code'];
      if (state.verifier && typeof code === 'string') {
        if (this.verifiers.size > 10_000) this.verifiers.clear();
        this.verifiers.set(code, state.verifier);
      }
      done(null, state.ctx, undefined);
    }, done);
  }
}

/**
 * The authorization code flow, run by passport-openidconnect on top of Fastify: passport
 * gets an Express-shaped request and a response that records its redirect instead of
 * writing it, and the outcome comes back as a value the controller turns into a reply.
 */
export class SignInFlow {
  private readonly passport = new Passport();
  private configured?: Promise<void>;
  /** PKCE verifiers between the state check and the token request, by code; each used once. */
  private readonly verifiers = new Map<string, string>();

  constructor(
    private readonly client: OidcClient,
    private readonly stateBox: SealedBox,
    private readonly stateCookie: string,
  ) {}

  private configure(): Promise<void> {
    this.configured ??= this.client.discover().then((metadata) => {
      const { settings } = this.client;
      const offline = settings.scopes.includes('offline_access');
      const strategy = new OpenIdConnectStrategy(
        {
          issuer: metadata.issuer,
          authorizationURL: metadata.authorization_endpoint,
          tokenURL: metadata.token_endpoint,
          clientID: settings.clientId,
          clientSecret: settings.clientSecret,
          callbackURL: settings.callbackUrl,
          scope: settings.scopes.filter((s) => s !== 'openid'),
          // OpenID Connect only grants offline_access (a refresh token) with prompt=consent.
          ...(offline ? { prompt: 'consent' } : {}),
          nonce: true,
          skipUserProfile: true,
          passReqToCallback: true,
          store: new CookieStateStore(this.stateBox, this.verifiers, this.stateCookie),
          ...(metadata.token_endpoint.startsWith('https:') ? { agent: this.client.agent } : {}),
        },
        // Nine parameters: passport-openidconnect picks the call by the function's arity.
        (req: PassportRequest, _iss: string, _profile: unknown, _context: unknown, idToken: string, accessToken: string, refreshToken: string, params: Record<string, unknown>, done: Done) => {
          this.client.verifyIdToken(idToken, req.cairn.nonce).then(
            (claims) =>
              done(null, {
                idToken,
                accessToken,
                ...(refreshToken ? { refreshToken } : {}),
                ...(typeof params['expires_in'] === 'number' ? { expiresIn: params['expires_in'] } : {}),
                claims,
                returnTo: req.cairn.returnTo,
              } satisfies SignedIn),
            (err: unknown) => (err instanceof SignInRejectedError ? done(null, false, { message: err.message }) : done(err as Error)),
          );
        },
      );
      // passport-openidconnect 0.1 has no PKCE: its token request gets the code's verifier here.
      const oauth2 = (strategy as unknown as { _oauth2: { getOAuthAccessToken(code: string, params: Record<string, string>, callback: unknown): void } })._oauth2;
      const exchange = oauth2.getOAuthAccessToken.bind(oauth2);
      oauth2.getOAuthAccessToken = (code, params, callback) => {
        const verifier = this.verifiers.get(code);
        this.verifiers.delete(code);
        exchange(code, verifier ? { ...params, code_verifier: verifier } : params, callback);
      };
      this.passport.use('openidconnect', strategy);
    });
    // A failed discovery must not stick: the next sign-in tries again.
    this.configured.catch(() => (this.configured = undefined));
    return this.configured;
  }

  /** Starts a sign-in (no `code` in the query) or finishes one (the provider's redirect back). */
  async run(request: FastifyRequest, jar: CookieJar, returnTo: string): Promise<SignInOutcome> {
    try {
      await this.configure();
    } catch (err) {
      return { kind: 'unavailable', message: (err as Error).message };
    }
    const req: PassportRequest = {
      method: request.method,
      url: request.url,
      originalUrl: request.url,
      headers: request.headers,
      query: (request.query ?? {}) as Record<string, unknown>,
      body: {},
      cairn: { jar, returnTo },
    };
    return new Promise<SignInOutcome>((resolve) => {
      const res = {
        statusCode: 200,
        headers: {} as Record<string, string>,
        setHeader(name: string, value: string) {
          this.headers[name.toLowerCase()] = value;
        },
        end() {
          let location = this.headers['location'];
          if (location && req.cairn.challenge) {
            const url = new URL(location);
            url.searchParams.set('code_challenge', req.cairn.challenge);
            url.searchParams.set('code_challenge_method', 'S256');
            location = url.href;
          }
          resolve(location ? { kind: 'redirect', location } : { kind: 'rejected', message: `the sign-in ended with HTTP ${this.statusCode}`, returnTo: req.cairn.returnTo });
        },
      };
      const finish = (err: unknown, user: SignedIn | false, info?: { message?: string }) => {
        if (err) resolve(errorOutcome(err, req.cairn.returnTo));
        else if (!user) resolve({ kind: 'rejected', message: info?.message ?? 'the provider did not sign you in', returnTo: req.cairn.returnTo });
        else resolve({ kind: 'signed-in', signedIn: user });
      };
      const middleware = this.passport.authenticate('openidconnect', { session: false }, finish) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      middleware(req, res, (err) => resolve(errorOutcome(err, req.cairn.returnTo)));
    });
  }
}

/** passport-openidconnect's errors, told apart: an unreachable provider, or a refusal. */
function errorOutcome(err: unknown, returnTo: string): SignInOutcome {
  if (err instanceof ProviderUnavailableError) return { kind: 'unavailable', message: err.message };
  const e = err as { name?: string; message?: string; code?: string; oauthError?: { code?: string; statusCode?: number; data?: string } };
  if (e.name === 'InternalOAuthError') {
    const cause = e.oauthError;
    if (cause?.code) return { kind: 'unavailable', message: `the provider's token endpoint could not be reached (${cause.code})` };
    return { kind: 'rejected', message: `the provider refused to exchange the code for tokens (HTTP ${cause?.statusCode ?? '?'}${providerError(cause?.data)})`, returnTo };
  }
  if (e.name === 'AuthorizationError') return { kind: 'rejected', message: `the provider refused the sign-in: ${e.code ?? 'error'}${e.message ? `: ${e.message}` : ''}`, returnTo };
  if (e.name === 'TokenError') return { kind: 'rejected', message: `the provider refused the code: ${e.code ?? 'error'}${e.message ? `: ${e.message}` : ''}`, returnTo };
  return { kind: 'rejected', message: e.message ?? String(err), returnTo };
}

function providerError(data: string | undefined): string {
  try {
    const json = JSON.parse(data ?? '') as { error?: string; error_description?: string };
    return json.error ? `: ${json.error}${json.error_description ? `, ${json.error_description}` : ''}` : '';
  } catch {
    return '';
  }
}
