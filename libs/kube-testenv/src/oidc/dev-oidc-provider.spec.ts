/**
 * Starts the real provider process (dev-oidc-provider.mts under this Node) with a CA-signed
 * certificate and drives it over HTTPS like the console and the API server would.
 */

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { createCertificateAuthority, issueCertificate } from '../pki';
import type { DevOidcProviderConfig, DevOidcProviderReady } from './config';
import { CookieJar, discover, httpsRequest, type OidcDiscovery, passwordLogin, refreshTokens } from './password-login';

const PROVIDER = join(__dirname, 'dev-oidc-provider.mts');
const ID_TOKEN_TTL = 20;
const ACCESS_TOKEN_TTL = 120;

const alice = { username: 'alice', password: 'alice-pw', email: 'alice@cairn.test', name: 'Alice <Developer>', groups: ['team-a-devs', 'everyone'] };
const victor = { username: 'victor', password: 'victor-pw', email: 'victor@cairn.test', name: 'Victor', groups: ['auditors'] };
const cairn = { clientId: 'cairn', clientSecret: 'cairn-dev-secret' };
const kubernetes = { clientId: 'kubernetes' };

type ProviderProcess = ChildProcessByStdio<null, Readable, Readable>;

interface RunningProvider {
  child: ProviderProcess;
  ready: DevOidcProviderReady;
  stdout(): string;
}

const started: ProviderProcess[] = [];
const killAll = () => started.forEach((child) => child.kill('SIGKILL'));
process.once('exit', killAll);

function exited(child: ProviderProcess, timeoutMs: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function stopAll(): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    if ((await exited(child, 5000)) === 'timeout') child.kill('SIGKILL');
  }
}

/** Writes `config` to the temp dir and starts the provider on it; resolves at its ready line. */
function startProvider(name: string, overrides: Partial<DevOidcProviderConfig> = {}): Promise<RunningProvider> {
  const config: DevOidcProviderConfig = {
    host: '127.0.0.1',
    port: 0,
    tlsCertFile: join(dir, 'cert.pem'),
    tlsKeyFile: join(dir, 'key.pem'),
    idTokenTtlSeconds: ID_TOKEN_TTL,
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: 3600,
    users: [alice, victor],
    clients: [cairn, kubernetes],
    ...overrides,
  };
  const configFile = join(dir, `${name}.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const child = spawn(process.execPath, [PROVIDER, configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the provider did not get ready in 30 s; stderr:\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line) as DevOidcProviderReady, stdout: () => stdout });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited (${code ?? signal}) before it was ready; stderr:\n${stderr}`));
    });
  });
}

let dir: string;
let ca: string;
let provider: RunningProvider;
let ready: DevOidcProviderReady;
let discovery: OidcDiscovery;
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-dev-oidc-'));
  const authority = await createCertificateAuthority('cairn-dev-oidc-test-ca');
  const serving = await issueCertificate(authority, { commonName: 'cairn-dev-oidc', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'] });
  ca = authority.cert;
  writeFileSync(join(dir, 'cert.pem'), serving.cert);
  writeFileSync(join(dir, 'key.pem'), serving.key, { mode: 0o600 });

  provider = await startProvider('provider');
  ready = provider.ready;
  discovery = await discover(ready.issuer, ca);
  const keys = await httpsRequest(discovery.jwks_uri, { ca });
  jwks = createLocalJWKSet(JSON.parse(keys.body) as JSONWebKeySet);
}, 60_000);

afterAll(async () => {
  await stopAll();
  process.removeListener('exit', killAll);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = (jwt: string, audience: string) => jwtVerify(jwt, jwks, { issuer: ready.issuer, audience });

describe('the dev OpenID provider', () => {
  it('prints its HTTPS issuer and serves discovery for exactly that issuer', async () => {
    expect(ready.issuer).toBe(`https://127.0.0.1:${ready.port}`);
    expect(ready.port).toBeGreaterThan(0);
    expect(discovery.issuer).toBe(ready.issuer);
    expect(new URL(discovery.issuer).protocol).toBe('https:');
    for (const endpoint of [discovery.authorization_endpoint, discovery.token_endpoint, discovery.jwks_uri, discovery.userinfo_endpoint, discovery.end_session_endpoint]) {
      expect(endpoint?.startsWith(`${ready.issuer}/`)).toBe(true);
    }
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']));
    expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);
  });

  it('signs a user in with the confidential client: a signed ID token with email and groups', async () => {
    const tokens = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, username: alice.username, password: alice.password });
    const { payload, protectedHeader } = await verify(tokens.idToken, 'cairn');
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      iss: ready.issuer,
      aud: 'cairn',
      sub: 'alice',
      email: alice.email,
      email_verified: true,
      groups: alice.groups,
      name: alice.name,
      preferred_username: 'alice',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(ID_TOKEN_TTL);
    expect(tokens.tokenType).toBe('Bearer');
  });

  it('issues access tokens as JWTs for the client, signed by its keys, with the claims the API server reads (issuer, audience, email, groups)', async () => {
    const tokens = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, username: victor.username, password: victor.password });
    expect(decodeProtectedHeader(tokens.accessToken).typ).toBe('at+jwt');
    const { payload } = await verify(tokens.accessToken, 'cairn');
    expect(payload).toMatchObject({ iss: ready.issuer, aud: 'cairn', sub: 'victor', client_id: 'cairn', email: victor.email, email_verified: true, groups: victor.groups });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(ACCESS_TOKEN_TTL);
    expect(tokens.expiresIn).toBeLessThanOrEqual(ACCESS_TOKEN_TTL);
  });

  it('refuses a wrong password or an unknown user with a clear message', async () => {
    const login = (username: string, password: string) => passwordLogin({ issuer: ready.issuer, ca, ...cairn, username, password });
    await expect(login('alice', 'not-her-password')).rejects.toThrow(/refused the username\/password of "alice".*Wrong username or password/);
    await expect(login('mallory', alice.password)).rejects.toThrow(/refused the username\/password of "mallory"/);
  });

  it('gives a refresh token for offline_access, and refreshing returns a new ID token', async () => {
    const first = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, username: alice.username, password: alice.password });
    expect(first.refreshToken).toEqual(expect.any(String));
    expect(first.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access']));

    const before = (await verify(first.idToken, 'cairn')).payload;

    // ID tokens have second resolution; let one pass so the new one differs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshed = await refreshTokens({ issuer: ready.issuer, ca, ...cairn, refreshToken: first.refreshToken as string });
    expect(refreshed.idToken).not.toBe(first.idToken);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    const { payload } = await verify(refreshed.idToken, 'cairn');
    expect(payload).toMatchObject({ sub: 'alice', email: alice.email, groups: alice.groups });
    expect(payload.iat).toBeGreaterThan(before.iat ?? 0);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(ID_TOKEN_TTL);
    await verify(refreshed.accessToken, 'cairn');
  });

  it('gives a refresh token for offline_access even without prompt=consent, and none without offline_access', async () => {
    const noPrompt = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, username: alice.username, password: alice.password, prompt: null });
    expect(noPrompt.refreshToken).toEqual(expect.any(String));
    const online = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, username: alice.username, password: alice.password, scopes: ['openid', 'email', 'groups'] });
    expect(online.refreshToken).toBeUndefined();
    const { payload } = await verify(online.idToken, 'cairn');
    expect(payload['email']).toBe(alice.email);
    expect(payload['name']).toBeUndefined(); // profile was not asked for
  });

  it('serves the public kubernetes client (PKCE, no secret): audience kubernetes, rotating refresh tokens', async () => {
    const tokens = await passwordLogin({ issuer: ready.issuer, ca, ...kubernetes, redirectUri: 'http://localhost:8000', username: alice.username, password: alice.password });
    const { payload } = await verify(tokens.idToken, 'kubernetes');
    expect(payload).toMatchObject({ aud: 'kubernetes', email: alice.email, groups: alice.groups });
    await verify(tokens.accessToken, 'kubernetes');

    const refreshed = await refreshTokens({ issuer: ready.issuer, ca, ...kubernetes, refreshToken: tokens.refreshToken as string });
    expect((await verify(refreshed.idToken, 'kubernetes')).payload.sub).toBe('alice');
    expect(refreshed.refreshToken).toEqual(expect.any(String));
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
  });

  it('requires the confidential client to authenticate, with client_secret_post or client_secret_basic', async () => {
    const basic = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, tokenEndpointAuthMethod: 'client_secret_basic', username: alice.username, password: alice.password });
    expect((await verify(basic.idToken, 'cairn')).payload.sub).toBe('alice');
    await expect(passwordLogin({ issuer: ready.issuer, ca, clientId: 'cairn', clientSecret: 'wrong', username: alice.username, password: alice.password })).rejects.toThrow(
      /refused the authorization_code request: HTTP 401 invalid_client/,
    );
  });

  it('accepts any redirect URI on 127.0.0.1 or localhost', async () => {
    for (const redirectUri of ['http://127.0.0.1:41234/auth/callback', 'https://localhost:8443/deep/path/cb?tenant=a']) {
      const tokens = await passwordLogin({ issuer: ready.issuer, ca, ...cairn, redirectUri, username: alice.username, password: alice.password });
      expect((await verify(tokens.idToken, 'cairn')).payload.sub).toBe('alice');
    }
  });

  it('refuses a redirect URI on any other host', async () => {
    for (const redirectUri of ['https://console.example.com/oidc-callback', 'http://10.0.0.1:3000/cb', 'http://127.0.0.1.nip.io/cb']) {
      await expect(passwordLogin({ issuer: ready.issuer, ca, ...cairn, redirectUri, username: alice.username, password: alice.password })).rejects.toThrow(
        /HTTP 400.*redirect_uri did not match/,
      );
    }
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({ response_type: 'code', client_id: 'cairn', scope: 'openid', redirect_uri: 'https://console.example.com/cb', state: 's' }).toString();
    const res = await httpsRequest(url, { ca });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('escapes user input on the login form and answers a wrong password with 401', async () => {
    const jar = new CookieJar();
    const get = async (url: URL) => {
      const res = await httpsRequest(url, { ca, headers: { cookie: jar.header(url) ?? '' } });
      jar.store(url, res.headers['set-cookie']);
      return res;
    };
    const auth = new URL(discovery.authorization_endpoint);
    auth.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'cairn',
      scope: 'openid',
      redirect_uri: 'http://127.0.0.1:1/cb',
      state: 'xyz',
      login_hint: '"><script>alert(1)</script>',
    }).toString();
    const redirect = await get(auth);
    expect(redirect.status).toBe(303);
    const loginUrl = new URL(redirect.headers.location as string, auth);
    const page = await get(loginUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Sign in to the Cairn dev identity provider</title>');
    expect(page.body).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(page.body).not.toContain('<script>alert(1)');

    const body = new URLSearchParams({ username: '<img src=x onerror=alert(2)>', password: 'nope' }).toString();
    const refused = await httpsRequest(loginUrl, {
      ca,
      method: 'POST',
      headers: { cookie: jar.header(loginUrl) ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('Wrong username or password.');
    expect(refused.body).toContain('&#60;img src=x onerror=alert(2)&#62;');
    expect(refused.body).not.toContain('<img src=x');
  });

  it('offers RP-initiated logout back to loopback URIs only', async () => {
    const endSession = (postLogoutRedirectUri: string) => {
      const url = new URL(discovery.end_session_endpoint as string);
      url.search = new URLSearchParams({ client_id: 'cairn', post_logout_redirect_uri: postLogoutRedirectUri }).toString();
      return httpsRequest(url, { ca });
    };
    expect((await endSession('http://127.0.0.1:4200/signed-out')).status).toBe(200);
    const refused = await endSession('https://console.example.com/signed-out');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('post_logout_redirect_uri not registered');
  });

  it('keeps stdout to the ready line and exits cleanly on SIGTERM', async () => {
    expect(provider.stdout().trim().split('\n')).toEqual([JSON.stringify(ready)]);
    provider.child.kill('SIGTERM');
    expect(await exited(provider.child, 5000)).toBe(0);
  });
});

describe('the dev OpenID provider with jwtAccessTokens: false', () => {
  it('issues opaque access tokens that work at userinfo, ID tokens unchanged', async () => {
    const opaque = await startProvider('opaque', { jwtAccessTokens: false });
    const tokens = await passwordLogin({ issuer: opaque.ready.issuer, ca, ...cairn, username: alice.username, password: alice.password });
    expect(tokens.accessToken.split('.')).toHaveLength(1);
    expect(decodeJwt(tokens.idToken)).toMatchObject({ aud: 'cairn', email: alice.email, groups: alice.groups });

    const userinfo = await httpsRequest(`${opaque.ready.issuer}/me`, { ca, headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(userinfo.status).toBe(200);
    expect(JSON.parse(userinfo.body)).toEqual({ sub: 'alice', email: alice.email, email_verified: true, groups: alice.groups, name: alice.name, preferred_username: 'alice' });
  });
});
