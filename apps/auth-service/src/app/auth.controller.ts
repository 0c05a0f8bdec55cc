import { Controller, Delete, Get, HttpCode, HttpException, HttpStatus, Inject, Logger, Post, Req, Res, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Counter, JsonBody, MetricsRegistry, PathParams, QueryParams } from '@cairn/server-runtime';
import { CookieTooLargeError, Session, SessionUser } from '@cairn/session';
import { AUTH_PATHS, SessionSummary, SignedOut, SignInOptions } from '@cairn/api-contracts';
import { BearerTokenSignInBody, ForgetTokenParams, LoginQuery } from '@cairn/api-contracts/requests';
import type { z } from 'zod/mini';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { errorPage } from './error-page';
import { GatewayClient } from './gateway-client';
import { OidcClient, ProviderUnavailableError, SignInRejectedError } from './oidc/oidc-client';
import { SignedIn, SignInFlow } from './oidc/sign-in';
import { CookieJar } from './session/cookie-jar';
import { Sessions } from './session/sessions';
import { AUTH_SETTINGS, AuthSettings } from './settings/auth-settings';

/**
 * Every sign-in conversation: OpenID Connect (login, callback, refresh, logout), bearer
 * tokens per cluster, and the session summary. State lives only in sealed cookies. Every
 * change (POST, DELETE) passes FromConsoleGuard first (the CSRF header and CAIRN_PUBLIC_URL's
 * origin), and every parameter the request schemas of `@cairn/api-contracts/requests`.
 */
@Controller()
export class AuthController {
  private readonly log = new Logger('Auth');
  private readonly signIns: Counter;
  private readonly refreshes: Counter;
  /**
   * Renewals in flight or just done, by a digest of the refresh token: tabs of one browser
   * that ask at once (each saw "token expired") share one renewal instead of spending the
   * refresh token twice, which a provider with rotation would take for theft and revoke.
   * Kept 30 s after they settle; at most 10 000.
   */
  private readonly renewals = new Map<string, { renewal: Promise<SignedIn>; settledAt?: number }>();

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly sessions: Sessions,
    private readonly gateway: GatewayClient,
    @Inject(OidcClient) private readonly oidc: OidcClient | null,
    @Inject(SignInFlow) private readonly flow: SignInFlow | null,
    metrics: MetricsRegistry,
  ) {
    this.signIns = metrics.counter('cairn_auth_sign_ins_total', 'Sign-ins, by method (oidc, token) and outcome (ok, rejected, unavailable).');
    this.refreshes = metrics.counter('cairn_auth_refreshes_total', 'Session renewals, by outcome (ok, rejected, unavailable).');
  }

  @Get(AUTH_PATHS.providers)
  providers(): SignInOptions {
    return {
      ...(this.oidc ? { oidc: { name: this.oidc.settings.providerName, loginUrl: `${this.sessions.basePath}${AUTH_PATHS.login}` } } : {}),
      bearerToken: true,
    };
  }

  @Get(AUTH_PATHS.session)
  async session(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionSummary> {
    void reply.header('cache-control', 'no-store');
    return this.sessions.summary(await this.sessions.read(this.sessions.jar(request)), this.oidc?.settings.providerName);
  }

  /** Starts the OpenID Connect code flow: a redirect to the provider, the state in a sealed cookie. */
  @Get(AUTH_PATHS.login)
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @QueryParams(LoginQuery) q: z.output<typeof LoginQuery>): Promise<void> {
    const returnTo = this.sessions.returnTo(q.returnTo);
    if (!this.flow) {
      // No provider configured: the sign-in page offers bearer tokens.
      void reply.redirect(`${this.sessions.basePath}sign-in?returnTo=${encodeURIComponent(returnTo)}`, 303);
      return;
    }
    const jar = this.sessions.jar(request);
    const outcome = await this.flow.run(request, jar, returnTo);
    if (outcome.kind === 'redirect') {
      sendCookies(reply, jar).header('cache-control', 'no-store').redirect(outcome.location, 303);
      return;
    }
    this.pageForFailure(reply, jar, outcome.kind === 'unavailable' ? outcome : { kind: 'rejected', message: outcome.kind === 'rejected' ? outcome.message : 'unexpected answer' }, returnTo);
  }

  /** Where the provider sends the browser back: checks everything, then seals the session. */
  @Get('oidc-callback')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const jar = this.sessions.jar(request);
    if (!this.flow) {
      this.page(reply, jar, HttpStatus.NOT_FOUND, 'OpenID Connect is not configured', 'This console has no OpenID provider (OIDC_ISSUER_URL is unset), so there is no sign-in to finish.', this.sessions.basePath);
      return;
    }
    const query = request.query as Record<string, string | undefined>;
    if (!query['code'] && !query['error']) {
      this.page(reply, jar, HttpStatus.BAD_REQUEST, 'Nothing to finish here', 'This address is where the OpenID provider sends you back after signing in; it was opened without an answer from the provider.', this.sessions.basePath);
      return;
    }
    const outcome = await this.flow.run(request, jar, this.sessions.basePath);
    if (outcome.kind === 'signed-in') {
      // A new sign-in starts a new session: bearer tokens an older cookie carried (perhaps
      // another person's, on a shared browser) do not ride along into it.
      const session: Session = { v: 1, oidc: this.oidcSession(outcome.signedIn), issuedAt: now() };
      await this.sessions.write(jar, session);
      this.signIns.inc({ method: 'oidc', outcome: 'ok' });
      this.log.log(`signed in ${session.oidc?.user.name} with OpenID Connect`);
      sendCookies(reply, jar).header('cache-control', 'no-store').redirect(outcome.signedIn.returnTo, 303);
      return;
    }
    if (outcome.kind === 'redirect') {
      // passport only redirects when starting a flow; a callback that does is not ours.
      this.pageForFailure(reply, jar, { kind: 'rejected', message: 'the provider\u2019s answer was incomplete' }, this.sessions.basePath);
      return;
    }
    this.pageForFailure(reply, jar, outcome, outcome.kind === 'rejected' ? outcome.returnTo : this.sessions.basePath);
  }

  /**
   * Renews the OpenID session with its refresh token, rotating the cookie. Without a refresh
   * token, or when the provider refuses it, the answer is 401 and the shell signs in again.
   */
  @Post(AUTH_PATHS.refresh)
  @HttpCode(200)
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionSummary> {
    void reply.header('cache-control', 'no-store');
    const jar = this.sessions.jar(request);
    const session = await this.sessions.read(jar);
    if (!session?.oidc || !this.oidc) throw new UnauthorizedException('There is no OpenID Connect session to renew: sign in.');
    const refreshToken = session.oidc.refreshToken;
    if (!refreshToken) {
      this.refreshes.inc({ outcome: 'rejected' });
      throw new UnauthorizedException('Your session cannot be renewed (the provider gave no refresh token): sign in again.');
    }
    let signedIn: SignedIn;
    try {
      signedIn = await this.renewOnce(session, refreshToken);
    } catch (err) {
      if (err instanceof SignInRejectedError && session.oidc.expiresAt * 1000 > Date.now() - 120_000) {
        // The refresh token was refused while the session's token still works (or just ran out):
        // most likely another tab, on another replica, renewed it a moment ago and the browser
        // already holds that cookie. Nobody is signed out for that; the caller retries with the
        // cookie it has now. A real revocation ends the session at the next renewal, and the
        // API servers accept the current token until it expires in any case.
        this.refreshes.inc({ outcome: 'raced' });
        this.log.log(`the refresh token of ${session.oidc.user.name} was refused while the session is still valid (${err.message}); keeping the session`);
        return this.sessions.summary(session, this.oidc.settings.providerName);
      }
      if (err instanceof SignInRejectedError) {
        this.refreshes.inc({ outcome: 'rejected' });
        this.log.log(`could not renew the session of ${session.oidc.user.name}: ${err.message}`);
        // The OpenID part is dead; bearer tokens for single clusters stay.
        await this.sessions.write(jar, { ...session, oidc: undefined });
        sendCookies(reply, jar);
        throw new UnauthorizedException(`Your session has ended: ${err.message}. Sign in again.`);
      }
      if (err instanceof ProviderUnavailableError) {
        this.refreshes.inc({ outcome: 'unavailable' });
        throw new ServiceUnavailableException(`Your session could not be renewed because the sign-in provider is unavailable: ${err.message}. Try again shortly.`);
      }
      throw err;
    }
    const renewed: Session = { ...session, oidc: this.oidcSession(signedIn), issuedAt: now() };
    await this.sessions.write(jar, renewed);
    sendCookies(reply, jar);
    this.refreshes.inc({ outcome: 'ok' });
    return this.sessions.summary(renewed, this.oidc.settings.providerName);
  }

  /**
   * One renewal per refresh token at a time (see `renewals`): a second request with the same
   * token gets the first one's result. Rejects with SignInRejectedError or ProviderUnavailableError.
   */
  private renewOnce(session: Session, refreshToken: string): Promise<SignedIn> {
    const oidc = this.oidc as OidcClient;
    const key = createHash('sha256').update(refreshToken).digest('base64url');
    const now = Date.now();
    for (const [k, v] of this.renewals) if (v.settledAt !== undefined && now - v.settledAt > 30_000) this.renewals.delete(k);
    const known = this.renewals.get(key);
    if (known) return known.renewal;
    const user = session.oidc?.user;
    const renewal = (async (): Promise<SignedIn> => {
      const tokens = await oidc.refresh(refreshToken);
      const idToken = tokens.idToken;
      if (!idToken && !oidc.settings.useAccessToken) throw new SignInRejectedError('the provider renewed the session without a new ID token');
      const claims = idToken ? ((await oidc.verifyIdToken(idToken)) as Record<string, unknown>) : undefined;
      return {
        idToken: idToken ?? session.oidc?.idToken ?? session.oidc?.token ?? '',
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? refreshToken,
        ...(tokens.expiresIn !== undefined ? { expiresIn: tokens.expiresIn } : {}),
        claims: claims ?? { email: user?.email, name: user?.name, groups: user?.groups },
        returnTo: this.sessions.basePath,
      };
    })();
    const entry: { renewal: Promise<SignedIn>; settledAt?: number } = { renewal };
    if (this.renewals.size >= 10_000) this.renewals.clear();
    this.renewals.set(key, entry);
    renewal.then(
      () => (entry.settledAt = Date.now()),
      // A failure is not shared with later requests: the next one asks the provider again.
      () => this.renewals.delete(key),
    );
    return renewal;
  }

  /** Signs out: the cookie goes, the refresh token is revoked, and the provider's logout follows when it has one. */
  @Post(AUTH_PATHS.logout)
  @HttpCode(200)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignedOut> {
    void reply.header('cache-control', 'no-store');
    const jar = this.sessions.jar(request);
    const session = await this.sessions.read(jar);
    this.sessions.clear(jar);
    sendCookies(reply, jar);
    const signedOutPage = `${this.sessions.basePath}sign-in?signedOut=1`;
    if (!session?.oidc || !this.oidc) return { redirect: signedOutPage };
    if (session.oidc.refreshToken) await this.oidc.revoke(session.oidc.refreshToken);
    const idToken = session.oidc.idToken ?? session.oidc.token;
    const endSession = await this.oidc.endSessionUrl(idToken, new URL(signedOutPage, this.settings.publicUrl).href);
    this.log.log(`signed out ${session.oidc.user.name}`);
    return { redirect: endSession ?? signedOutPage };
  }

  /** Signs in to one cluster with a bearer token, after the cluster itself says who the token is. */
  @Post(AUTH_PATHS.token)
  @HttpCode(200)
  async token(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @JsonBody(BearerTokenSignInBody) body: z.output<typeof BearerTokenSignInBody>): Promise<SessionSummary> {
    void reply.header('cache-control', 'no-store');
    const { cluster, token } = body;
    const who = await this.gateway.whoAmI(cluster, token);
    const jar = this.sessions.jar(request);
    const session: Session = (await this.sessions.read(jar)) ?? { v: 1, issuedAt: now() };
    const user: SessionUser = { name: who.username, ...(who.groups.length ? { groups: who.groups } : {}) };
    const expiresAt = jwtExpiry(token);
    const updated: Session = { ...session, tokens: { ...session.tokens, [cluster]: { token, user, ...(expiresAt ? { expiresAt } : {}) } }, issuedAt: now() };
    try {
      await this.sessions.write(jar, updated);
    } catch (err) {
      if (err instanceof CookieTooLargeError) {
        throw new HttpException(`This token does not fit in your session next to the ${Object.keys(session.tokens ?? {}).length} you already have; forget a cluster's token first.`, HttpStatus.PAYLOAD_TOO_LARGE);
      }
      throw err;
    }
    sendCookies(reply, jar);
    this.signIns.inc({ method: 'token', outcome: 'ok' });
    this.log.log(`signed in ${who.username} to cluster ${cluster} with a bearer token`);
    return this.sessions.summary(updated, this.oidc?.settings.providerName);
  }

  /** Forgets one cluster's bearer token. */
  @Delete(`${AUTH_PATHS.token}/:cluster`)
  @HttpCode(200)
  async forgetToken(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @PathParams(ForgetTokenParams) { cluster }: z.output<typeof ForgetTokenParams>): Promise<SessionSummary> {
    void reply.header('cache-control', 'no-store');
    const jar = this.sessions.jar(request);
    const session = await this.sessions.read(jar);
    if (!session?.tokens || !Object.hasOwn(session.tokens, cluster)) throw new HttpException(`You have no bearer token for cluster ${cluster}.`, HttpStatus.NOT_FOUND);
    const tokens = Object.fromEntries(Object.entries(session.tokens).filter(([name]) => name !== cluster));
    const updated: Session = { ...session, tokens, issuedAt: now() };
    await this.sessions.write(jar, updated);
    sendCookies(reply, jar);
    return this.sessions.summary(updated, this.oidc?.settings.providerName);
  }

  private oidcSession(signedIn: SignedIn): NonNullable<Session['oidc']> {
    const claims = signedIn.claims;
    const str = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : undefined);
    const groups = Array.isArray(claims['groups']) ? (claims['groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : undefined;
    const useAccess = this.oidc?.settings.useAccessToken ?? false;
    const idExpiry = typeof claims['exp'] === 'number' ? claims['exp'] : now() + 300;
    const expiresAt = useAccess ? (jwtExpiry(signedIn.accessToken) ?? (signedIn.expiresIn ? now() + signedIn.expiresIn : idExpiry)) : idExpiry;
    const email = str('email');
    return {
      token: useAccess ? signedIn.accessToken : signedIn.idToken,
      expiresAt,
      ...(signedIn.refreshToken ? { refreshToken: signedIn.refreshToken } : {}),
      // Kept apart only when it is not already the token (RP-initiated logout's id_token_hint).
      ...(useAccess ? { idToken: signedIn.idToken } : {}),
      user: { name: email ?? str('preferred_username') ?? str('name') ?? str('sub') ?? 'unknown', ...(email ? { email } : {}), ...(groups?.length ? { groups } : {}) },
    };
  }

  private pageForFailure(reply: FastifyReply, jar: CookieJar, outcome: { kind: 'rejected' | 'unavailable'; message: string }, returnTo: string): void {
    if (outcome.kind === 'unavailable') {
      this.signIns.inc({ method: 'oidc', outcome: 'unavailable' });
      this.log.warn(`sign-in provider unavailable: ${outcome.message}`);
      this.page(reply, jar, HttpStatus.SERVICE_UNAVAILABLE, 'The sign-in provider is not answering', `Cairn could not reach ${this.oidc?.settings.providerName ?? 'the OpenID provider'}: ${outcome.message}. Try again in a minute; if it keeps happening, tell whoever runs this console.`, returnTo);
      return;
    }
    this.signIns.inc({ method: 'oidc', outcome: 'rejected' });
    this.log.warn(`sign-in rejected: ${outcome.message}`);
    this.page(reply, jar, HttpStatus.FORBIDDEN, 'You are not signed in', `The sign-in did not complete: ${outcome.message}. Start again; nothing was changed.`, returnTo);
  }

  private page(reply: FastifyReply, jar: CookieJar, status: number, title: string, message: string, returnTo: string): void {
    const base = this.sessions.basePath;
    const links = [
      ...(this.flow ? [{ href: `${base}${AUTH_PATHS.login}?returnTo=${encodeURIComponent(returnTo)}`, label: `Sign in with ${this.oidc?.settings.providerName}` }] : []),
      { href: `${base}sign-in?returnTo=${encodeURIComponent(returnTo)}`, label: 'Other ways to sign in (bearer token)' },
    ];
    void sendCookies(reply, jar).status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(errorPage(title, message, links));
  }
}

function sendCookies(reply: FastifyReply, jar: CookieJar): FastifyReply {
  const lines = jar.setCookieHeaders();
  if (lines.length) void reply.header('set-cookie', lines);
  return reply;
}

const now = () => Math.floor(Date.now() / 1000);

/** A JWT's `exp`, read without trusting it (the cluster already accepted the token). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
