import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CookieTooLargeError, MAX_CHUNKS, MAX_COOKIE_VALUE, Session } from '@cairn/session';
import { createAuthService } from './auth-service';
import { CookieJar } from './session/cookie-jar';
import { Sessions } from './session/sessions';
import { readAuthSettings } from './settings/auth-settings';

const KEY = 'k'.repeat(40);

describe('auth service without an OpenID provider', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createAuthService(readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_LOG_LEVEL: 'error' }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: object) =>
    app.getHttpAdapter().getInstance().inject({ method, url, headers, ...(payload ? { payload } : {}) });

  it('answers liveness, readiness and its version under /auth, the prefix the gateway forwards', async () => {
    expect((await inject('GET', '/healthz')).statusCode).toBe(200);
    expect((await inject('GET', '/readyz')).json().status).toBe('ok');
    expect((await inject('GET', '/auth/v1/version')).json()).toMatchObject({ name: 'cairn', service: 'auth-service' });
  });

  it('offers bearer tokens only, and sends /auth/login to the sign-in page', async () => {
    expect((await inject('GET', '/auth/providers')).json()).toEqual({ bearerToken: true });
    const login = await inject('GET', '/auth/login?returnTo=%2Flogs%3Fns%3Dteam-a');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/sign-in?returnTo=%2Flogs%3Fns%3Dteam-a');
  });

  it('never sends anyone back to another site after signing in', async () => {
    for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      expect((await inject('GET', `/auth/login?returnTo=${encodeURIComponent(evil)}`)).headers.location).toBe('/sign-in?returnTo=%2F');
    }
  });

  it('says who is signed in: nobody, without a cookie or with a forged one', async () => {
    expect((await inject('GET', '/auth/session')).json()).toEqual({ signedIn: false, tokens: [] });
    expect((await inject('GET', '/auth/session', { cookie: 'cairn_session=eyJhbGciOiJkaXIifQ..x.y.z' })).json()).toEqual({ signedIn: false, tokens: [] });
  });

  it('refuses a change without the console\u2019s CSRF header, and a token form that is not filled in', async () => {
    const noHeader = await inject('POST', '/auth/token', {}, { cluster: 'c', token: 't' });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().message).toContain('x-cairn-csrf: 1');
    const empty = await inject('POST', '/auth/token', { 'x-cairn-csrf': '1' }, { cluster: 'c' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toContain('kubectl create token');
    const spaces = await inject('POST', '/auth/token', { 'x-cairn-csrf': '1' }, { cluster: 'c', token: 'two words' });
    expect(spaces.json().message).toContain('token must be a bearer token: one line of printable characters without spaces');
    const userCluster = await inject('POST', '/auth/token', { 'x-cairn-csrf': '1' }, { cluster: 'user:mine', token: 'abc' });
    expect(userCluster.json().message).toContain('keeps its credentials in your browser');
  });

  it('answers the OIDC callback with a page saying there is no provider', async () => {
    const res = await inject('GET', '/oidc-callback?code=x&state=y');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('OpenID Connect is not configured');
  });

  it('publishes its metrics', async () => {
    expect((await inject('GET', '/metrics')).body).toContain('cairn_auth_service_http_requests_total');
  });
});

describe('session cookies', () => {
  const sessions = new Sessions(readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_PUBLIC_URL: 'https://console.example.com/cairn/' }));
  const withTokens = (count: number, size: number): Session => ({
    v: 1,
    issuedAt: 0,
    tokens: Object.fromEntries(Array.from({ length: count }, (_, i) => [`cluster-${i}`, { token: 'x'.repeat(size) + i, user: { name: `u${i}` } }])),
  });

  it('splits a large session into several cookies scoped to the base path, and reads it back', async () => {
    const jar = new CookieJar(undefined, { path: '/cairn', secure: true });
    await sessions.write(jar, withTokens(3, 2000));
    const lines = jar.setCookieHeaders();
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.includes('Path=/cairn; ') && l.includes('HttpOnly; SameSite=Lax; Secure'))).toBe(true);
    const back = new CookieJar(lines.map((l) => l.split(';')[0]).join('; '), { path: '/cairn', secure: true });
    expect(Object.keys((await sessions.read(back))?.tokens ?? {})).toEqual(['cluster-0', 'cluster-1', 'cluster-2']);
  });

  it('refuses a session larger than a browser keeps, writing nothing', async () => {
    const jar = new CookieJar(undefined, { path: '/cairn', secure: true });
    await expect(sessions.write(jar, withTokens(6, (MAX_CHUNKS * MAX_COOKIE_VALUE) / 5))).rejects.toThrow(CookieTooLargeError);
    expect(jar.setCookieHeaders()).toEqual([]);
  });
});
