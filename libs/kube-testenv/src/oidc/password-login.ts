import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

/**
 * Signs a user in at an OpenID provider the way a browser does: the authorization code flow
 * with PKCE, following the provider's redirects with a small cookie jar, posting its login
 * form, and stopping at the redirect to the client's redirect URI, which is never visited.
 * Made for the dev provider (dev-oidc-provider.mts) and its login form; HTTPS only, trusting
 * only the given CA.
 */

export interface OidcTokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: string;
  scope?: string;
}

export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic';

export interface OidcClientOptions {
  /** Issuer URL, e.g. https://127.0.0.1:32000 */
  issuer: string;
  /** PEM CA certificate(s) that sign the provider's serving certificate. */
  ca: string;
  clientId: string;
  /** Set for a confidential client; public clients rely on PKCE alone. */
  clientSecret?: string;
  /** How a confidential client sends its secret. Default client_secret_post; the dev provider takes either. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
}

export interface PasswordLoginOptions extends OidcClientOptions {
  /** Default http://127.0.0.1:1/oidc-callback (never actually visited). */
  redirectUri?: string;
  username: string;
  password: string;
  /** Default openid profile email groups offline_access. */
  scopes?: string[];
  /**
   * The `prompt` parameter. By default `consent` when offline_access is requested, which
   * OpenID Connect requires for a refresh token; null sends no prompt.
   */
  prompt?: string | null;
}

export interface RefreshTokensOptions extends OidcClientOptions {
  refreshToken: string;
}

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:1/oidc-callback';
export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];

// ---------------------------------------------------------------------------------------
// HTTPS

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsRequestOptions {
  ca: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** One HTTPS request, no redirects followed, trusting only `ca`. */
export function httpsRequest(url: string | URL, options: HttpsRequestOptions): Promise<HttpsResponse> {
  const target = new URL(url);
  if (target.protocol !== 'https:') return Promise.reject(new Error(`refusing a non-HTTPS request to ${target.href}`));
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        // A fresh connection per request: no pooled sockets outlive the caller.
        agent: false,
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${options.method ?? 'GET'} ${target.href}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------------------
// Discovery

export interface OidcDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  [metadata: string]: unknown;
}

function parseJson(body: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${what} is not a JSON object: ${summarize(body)}`);
}

/** The provider's /.well-known/openid-configuration, checked to name `issuer`. */
export async function discover(issuer: string, ca: string): Promise<OidcDiscovery> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await httpsRequest(url, { ca, headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`OpenID discovery at ${url} failed: HTTP ${res.status}`);
  const metadata = parseJson(res.body, `OpenID discovery at ${url}`);
  if (metadata['issuer'] !== issuer) throw new Error(`OpenID discovery at ${url} names issuer ${String(metadata['issuer'])}, expected ${issuer}`);
  for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
    if (typeof metadata[endpoint] !== 'string') throw new Error(`OpenID discovery at ${url} lacks ${endpoint}`);
  }
  return metadata as OidcDiscovery;
}

// ---------------------------------------------------------------------------------------
// A tiny cookie jar: host-only cookies, paths, expiry. Enough for one provider.

interface StoredCookie {
  host: string;
  path: string;
  name: string;
  value: string;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(url: URL, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie: StoredCookie = { host: url.hostname, path: defaultPath(url), name: pair.slice(0, eq), value: pair.slice(eq + 1) };
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=', 2);
        const name = key.toLowerCase();
        if (name === 'path' && value.startsWith('/')) cookie.path = value;
        if (name === 'max-age' && Number(value) <= 0) expired = true;
        if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.host === cookie.host && c.path === cookie.path && c.name === cookie.name));
      if (!expired) this.cookies.push(cookie);
    }
  }

  header(url: URL): string | undefined {
    const matching = this.cookies.filter((c) => c.host === url.hostname && pathMatches(url.pathname, c.path));
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  return slash > 0 ? url.pathname.slice(0, slash) : '/';
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  return requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));
}

// ---------------------------------------------------------------------------------------
// The browser part: redirects, cookies and the login form

function summarize(html: string): string {
  const text = html
    .replace(/<(head|script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/?(strong|em|b|i|span|code)\b[^>]*>/gi, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 400 ? `${text.slice(0, 400)}...` : text;
}

/** The action of the form that has a password field, if the page has one. */
function loginFormAction(html: string): string | undefined {
  for (const form of html.match(/<form\b[\s\S]*?<\/form>/gi) ?? []) {
    if (!/name=["']?password\b/i.test(form)) continue;
    const action = /\baction=["']([^"']*)["']/i.exec(form)?.[1];
    return action === undefined ? '' : action.replace(/&amp;/g, '&').replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  }
  return undefined;
}

function alertText(html: string): string | undefined {
  const alert = /<[^>]*role=["']alert["'][^>]*>([\s\S]*?)<\//i.exec(html)?.[1];
  return alert === undefined ? undefined : summarize(alert);
}

const isRedirect = (status: number) => status >= 300 && status < 400;
const withoutQuery = (url: URL) => `${url.origin}${url.pathname}`;

interface Step {
  url: URL;
  method: 'GET' | 'POST';
  body?: string;
}

/**
 * Follows the provider from the authorization request to the redirect back to the client,
 * signing in at the login form on the way. Returns that final redirect URL, not visited.
 * Tests of a relying party (the auth service) use it as the browser's part of the flow.
 */
export async function followToRedirectUri(o: PasswordLoginOptions, authorizationUrl: URL, redirectUri: URL): Promise<URL> {
  const jar = new CookieJar();
  const providerOrigin = new URL(o.issuer).origin;
  let step: Step = { url: authorizationUrl, method: 'GET' };
  let passwordSent = false;

  for (let hop = 0; hop < 25; hop++) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(step.url);
    if (cookie) headers['cookie'] = cookie;
    if (step.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await httpsRequest(step.url, { ca: o.ca, method: step.method, headers, body: step.body });
    jar.store(step.url, res.headers['set-cookie']);

    if (isRedirect(res.status) && res.headers.location) {
      const location = new URL(res.headers.location, step.url);
      if (withoutQuery(location) === withoutQuery(redirectUri)) return location;
      if (location.origin !== providerOrigin) throw new Error(`the OpenID provider redirected to ${location.href}, which is neither itself nor the redirect URI ${redirectUri.href}`);
      step = { url: location, method: 'GET' };
      continue;
    }

    const action = loginFormAction(res.body);
    if (passwordSent && step.method === 'POST' && (res.status === 401 || res.status === 403 || action !== undefined)) {
      const message = alertText(res.body);
      throw new Error(`the OpenID provider ${o.issuer} refused the username/password of ${JSON.stringify(o.username)}${message ? `: ${message}` : ''}`);
    }
    if (res.status === 200 && action !== undefined && !passwordSent) {
      const body = new URLSearchParams({ username: o.username, password: o.password }).toString();
      step = { url: new URL(action, step.url), method: 'POST', body };
      passwordSent = true;
      continue;
    }
    throw new Error(`the OpenID provider answered ${step.method} ${withoutQuery(step.url)} with HTTP ${res.status}: ${summarize(res.body)}`);
  }
  throw new Error(`the OpenID provider ${o.issuer} redirected too many times`);
}

// ---------------------------------------------------------------------------------------
// Tokens

const randomToken = () => randomBytes(32).toString('base64url');
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

function jwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('the ID token is not a JWT');
  return parseJson(Buffer.from(payload, 'base64url').toString('utf8'), 'the ID token payload');
}

async function tokenRequest(o: OidcClientOptions, tokenEndpoint: string, params: Record<string, string>): Promise<OidcTokens> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (o.clientSecret && o.tokenEndpointAuthMethod === 'client_secret_basic') {
    headers['authorization'] = `Basic ${Buffer.from(`${formEncode(o.clientId)}:${formEncode(o.clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', o.clientId);
    if (o.clientSecret) body.set('client_secret', o.clientSecret);
  }

  const res = await httpsRequest(tokenEndpoint, { ca: o.ca, method: 'POST', headers, body: body.toString() });
  const json = parseJson(res.body, `the token endpoint's answer (HTTP ${res.status})`);
  if (res.status !== 200) {
    const description = typeof json['error_description'] === 'string' ? `: ${json['error_description']}` : '';
    throw new Error(`the token endpoint ${tokenEndpoint} refused the ${params['grant_type']} request: HTTP ${res.status} ${String(json['error'])}${description}`);
  }
  const { id_token, access_token, refresh_token, expires_in, token_type, scope } = json;
  if (typeof id_token !== 'string') throw new Error(`the token endpoint ${tokenEndpoint} returned no id_token (is "openid" among the scopes?)`);
  if (typeof access_token !== 'string' || typeof expires_in !== 'number' || typeof token_type !== 'string') {
    throw new Error(`the token endpoint ${tokenEndpoint} returned an incomplete token response`);
  }
  return {
    idToken: id_token,
    accessToken: access_token,
    refreshToken: typeof refresh_token === 'string' ? refresh_token : undefined,
    expiresIn: expires_in,
    tokenType: token_type,
    scope: typeof scope === 'string' ? scope : undefined,
  };
}

function authorizationUrl(endpoint: string, params: Record<string, string | undefined>): URL {
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

/** The code from the redirect back to the client, after checking state and issuer. */
function authorizationCode(callback: URL, state: string, issuer: string): string {
  const error = callback.searchParams.get('error');
  if (error) {
    throw new Error(`the OpenID provider ${issuer} refused the authorization request: ${error}: ${callback.searchParams.get('error_description') ?? ''}`);
  }
  if (callback.searchParams.get('state') !== state) throw new Error('the authorization response carries a different state');
  const iss = callback.searchParams.get('iss');
  if (iss !== null && iss !== issuer) throw new Error(`the authorization response comes from issuer ${iss}, expected ${issuer}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('the authorization response carries no code');
  return code;
}

/** Signs `username` in with the authorization code flow and returns the tokens. */
export async function passwordLogin(o: PasswordLoginOptions): Promise<OidcTokens> {
  const discovery = await discover(o.issuer, o.ca);
  const redirectUri = o.redirectUri ?? DEFAULT_REDIRECT_URI;
  const scopes = o.scopes ?? DEFAULT_SCOPES;
  const prompt = o.prompt === undefined ? (scopes.includes('offline_access') ? 'consent' : undefined) : (o.prompt ?? undefined);
  const state = randomToken();
  const nonce = randomToken();
  const verifier = randomToken();

  const url = authorizationUrl(discovery.authorization_endpoint, {
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
    state,
    nonce,
    prompt,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const callback = await followToRedirectUri(o, url, new URL(redirectUri));
  const code = authorizationCode(callback, state, discovery.issuer);

  const tokens = await tokenRequest(o, discovery.token_endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  if (jwtPayload(tokens.idToken)['nonce'] !== nonce) throw new Error('the ID token carries a different nonce');
  return tokens;
}

/** Trades a refresh token for new tokens (a new refresh token too, if the provider rotates). */
export async function refreshTokens(o: RefreshTokensOptions): Promise<OidcTokens> {
  const discovery = await discover(o.issuer, o.ca);
  return tokenRequest(o, discovery.token_endpoint, { grant_type: 'refresh_token', refresh_token: o.refreshToken });
}
