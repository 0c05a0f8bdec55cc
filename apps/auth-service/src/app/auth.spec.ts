import { BuiltGateway, DEV_OIDC_PROVIDER_LIST, DevCluster, DevOidcProvider, followToRedirectUri, freePort, passwordLogin, startBuiltGateway } from '@cairn/kube-testenv';
import { OidcSession, readCookie, SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE, STATE_PURPOSE } from '@cairn/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { createAuthService } from './auth-service';
import { OidcClient } from './oidc/oidc-client';
import { AuthSettings, readAuthSettings } from './settings/auth-settings';

/**
 * The auth service against real OpenID providers (the dev provider, and Keycloak: each test
 * runs against both) and the real API server, reached the way a browser does: through the
 * built gateway, which forwards /auth and /oidc-callback.
 */

/** A browser's cookies for one origin, enough for these tests. */
class Browser {
  cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.header());
    if (init.csrf) headers.set('x-cairn-csrf', '1');
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(res);
    return res;
  }

  /** The sealed session, joined from its pieces when it was split (`cairn_session.0`, `.1`: Keycloak's longer tokens). */
  session(): string | undefined {
    return readCookie(SESSION_COOKIE, Object.fromEntries(this.cookies));
  }

  copy(): Browser {
    const other = new Browser();
    other.cookies = new Map(this.cookies);
    return other;
  }
}

let cluster: DevCluster;

beforeAll(async () => {
  cluster = await DevCluster.start({ keycloak: true });
}, 300_000);

afterAll(() => cluster?.stop());

describe.each<[string, DevOidcProvider]>(DEV_OIDC_PROVIDER_LIST.map((p) => [p.title, p]))('auth service with %s (real API server, through the gateway)', (_, provider) => {
  let gateway: BuiltGateway;
  let issuer: string;
  let auth: NestFastifyApplication;
  let base: string;
  let settings: AuthSettings;
  const sessionKey = randomBytes(36).toString('base64url');
  const started: NestFastifyApplication[] = [];

  const authEnv = (extra: Record<string, string> = {}) => ({
    CAIRN_LOG_LEVEL: 'error',
    CAIRN_SESSION_KEY: sessionKey,
    CAIRN_PUBLIC_URL: base.replace(/\/$/, ''),
    CAIRN_INSECURE_COOKIES: 'true',
    CAIRN_GATEWAY_URL: base,
    CAIRN_CA_BUNDLE: cluster.info.oidc.caFile,
    OIDC_ISSUER_URL: issuer,
    OIDC_CLIENT_ID: cluster.info.oidc.clients.cairn.clientId,
    OIDC_CLIENT_SECRET: cluster.info.oidc.clients.cairn.clientSecret as string,
    OIDC_SCOPES: 'openid profile email groups offline_access',
    OIDC_PROVIDER_NAME: provider.buttonName,
    ...extra,
  });

  const oidcSettings = () => settings.oidc as NonNullable<AuthSettings['oidc']>;
  const oidcOf = (session: Session) => session.oidc as OidcSession;

  /** Another auth service in this process, on its own port; its URL. */
  async function startAuth(env: Record<string, string>): Promise<string> {
    const app = await createAuthService(readAuthSettings(env));
    started.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/`;
  }

  /** The browser's part at the provider: its login form, up to the redirect back to the console. */
  const atProvider = (authorization: URL, user = 'alice') =>
    followToRedirectUri(
      { issuer, ca: cluster.info.ca, clientId: 'cairn', username: user, password: `${user}-dev-password` },
      authorization,
      new URL(`${base}oidc-callback`),
    );

  /** The whole code flow as a browser does it; returns the response of the callback. */
  async function signIn(browser: Browser, user: 'alice' | 'admin' | 'victor' | 'tina', returnTo = '/workloads/pods?ns=team-a'): Promise<Response> {
    const login = await browser.fetch(`${base}auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(login.status).toBe(303);
    const authorization = new URL(login.headers.get('location') as string);
    const callback = await atProvider(authorization, user);
    return browser.fetch(callback.href);
  }

  beforeAll(async () => {
    issuer = cluster.issuer(provider.name);
    // The gateway forwards to the auth service and the auth service asks the gateway: the
    // gateway's port is chosen first so both know each other's address.
    const gatewayPort = await freePort();
    base = `http://127.0.0.1:${gatewayPort}/`;
    settings = readAuthSettings(authEnv());
    auth = await createAuthService(settings);
    await auth.listen(0, '127.0.0.1');
    const authPort = (auth.getHttpServer().address() as { port: number }).port;
    gateway = await startBuiltGateway(cluster, { CAIRN_PORT: String(gatewayPort), CAIRN_SESSION_KEY: sessionKey, CAIRN_AUTH_SERVICE_URL: `http://127.0.0.1:${authPort}` });
  }, 300_000);

  afterAll(async () => {
    gateway?.stop();
    for (const app of [auth, ...started]) await app?.close();
  });

  it('offers the configured provider and bearer tokens', async () => {
    const res = await fetch(`${base}auth/providers`);
    expect(await res.json()).toEqual({ oidc: { name: provider.buttonName, loginUrl: '/auth/login' }, bearerToken: true });
  });

  it('signs alice in with the code flow, and the API server applies her RBAC to the session', async () => {
    const browser = new Browser();
    const login = await browser.fetch(`${base}auth/login?returnTo=${encodeURIComponent('/workloads/pods?ns=team-a')}`);
    const authorization = new URL(login.headers.get('location') as string);
    expect(authorization.origin).toBe(new URL(issuer).origin);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({ client_id: 'cairn', response_type: 'code', redirect_uri: `${base}oidc-callback`, prompt: 'consent' });
    expect(authorization.searchParams.get('scope')?.split(' ').sort()).toEqual(['email', 'groups', 'offline_access', 'openid', 'profile']);
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    // PKCE (S256): the provider checks the verifier at the token request, so the sign-in below
    // completes only if the auth service sent the one this challenge was made from.
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stateCookie = login.headers.getSetCookie().find((c) => c.startsWith('cairn_signin='));
    expect(stateCookie).toMatch(/HttpOnly; SameSite=Lax/);
    expect(stateCookie).toContain('Path=/');

    const callback = await atProvider(authorization);
    const done = await browser.fetch(callback.href);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/workloads/pods?ns=team-a');
    expect(browser.cookies.has('cairn_signin')).toBe(false);
    expect(browser.cookies.has('cairn_session')).toBe(true);

    const session = await (await browser.fetch(`${base}auth/session`)).json();
    expect(session).toMatchObject({ signedIn: true, oidc: { provider: provider.buttonName, refreshable: true, user: { name: 'alice@cairn.test', email: 'alice@cairn.test' } }, tokens: [] });
    expect(JSON.stringify(session)).not.toMatch(/eyJ/);

    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('alice@cairn.test');
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a`)).status).toBe(200);
    const refused = await browser.fetch(`${base}api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-b`);
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toContain('cannot list resource "pods"');
  });

  it('starts a new session at each sign-in: bearer tokens an older cookie carried are dropped', async () => {
    const browser = new Browser();
    const box = new SealedBox([sessionKey], SESSION_PURPOSE);
    const older: Session = { v: 1, issuedAt: Math.floor(Date.now() / 1000), tokens: { 'cairn-dev': { token: 'someone-elses-token', user: { name: 'mallory' } } } };
    browser.cookies.set('cairn_session', await box.seal(older, { ttlSeconds: 3600 }));
    expect((await (await browser.fetch(`${base}auth/session`)).json()).tokens).toHaveLength(1);
    expect((await signIn(browser, 'victor')).status).toBe(303);
    const session = await (await browser.fetch(`${base}auth/session`)).json();
    expect(session).toMatchObject({ signedIn: true, oidc: { user: { name: 'victor@cairn.test' } }, tokens: [] });
  });

  it('refuses an answer whose state does not match, and one that arrives without the state cookie', async () => {
    const browser = new Browser();
    const login = await browser.fetch(`${base}auth/login`);
    const callback = await atProvider(new URL(login.headers.get('location') as string));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const other = browser.copy();
    const refused = await other.fetch(tampered.href);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('belongs to another sign-in');
    expect(other.cookies.has('cairn_session')).toBe(false);

    const stranger = new Browser();
    const noCookie = await stranger.fetch(callback.href);
    expect(noCookie.status).toBe(403);
    expect(await noCookie.text()).toContain('no sign-in in progress');
    expect(stranger.cookies.has('cairn_session')).toBe(false);
  });

  it('refuses an ID token that does not carry the sign-in\u2019s nonce', async () => {
    const browser = new Browser();
    const login = await browser.fetch(`${base}auth/login`);
    const authorization = new URL(login.headers.get('location') as string);
    const handle = authorization.searchParams.get('state') as string;
    // A state cookie for the same handle that remembers another nonce: what a mixed-up or replayed response looks like.
    // (It keeps the sign-in's PKCE verifier, so the provider's token request succeeds and the nonce check is what refuses.)
    const stateBox = new SealedBox([sessionKey], STATE_PURPOSE);
    const real = await stateBox.open<{ verifier?: string }>(browser.cookies.get('cairn_signin') as string);
    const forged = await stateBox.seal({ handle, ctx: { nonce: 'not-the-nonce-sent' }, returnTo: '/', verifier: real?.verifier }, { ttlSeconds: 600 });
    browser.cookies.set('cairn_signin', forged);
    const callback = await atProvider(authorization);
    const refused = await browser.fetch(callback.href);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/nonce/);
    expect(browser.cookies.has('cairn_session')).toBe(false);
  });

  describe('ID token checks against the provider\u2019s keys', () => {
    let client: OidcClient;
    let aliceIdToken: string;

    beforeAll(async () => {
      client = new OidcClient(oidcSettings(), settings.extraCa);
      aliceIdToken = (await cluster.login('alice', 'cairn', provider.name)).idToken;
    });

    afterEach(() => jest.useRealTimers());

    it('accepts the provider\u2019s own token', async () => {
      expect((await client.verifyIdToken(aliceIdToken))['email']).toBe('alice@cairn.test');
    });

    it('refuses a token for another client (audience)', async () => {
      const other = await passwordLogin({ issuer, ca: cluster.info.ca, clientId: 'kubernetes', username: 'alice', password: 'alice-dev-password' });
      await expect(client.verifyIdToken(other.idToken)).rejects.toThrow('issued for another client (audience)');
    });

    it('refuses a token whose claims were altered, and one signed with a key the provider does not hold', async () => {
      const [header, payload, signature] = aliceIdToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const altered = Buffer.from(JSON.stringify({ ...claims, email: 'admin@cairn.test', groups: ['cairn-admins'] })).toString('base64url');
      await expect(client.verifyIdToken(`${header}.${altered}.${signature}`)).rejects.toThrow('signature does not match');

      const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString());
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      expect(await exportJWK(privateKey)).toBeTruthy();
      const forged = await new SignJWT({ ...claims, email: 'admin@cairn.test' }).setProtectedHeader({ alg, kid }).sign(privateKey);
      await expect(client.verifyIdToken(forged)).rejects.toThrow('signature does not match');
    });

    it('refuses an expired token', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
      jest.setSystemTime(Date.now() + 24 * 3600 * 1000);
      await expect(client.verifyIdToken(aliceIdToken)).rejects.toThrow('has expired');
    });
  });

  it('renews the session with the refresh token and rotates the cookie; refuses without the CSRF header', async () => {
    const browser = new Browser();
    await signIn(browser, 'victor');
    const before = browser.session();
    expect((await browser.fetch(`${base}auth/refresh`, { method: 'POST' })).status).toBe(403);
    const renewed = await browser.fetch(`${base}auth/refresh`, { method: 'POST', csrf: true });
    expect(renewed.status).toBe(200);
    expect((await renewed.json()).oidc.user.name).toBe('victor@cairn.test');
    expect(browser.session()).not.toBe(before);
    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('victor@cairn.test');
  });

  it('lets the shell renew an expired session: the gateway says "token expired", refresh fixes it', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const box = new SealedBox([sessionKey], SESSION_PURPOSE);
    const session = (await box.open<Session>(browser.session() as string)) as Session;
    browser.cookies.set('cairn_session', await box.seal({ ...session, oidc: { ...oidcOf(session), expiresAt: Math.floor(Date.now() / 1000) - 5 } }, { ttlSeconds: 3600 }));
    const expired = await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`);
    expect(expired.status).toBe(401);
    expect((await expired.json()).message).toMatch(/^token expired/);
    expect((await browser.fetch(`${base}auth/refresh`, { method: 'POST', csrf: true })).status).toBe(200);
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).status).toBe(200);
  });

  it('renews once for two tabs that ask at once: both keep the session, with the same new token', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const box = new SealedBox([sessionKey], SESSION_PURPOSE);
    const before = (await box.open<Session>(browser.session() as string)) as Session;
    const cookie = `cairn_session=${browser.session()}`;
    const ask = () => fetch(`${base}auth/refresh`, { method: 'POST', headers: { cookie, 'x-cairn-csrf': '1' } });
    const toProvider = jest.spyOn(auth.get(OidcClient), 'refresh');
    const [one, two] = await Promise.all([ask(), ask()]);
    // One renewal at the provider for both tabs.
    expect(toProvider).toHaveBeenCalledTimes(1);
    toProvider.mockRestore();
    expect([one.status, two.status]).toEqual([200, 200]);
    const sealed = (res: Response) => /cairn_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1] as string;
    const [a, b] = [(await box.open<Session>(sealed(one))) as Session, (await box.open<Session>(sealed(two))) as Session];
    expect(oidcOf(a)).toEqual(oidcOf(b));
    expect(oidcOf(a).user).toEqual(oidcOf(before).user);
  });

  it('signs no one out when the refresh token is refused while the session\u2019s token still works (another replica renewed it)', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const session = (await new SealedBox([sessionKey], SESSION_PURPOSE).open<Session>(browser.session() as string)) as Session;
    await new OidcClient(oidcSettings(), settings.extraCa).revoke(oidcOf(session).refreshToken as string);
    const kept = await browser.fetch(`${base}auth/refresh`, { method: 'POST', csrf: true });
    expect(kept.status).toBe(200);
    expect((await (await browser.fetch(`${base}auth/session`)).json()).signedIn).toBe(true);
  });

  it('ends the session when the provider has revoked the refresh token and the session\u2019s token has run out', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const box = new SealedBox([sessionKey], SESSION_PURPOSE);
    const session = (await box.open<Session>(browser.session() as string)) as Session;
    browser.cookies.set('cairn_session', await box.seal({ ...session, oidc: { ...oidcOf(session), expiresAt: Math.floor(Date.now() / 1000) - 600 } }, { ttlSeconds: 3600 }));
    const discovery = await (await fetch(`${base}auth/providers`)).json();
    expect(discovery.oidc).toBeDefined();
    const client = new OidcClient(oidcSettings(), settings.extraCa);
    await client.revoke(oidcOf(session).refreshToken as string);
    const refused = await browser.fetch(`${base}auth/refresh`, { method: 'POST', csrf: true });
    expect(refused.status).toBe(401);
    expect((await refused.json()).message).toContain('Sign in again');
    expect((await (await browser.fetch(`${base}auth/session`)).json()).signedIn).toBe(false);
  });

  it('signs in to one cluster with a ServiceAccount token, checked by the cluster first', async () => {
    const browser = new Browser();
    const bad = await browser.fetch(`${base}auth/token`, { method: 'POST', csrf: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'cairn-dev', token: 'not-a-real-token' }) });
    expect(bad.status).toBe(401);
    expect((await bad.json()).message).toContain('kubectl create token');
    const unknown = await browser.fetch(`${base}auth/token`, { method: 'POST', csrf: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'nope', token: cluster.info.serviceAccount.token }) });
    expect(unknown.status).toBe(404);
    expect(browser.cookies.size).toBe(0);

    const ok = await browser.fetch(`${base}auth/token`, { method: 'POST', csrf: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'cairn-dev', token: cluster.info.serviceAccount.token }) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).tokens).toEqual([expect.objectContaining({ cluster: 'cairn-dev', user: expect.objectContaining({ name: 'system:serviceaccount:team-a:deployer' }) })]);
    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('system:serviceaccount:team-a:deployer');
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-b`)).status).toBe(403);

    // The cluster's own token can be forgotten again.
    expect((await browser.fetch(`${base}auth/token/cairn-dev`, { method: 'DELETE', csrf: true })).status).toBe(200);
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).status).toBe(401);
    // An OpenID sign-in afterwards starts a new session: a token added before it does not ride along.
    await browser.fetch(`${base}auth/token`, { method: 'POST', csrf: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'cairn-dev', token: cluster.info.serviceAccount.token }) });
    await signIn(browser, 'admin');
    const fresh = await (await browser.fetch(`${base}auth/session`)).json();
    expect(fresh.oidc.user.name).toBe('admin@cairn.test');
    expect(fresh.tokens).toEqual([]);
    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('admin@cairn.test');
  });

  it('signs out: cookies gone, the refresh token revoked, and the provider\u2019s logout next', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const session = (await new SealedBox([sessionKey], SESSION_PURPOSE).open<Session>(browser.session() as string)) as Session;
    const out = await browser.fetch(`${base}auth/logout`, { method: 'POST', csrf: true });
    expect(out.status).toBe(200);
    const redirect = new URL((await out.json()).redirect);
    expect(redirect.origin).toBe(new URL(issuer).origin);
    expect(redirect.searchParams.get('id_token_hint')).toBe(oidcOf(session).token);
    expect(redirect.searchParams.get('post_logout_redirect_uri')).toBe(`${base}sign-in?signedOut=1`);
    expect(browser.cookies.has('cairn_session')).toBe(false);
    const client = new OidcClient(oidcSettings(), settings.extraCa);
    await expect(client.refresh(oidcOf(session).refreshToken as string)).rejects.toThrow('no longer accepts this session');
  });

  it('refuses sign-out and token sign-in from another origin', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const signedIn = new Map(browser.cookies);
    const out = await browser.fetch(`${base}auth/logout`, { method: 'POST', csrf: true, headers: { origin: 'https://evil.example' } });
    expect(out.status).toBe(403);
    expect(browser.cookies).toEqual(signedIn);
    expect((await (await browser.fetch(`${base}auth/session`)).json()).signedIn).toBe(true);

    const tokenSignIn = (origin: string) =>
      browser.fetch(`${base}auth/token`, { method: 'POST', csrf: true, headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'cairn-dev', token: cluster.info.serviceAccount.token }) });
    const crossSite = await tokenSignIn('https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(browser.cookies).toEqual(signedIn);
    expect((await (await browser.fetch(`${base}auth/session`)).json()).tokens).toEqual([]);
    // The same request from the console's own origin is taken: the origin alone was refused.
    const own = await tokenSignIn(new URL(base).origin);
    expect(own.status).toBe(200);
    expect((await own.json()).tokens).toEqual([expect.objectContaining({ cluster: 'cairn-dev' })]);
  });

  it('rotates keys: a service with [new, old] reads old cookies and writes new ones the old key cannot read', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice');
    const newKey = randomBytes(36).toString('base64url');
    const rotated = await startAuth(authEnv({ CAIRN_SESSION_KEY: newKey, CAIRN_SESSION_KEY_PREVIOUS: sessionKey }));
    const oldOnly = await startAuth(authEnv());
    expect((await (await browser.fetch(`${rotated}auth/session`)).json()).signedIn).toBe(true);
    const renewed = await browser.fetch(`${rotated}auth/refresh`, { method: 'POST', csrf: true });
    expect(renewed.status).toBe(200);
    expect((await (await browser.fetch(`${rotated}auth/session`)).json()).signedIn).toBe(true);
    expect((await (await browser.fetch(`${oldOnly}auth/session`)).json()).signedIn).toBe(false);
  });

  it('shows a clear page, answers /auth/refresh 503 and stays ready when the provider is down', async () => {
    const closedPort = await freePort();
    const down = await startAuth(authEnv({ OIDC_ISSUER_URL: `https://127.0.0.1:${closedPort}` }));
    const page = await fetch(`${down}auth/login`, { redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toContain('text/html');
    const text = await page.text();
    expect(text).toContain('The sign-in provider is not answering');
    expect(text).toContain('ECONNREFUSED');
    expect((await fetch(`${down}healthz`)).status).toBe(200);
    expect((await fetch(`${down}auth/providers`)).status).toBe(200);
    // A session from the provider asks this replica, which cannot reach it, to renew: 503, and
    // the session is kept for when the provider is back; the service stays ready meanwhile.
    const browser = new Browser();
    await signIn(browser, 'alice');
    const before = browser.session();
    const refresh = await browser.fetch(`${down}auth/refresh`, { method: 'POST', csrf: true });
    expect(refresh.status).toBe(503);
    expect(browser.session()).toBe(before);
    const ready = await fetch(`${down}readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).status).toBe('ok');
  });

  it('with OIDC_USE_ACCESS_TOKEN=true, seals the access token and the API server takes it as the user', async () => {
    const accessTokens = await startAuth(authEnv({ OIDC_USE_ACCESS_TOKEN: 'true' }));
    const browser = new Browser();
    const login = await browser.fetch(`${accessTokens}auth/login?returnTo=/`);
    expect(login.status).toBe(303);
    const callback = await atProvider(new URL(login.headers.get('location') as string), 'victor');
    // The provider sends the browser to the public URL's callback; this replica answers it.
    const back = await browser.fetch(`${accessTokens}oidc-callback${callback.search}`);
    expect(back.status).toBe(303);
    const session = (await new SealedBox([sessionKey], SESSION_PURPOSE).open<Session>(browser.session() as string)) as Session;
    const [header, payload] = oidcOf(session).token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part as string, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject(provider.accessToken.header);
    expect(payload).toMatchObject({ ...provider.accessToken.payload, email: 'victor@cairn.test' });
    // The gateway sends it to the real API server, which maps it to victor and his RBAC.
    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('victor@cairn.test');
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/resources/core/v1/secrets?namespace=team-a`)).status).toBe(403);
    expect((await browser.fetch(`${base}api/v1/clusters/cairn-dev/resources/core/v1/configmaps?namespace=team-a`)).status).toBe(200);
    // A renewal keeps sending the access token.
    const renewed = await browser.fetch(`${accessTokens}auth/refresh`, { method: 'POST', csrf: true });
    expect(renewed.status).toBe(200);
    const after = (await new SealedBox([sessionKey], SESSION_PURPOSE).open<Session>(browser.session() as string)) as Session;
    const [renewedHeader, renewedPayload] = oidcOf(after).token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part as string, 'base64url').toString()) as Record<string, unknown>);
    expect(renewedHeader).toMatchObject(provider.accessToken.header);
    expect(renewedPayload).toMatchObject(provider.accessToken.payload);
    expect((await (await browser.fetch(`${base}api/v1/clusters/cairn-dev/whoami`)).json()).username).toBe('victor@cairn.test');
  });

  it('counts sign-ins in /metrics', async () => {
    const metrics = await (await fetch(`${base.replace(/\/$/, '')}/metrics`)).text();
    expect(metrics).toContain('cairn_gateway_http_requests_total');
    const own = await auth.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
    expect(own.body).toMatch(/cairn_auth_sign_ins_total\{method="oidc",outcome="ok"\} \d+/);
    expect(own.body).toMatch(/cairn_auth_sign_ins_total\{method="oidc",outcome="rejected"\} \d+/);
  });
});
