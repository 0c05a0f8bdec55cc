import { Environment, LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel, SettingError, SettingsReader, settingsFromFile } from '@cairn/server-runtime';
import { MIN_KEY_LENGTH } from '@cairn/session';

/** The OpenID provider and this console's client at it. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Always includes `openid`. */
  scopes: string[];
  /** Absolute URL the provider redirects back to (OIDC_CALLBACK_URL, resolved against the public URL). */
  callbackUrl: string;
  /** Send the access token (instead of the ID token) to the API servers. */
  useAccessToken: boolean;
  /** Shown on the sign-in button: "Sign in with <name>". */
  providerName: string;
}

/** What the auth service is told at start-up; read once, validated, then immutable. */
export interface AuthSettings {
  host: string;
  port: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Where people reach the console; the cookies' path is its path. */
  publicUrl: URL;
  /** False only when explicitly asked for on a plain-HTTP loopback address. */
  secureCookies: boolean;
  /** Current key first, then the previous one. */
  sessionKeys: string[];
  /** How the auth service reaches the gateway (to check bearer tokens against a cluster). */
  gatewayUrl: URL;
  /** Extra CA certificates for the OpenID provider's TLS. */
  extraCa: string[];
  /** Undefined when OIDC_ISSUER_URL is unset: only bearer-token sign-in is offered. */
  oidc?: OidcSettings;
}

/** Every setting the auth service reads; each is also a flag and a key of CAIRN_AUTH_CONFIG_FILE. */
export const AUTH_SETTING_NAMES = [
  'CAIRN_AUTH_HOST',
  'CAIRN_AUTH_PORT',
  'CAIRN_LOG_LEVEL',
  'CAIRN_LOG_FORMAT',
  'CAIRN_AUTH_CONFIG_FILE',
  'CAIRN_PUBLIC_URL',
  'CAIRN_INSECURE_COOKIES',
  'CAIRN_SESSION_KEY',
  'CAIRN_SESSION_KEY_PREVIOUS',
  'CAIRN_GATEWAY_URL',
  'CAIRN_CA_BUNDLE',
  'OIDC_ISSUER_URL',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPES',
  'OIDC_CALLBACK_URL',
  'OIDC_USE_ACCESS_TOKEN',
  'OIDC_PROVIDER_NAME',
] as const;

export const DEFAULT_SCOPES = 'openid profile email offline_access';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads the settings: flags win over the environment, which wins over CAIRN_AUTH_CONFIG_FILE
 * (a mounted YAML/JSON file with the same names, for secrets kept out of the pod spec).
 */
export function readAuthSettings(env: Environment, cwd = process.cwd()): AuthSettings {
  const file = new SettingsReader(env).optionalFile('CAIRN_AUTH_CONFIG_FILE', cwd);
  const fromFile = file ? settingsFromFile(file, 'CAIRN_AUTH_CONFIG_FILE', AUTH_SETTING_NAMES.filter((n) => n !== 'CAIRN_AUTH_CONFIG_FILE')) : {};
  const merged: Environment = { ...fromFile, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '')) };
  const read = new SettingsReader(merged);

  const publicUrl = read.url('CAIRN_PUBLIC_URL', 'http://localhost:4466');
  const insecure = read.boolean('CAIRN_INSECURE_COOKIES', false);
  const loopback = LOOPBACK.has(publicUrl.hostname);
  if (publicUrl.protocol === 'http:' && !loopback) {
    throw new SettingError('CAIRN_PUBLIC_URL', `${publicUrl.href} is plain HTTP on a non-loopback address: the session cookie must only travel over HTTPS; put the console behind TLS and give its https:// URL`);
  }
  if (insecure && !(publicUrl.protocol === 'http:' && loopback)) {
    throw new SettingError('CAIRN_INSECURE_COOKIES', `is only for a console on plain-HTTP localhost, but CAIRN_PUBLIC_URL is ${publicUrl.href}; remove it`);
  }
  const sessionKeys = read.sessionKeys('CAIRN_SESSION_KEY', 'CAIRN_SESSION_KEY_PREVIOUS', MIN_KEY_LENGTH);
  if (sessionKeys.length === 0) {
    throw new SettingError('CAIRN_SESSION_KEY', 'is required: the key that seals session cookies, the same value as the gateway\'s; generate one with: openssl rand -base64 48');
  }
  return {
    host: read.host('CAIRN_AUTH_HOST', '127.0.0.1'),
    port: read.port('CAIRN_AUTH_PORT', 4467),
    logLevel: read.oneOf('CAIRN_LOG_LEVEL', LOG_LEVELS, 'log'),
    logFormat: read.oneOf('CAIRN_LOG_FORMAT', LOG_FORMATS, 'json'),
    publicUrl,
    secureCookies: !insecure,
    sessionKeys,
    gatewayUrl: read.url('CAIRN_GATEWAY_URL', 'http://127.0.0.1:4466'),
    extraCa: read.caBundle('CAIRN_CA_BUNDLE', cwd),
    oidc: readOidc(read, publicUrl),
  };
}

function readOidc(read: SettingsReader, publicUrl: URL): OidcSettings | undefined {
  const issuerText = read.optionalString('OIDC_ISSUER_URL');
  if (!issuerText) {
    for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_CALLBACK_URL']) {
      if (read.optionalString(name)) throw new SettingError(name, 'is set but OIDC_ISSUER_URL is not; set the issuer to turn OpenID Connect sign-in on');
    }
    return undefined;
  }
  const issuer = read.url('OIDC_ISSUER_URL', '', ['https:', 'http:']);
  if (issuer.protocol === 'http:' && !LOOPBACK.has(issuer.hostname)) {
    throw new SettingError('OIDC_ISSUER_URL', `${issuer.href} is plain HTTP: tokens would travel in clear text; use the provider's https:// issuer URL`);
  }
  const clientId = read.optionalString('OIDC_CLIENT_ID');
  if (!clientId) throw new SettingError('OIDC_CLIENT_ID', 'is required with OIDC_ISSUER_URL: the client ID of Cairn at the provider');
  const clientSecret = read.optionalString('OIDC_CLIENT_SECRET');
  if (!clientSecret) throw new SettingError('OIDC_CLIENT_SECRET', 'is required with OIDC_ISSUER_URL: Cairn signs in as a confidential client; copy the secret from the provider');
  const scopes = read.string('OIDC_SCOPES', DEFAULT_SCOPES).split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid')) scopes.unshift('openid');
  // By default under the console's base path: /oidc-callback, or /cairn/oidc-callback behind a prefix.
  const callbackText = read.string('OIDC_CALLBACK_URL', 'oidc-callback');
  const base = new URL(publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`);
  let callbackUrl: URL;
  try {
    callbackUrl = new URL(callbackText, base);
  } catch {
    throw new SettingError('OIDC_CALLBACK_URL', `"${callbackText}" is neither a path nor a URL`);
  }
  return {
    // As given: discovery checks it against what the provider calls itself (a trailing slash aside).
    issuer: issuerText,
    clientId,
    clientSecret,
    scopes,
    callbackUrl: callbackUrl.href,
    useAccessToken: read.boolean('OIDC_USE_ACCESS_TOKEN', false),
    providerName: read.string('OIDC_PROVIDER_NAME', issuer.hostname),
  };
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
