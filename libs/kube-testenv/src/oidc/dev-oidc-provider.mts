/**
 * The development OpenID Connect provider: the `oidc-provider` package behind HTTPS, with a
 * real login form, users and clients from a JSON file.
 *
 *   node libs/kube-testenv/src/oidc/dev-oidc-provider.mts <config.json>
 *
 * Node runs this file with type stripping, so it imports npm packages only and uses erasable
 * TypeScript syntax; the config interfaces repeat ./config.ts. Once listening it prints one
 * line to stdout, {"ready":true,"issuer":"https://127.0.0.1:<port>","port":<port>}; every
 * other message goes to stderr. SIGTERM or SIGINT closes the server and exits.
 *
 * Deliberate choices for a development provider:
 * - Any redirect URI (and post-logout redirect URI) on 127.0.0.1 or localhost is accepted,
 *   over http or https, on any port and path, because the console under test runs on a free
 *   port. Clients are registered with a placeholder URI and the Client model's checks are
 *   replaced. redirect_uri must always be sent.
 * - Consent is granted for every configured client without a page (they are first party).
 * - `offline_access` without a `prompt` parameter gets `prompt=consent` added, so, as with
 *   Dex or Keycloak, asking for offline_access is enough to get a refresh token.
 * - ID tokens carry all claims of the granted scopes (email, groups...), as the API server
 *   reads them from the ID token. Access tokens are JWTs for the client (see jwtAccessTokens).
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { errors, Provider } from 'oidc-provider';
import type { Account, ClientMetadata, Configuration, Grant, Interaction, KoaContextWithOIDC, ResourceServerInfo } from 'oidc-provider';

// ---------------------------------------------------------------------------------------
// Configuration (kept equal to ./config.ts)

interface DevOidcUser {
  username: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

interface DevOidcClient {
  clientId: string;
  clientSecret?: string;
}

interface DevOidcProviderConfig {
  host: string;
  port: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  idTokenTtlSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  users: DevOidcUser[];
  clients: DevOidcClient[];
  cookieKeys?: string[];
  jwtAccessTokens?: boolean;
}

const SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];
/** Claims per scope; the provider releases a claim only for a granted scope. */
const CLAIMS_BY_SCOPE: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
};
/** The resource indicator behind JWT access tokens; their audience is the client id. */
const ACCESS_TOKEN_RESOURCE = 'urn:cairn:dev-oidc:access-token';
const AUTHORIZATION_PATH = '/auth';
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?$/;
/** Registered for every client, never used: the redirect checks below replace the list. */
const PLACEHOLDER_REDIRECT_URI = 'http://127.0.0.1/oidc-callback';
const PLACEHOLDER_POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

function fail(message: string): never {
  throw new Error(`dev-oidc-provider: ${message}`);
}

function readConfig(path: string | undefined): DevOidcProviderConfig {
  if (!path) fail('usage: dev-oidc-provider.mts <config.json>');
  const config = JSON.parse(readFileSync(path, 'utf8')) as DevOidcProviderConfig;
  for (const key of ['idTokenTtlSeconds', 'accessTokenTtlSeconds', 'refreshTokenTtlSeconds'] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) fail(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(config.port) || config.port < 0) fail('port must be an integer, 0 for any free port');
  if (!config.host || !config.tlsCertFile || !config.tlsKeyFile) fail('host, tlsCertFile and tlsKeyFile are required');
  if (!config.users?.length) fail('users must not be empty');
  if (!config.clients?.length) fail('clients must not be empty');
  return config;
}

// ---------------------------------------------------------------------------------------
// Logging: stdout carries only the ready line.

function log(message: string): void {
  process.stderr.write(`dev-oidc-provider: ${message}\n`);
}
// oidc-provider prints its notices with console.info; keep them off stdout.
console.info = (...args: unknown[]) => console.error(...args);
console.log = (...args: unknown[]) => console.error(...args);

// ---------------------------------------------------------------------------------------
// Users

class Users {
  private readonly byName = new Map<string, DevOidcUser>();

  constructor(users: DevOidcUser[]) {
    for (const user of users) this.byName.set(user.username, user);
  }

  get(username: string): DevOidcUser | undefined {
    return this.byName.get(username);
  }

  /** The user when the password matches, compared in constant time. */
  authenticate(username: string, password: string): DevOidcUser | undefined {
    const user = this.byName.get(username);
    const digest = (s: string) => createHash('sha256').update(s).digest();
    const matches = timingSafeEqual(digest(user?.password ?? randomUUID()), digest(password));
    return user && matches ? user : undefined;
  }

  account(username: string): Account | undefined {
    const user = this.get(username);
    if (!user) return undefined;
    return {
      accountId: user.username,
      // The provider filters these by the granted scopes and claims.
      claims: () => ({
        sub: user.username,
        preferred_username: user.username,
        name: user.name,
        email: user.email,
        email_verified: true,
        groups: user.groups,
      }),
    };
  }
}

// ---------------------------------------------------------------------------------------
// Redirect URIs: loopback only, any port and path

function isLoopbackUrl(value: string): boolean {
  const url = URL.parse(value);
  return (
    url !== null &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    LOOPBACK_HOSTS.has(url.hostname) &&
    url.username === '' &&
    url.password === '' &&
    !value.includes('#')
  );
}

function isLoopbackOrigin(origin: string): boolean {
  return isLoopbackUrl(origin) && URL.parse(origin)?.origin === origin;
}

/** oidc-provider compares redirect URIs in Client#redirectUriAllowed; widen it to loopback. */
function allowLoopbackRedirects(provider: Provider): void {
  provider.Client.prototype.redirectUriAllowed = isLoopbackUrl;
  provider.Client.prototype.postLogoutRedirectUriAllowed = isLoopbackUrl;
}

function clientMetadata(client: DevOidcClient): ClientMetadata {
  const confidential = client.clientSecret !== undefined && client.clientSecret !== '';
  return {
    client_id: client.clientId,
    ...(confidential ? { client_secret: client.clientSecret } : {}),
    // oidc-provider accepts client_secret_post as well for a client_secret_basic client.
    token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [PLACEHOLDER_REDIRECT_URI],
    post_logout_redirect_uris: [PLACEHOLDER_POST_LOGOUT_REDIRECT_URI],
  };
}

// ---------------------------------------------------------------------------------------
// HTML

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f3f4f6; color: #111827; margin: 0; }
  main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
  label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  button { margin-top: 1.25rem; width: 100%; padding: .6rem; font-size: 1rem; cursor: pointer; }
  .secondary { margin-top: .5rem; background: none; border: 1px solid #9ca3af; }
  .error { background: #fee2e2; color: #991b1b; padding: .6rem; border-radius: 4px; }
  .muted { color: #6b7280; font-size: .85rem; }
  pre { white-space: pre-wrap; word-break: break-word; }`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const LOGIN_TITLE = 'Sign in to the Cairn dev identity provider';

function loginPage(options: { uid: string; clientId: string; username: string; error?: string }): string {
  const action = `/interaction/${encodeURIComponent(options.uid)}`;
  return page(
    LOGIN_TITLE,
    `<h1>${escapeHtml(LOGIN_TITLE)}</h1>
<p class="muted">to continue to <strong>${escapeHtml(options.clientId)}</strong></p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="username">Username</label>
<input id="username" name="username" value="${escapeHtml(options.username)}" autocomplete="username" autocapitalize="none" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(action)}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>
<p class="muted">Development identity provider. Users come from its configuration file.</p>`,
  );
}

function errorPage(title: string, details: Record<string, string>): string {
  const rows = Object.entries(details)
    .map(([key, value]) => `<pre><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</pre>`)
    .join('\n');
  return page(title, `<h1>${escapeHtml(title)}</h1>\n${rows}`);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

// ---------------------------------------------------------------------------------------
// Provider configuration

/** Grants everything the request asks for: all configured clients are first party. */
function grantRequested(grant: Grant, ctx: KoaContextWithOIDC): void {
  const { oidc } = ctx;
  const scope = [...oidc.requestParamOIDCScopes].join(' ');
  if (scope) grant.addOIDCScope(scope);
  if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
  for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
    const resourceScope = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s)).join(' ');
    if (resourceScope) grant.addResourceScope(indicator, resourceScope);
  }
}

function providerConfiguration(config: DevOidcProviderConfig, users: Users): Configuration {
  const jwtAccessTokens = config.jwtAccessTokens !== false;
  const longLived = Math.max(config.refreshTokenTtlSeconds, 24 * 3600);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const resourceServer = (clientId: string): ResourceServerInfo => ({
    scope: SCOPES.join(' '),
    audience: clientId,
    accessTokenFormat: 'jwt',
    accessTokenTTL: config.accessTokenTtlSeconds,
    jwt: { sign: { alg: 'RS256' } },
  });

  return {
    clients: config.clients.map(clientMetadata),
    jwks: { keys: [signingKey] },
    cookies: { keys: config.cookieKeys?.length ? config.cookieKeys : [randomBytes(32).toString('base64url')] },
    scopes: SCOPES,
    responseTypes: ['code'],
    claims: CLAIMS_BY_SCOPE,
    routes: { authorization: AUTHORIZATION_PATH },
    // The API server reads email and groups from the ID token.
    conformIdTokenClaims: false,
    // Never fall back to the placeholder redirect URI.
    allowOmittingSingleRegisteredRedirectUri: false,
    ttl: {
      AccessToken: config.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      ClientCredentials: config.accessTokenTtlSeconds,
      IdToken: config.idTokenTtlSeconds,
      RefreshToken: config.refreshTokenTtlSeconds,
      Interaction: 3600,
      Session: longLived,
      Grant: longLived,
    },
    findAccount: (_ctx, sub) => users.account(sub),

    // Consent without a page: extend (or create) the grant with whatever is requested.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.account) return undefined;
      const { clientId } = oidc.client;
      const { accountId } = oidc.account;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      const grant = existing && existing.accountId === accountId ? existing : new oidc.provider.Grant({ accountId, clientId });
      grantRequested(grant, ctx);
      await grant.save();
      return grant;
    },

    // JWT access tokens carry what the API server maps: email (the username) and groups.
    extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = users.get(token.accountId);
      if (!user) return undefined;
      const scopes = new Set((token.scope ?? '').split(' '));
      return {
        ...(scopes.has('profile') ? { preferred_username: user.username, name: user.name } : {}),
        ...(scopes.has('email') ? { email: user.email, email_verified: true } : {}),
        ...(scopes.has('groups') ? { groups: user.groups } : {}),
      };
    },

    clientBasedCORS: (_ctx, origin) => isLoopbackOrigin(origin),

    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage('The Cairn dev identity provider could not handle this request', out);
    },

    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        // Sign out without asking: the form is submitted by the page itself.
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page(
            'Signing out of the Cairn dev identity provider',
            `<h1>Signing out of the Cairn dev identity provider</h1>
${form}
<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<script>document.getElementById('logout').click();</script>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>Signed out</h1>\n<p>You are signed out of the Cairn dev identity provider.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? (jwtAccessTokens ? ACCESS_TOKEN_RESOURCE : undefined),
        // Keep the resource of the authorization (and so a JWT) at the token endpoint and on refresh.
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator, client) {
          if (indicator !== ACCESS_TOKEN_RESOURCE) throw new errors.InvalidTarget(`unknown resource indicator; only ${ACCESS_TOKEN_RESOURCE} exists`);
          return resourceServer(client.clientId);
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------
// Interactions: the login form, and consent granted without a page

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function finishConsent(provider: Provider, req: IncomingMessage, res: ServerResponse, details: Interaction): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = String(details.params['client_id']);
  if (!accountId) throw new Error('consent without a signed-in user');
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims?.length) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function handleInteraction(provider: Provider, users: Users, req: IncomingMessage, res: ServerResponse, uid: string, abort: boolean): Promise<void> {
  let details: Interaction;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return sendHtml(res, 400, errorPage('Sign-in session not found', { error: 'This sign-in page expired or was opened in another browser. Start again from the application.' }));
  }
  if (details.uid !== uid) {
    return sendHtml(res, 400, errorPage('Sign-in session changed', { error: 'Another sign-in started in this browser. Start again from the application.' }));
  }
  if (abort) {
    if (req.method !== 'POST') return sendHtml(res, 405, errorPage('Method not allowed', {}));
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'consent') return finishConsent(provider, req, res, details);
  if (details.prompt.name !== 'login') {
    return sendHtml(res, 400, errorPage('Unsupported interaction', { prompt: details.prompt.name }));
  }

  const clientId = String(details.params['client_id'] ?? '');
  if (req.method === 'GET') {
    const hint = details.params['login_hint'];
    return sendHtml(res, 200, loginPage({ uid, clientId, username: typeof hint === 'string' ? hint : '' }));
  }
  if (req.method !== 'POST') return sendHtml(res, 405, errorPage('Method not allowed', {}));

  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const user = users.authenticate(username, form.get('password') ?? '');
  if (!user) {
    log(`refused the password of ${JSON.stringify(username)}`);
    return sendHtml(res, 401, loginPage({ uid, clientId, username, error: 'Wrong username or password.' }));
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
}

// ---------------------------------------------------------------------------------------
// Request routing

/**
 * OpenID Connect drops offline_access unless prompt=consent is sent too. Most providers do not
 * ask for that, and consent here is automatic, so add it when the request has no prompt.
 */
function consentForOfflineAccess(req: IncomingMessage): void {
  if (req.method !== 'GET' || !req.url) return;
  const url = new URL(req.url, 'https://dev-oidc.invalid');
  if (url.pathname !== AUTHORIZATION_PATH) return;
  const params = url.searchParams;
  const scopes = (params.get('scope') ?? '').split(' ');
  if (scopes.includes('offline_access') && !params.has('prompt') && !params.has('request') && !params.has('request_uri')) {
    params.set('prompt', 'consent');
    req.url = `${url.pathname}?${params.toString()}`;
  }
}

function router(provider: Provider, users: Users) {
  const oidc = provider.callback();
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const interaction = INTERACTION_PATH.exec(path);
    if (!interaction) {
      consentForOfflineAccess(req);
      oidc(req, res);
      return;
    }
    handleInteraction(provider, users, req, res, interaction[1] ?? '', interaction[2] !== undefined).catch((error: unknown) => {
      log(`interaction failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendHtml(res, 500, errorPage('Sign-in failed', { error: 'The dev identity provider failed; see its log.' }));
      else res.end();
    });
  };
}

function logProviderErrors(provider: Provider): void {
  const describe = (error: Error & { error_description?: string }) =>
    error.error_description ? `${error.message} (${error.error_description})` : error.message;
  provider.on('server_error', (_ctx, error) => log(`server error: ${error.stack ?? error.message}`));
  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'revocation.error', 'jwks.error', 'discovery.error'] as const) {
    provider.on(event, (_ctx, error) => log(`${event}: ${describe(error)}`));
  }
}

// ---------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const config = readConfig(process.argv[2]);
  const users = new Users(config.users);

  // Listen first: the issuer URL contains the port, and port 0 picks one.
  let handle = (_req: IncomingMessage, res: ServerResponse): void => {
    res.statusCode = 503;
    res.end('starting');
  };
  const server = createServer({ cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }, (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`server: ${error.stack ?? error.message}`));
  const { port } = server.address() as AddressInfo;
  const issuer = `https://127.0.0.1:${port}`;

  const provider = new Provider(issuer, providerConfiguration(config, users));
  provider.proxy = false;
  allowLoopbackRedirects(provider);
  logProviderErrors(provider);
  handle = router(provider, users);

  const stop = (signal: string) => {
    log(`${signal}: closing`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  process.stdout.write(`${JSON.stringify({ ready: true, issuer, port })}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
