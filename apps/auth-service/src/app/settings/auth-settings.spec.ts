import { flagsToEnvironment } from '@cairn/server-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_SETTING_NAMES, readAuthSettings } from './auth-settings';

const KEY = 'k'.repeat(40);
const OIDC = { OIDC_ISSUER_URL: 'https://id.example.com/realms/main', OIDC_CLIENT_ID: 'cairn', OIDC_CLIENT_SECRET: 's3cret' };

describe('readAuthSettings', () => {
  it('listens on loopback port 4467 and offers bearer tokens only when no issuer is set', () => {
    const settings = readAuthSettings({ CAIRN_SESSION_KEY: KEY });
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 4467, logLevel: 'log', logFormat: 'json', secureCookies: true, sessionKeys: [KEY] });
    expect(settings.oidc).toBeUndefined();
    expect(settings.publicUrl.href).toBe('http://localhost:4466/');
  });

  it('takes its address from CAIRN_AUTH_HOST and CAIRN_AUTH_PORT, and refuses a port that is not one', () => {
    expect(readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_AUTH_HOST: '0.0.0.0', CAIRN_AUTH_PORT: '8081' })).toMatchObject({ host: '0.0.0.0', port: 8081 });
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_AUTH_PORT: 'http' })).toThrow('CAIRN_AUTH_PORT: "http" is not a TCP port');
  });

  it('needs a session key long enough, and the previous one only next to a current one', () => {
    expect(() => readAuthSettings({})).toThrow('CAIRN_SESSION_KEY: is required');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: 'short' })).toThrow('CAIRN_SESSION_KEY: must be at least 32 characters');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY_PREVIOUS: KEY })).toThrow('CAIRN_SESSION_KEY_PREVIOUS: is set but CAIRN_SESSION_KEY is not');
    expect(readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_SESSION_KEY_PREVIOUS: 'p'.repeat(32) }).sessionKeys).toEqual([KEY, 'p'.repeat(32)]);
  });

  it('reads the OpenID client: scopes comma or space separated, callback resolved against the public URL', () => {
    const settings = readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_PUBLIC_URL: 'https://console.example.com/cairn/', ...OIDC, OIDC_SCOPES: 'profile, email groups' });
    expect(settings.oidc).toEqual({
      issuer: 'https://id.example.com/realms/main',
      clientId: 'cairn',
      clientSecret: 's3cret',
      scopes: ['openid', 'profile', 'email', 'groups'],
      callbackUrl: 'https://console.example.com/cairn/oidc-callback',
      useAccessToken: false,
      providerName: 'id.example.com',
    });
    expect(readAuthSettings({ CAIRN_SESSION_KEY: KEY, ...OIDC, OIDC_CALLBACK_URL: '/callback', CAIRN_PUBLIC_URL: 'https://console.example.com/cairn/' }).oidc?.callbackUrl).toBe(
      'https://console.example.com/callback',
    );
  });

  it('says which OIDC setting is missing or wrong', () => {
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, OIDC_ISSUER_URL: 'https://id.example.com' })).toThrow('OIDC_CLIENT_ID: is required with OIDC_ISSUER_URL');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, OIDC_CLIENT_ID: 'cairn' })).toThrow('OIDC_CLIENT_ID: is set but OIDC_ISSUER_URL is not');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, ...OIDC, OIDC_ISSUER_URL: 'http://id.example.com' })).toThrow('OIDC_ISSUER_URL: http://id.example.com/ is plain HTTP');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, ...OIDC, OIDC_USE_ACCESS_TOKEN: 'maybe' })).toThrow('OIDC_USE_ACCESS_TOKEN: "maybe" is not a boolean');
  });

  it('sends cookies without Secure only when asked to, on plain-HTTP localhost', () => {
    expect(readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_INSECURE_COOKIES: 'true' }).secureCookies).toBe(false);
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_INSECURE_COOKIES: 'true', CAIRN_PUBLIC_URL: 'https://console.example.com' })).toThrow('CAIRN_INSECURE_COOKIES: is only for a console on plain-HTTP localhost');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_PUBLIC_URL: 'http://console.example.com' })).toThrow('CAIRN_PUBLIC_URL: http://console.example.com/ is plain HTTP on a non-loopback address');
  });

  it('reads a mounted settings file; the environment wins over it; unknown keys are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-auth-'));
    const file = join(dir, 'auth.yaml');
    writeFileSync(file, 'OIDC_ISSUER_URL: https://id.example.com\nOIDC_CLIENT_ID: from-file\nOIDC_CLIENT_SECRET: file-secret\nOIDC_USE_ACCESS_TOKEN: true\n');
    const settings = readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_AUTH_CONFIG_FILE: file, OIDC_CLIENT_ID: 'from-env' });
    expect(settings.oidc).toMatchObject({ clientId: 'from-env', clientSecret: 'file-secret', useAccessToken: true });
    writeFileSync(file, 'OIDC_CLIENT_SECRETS: typo\n');
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_AUTH_CONFIG_FILE: file })).toThrow(`CAIRN_AUTH_CONFIG_FILE: ${file}: "OIDC_CLIENT_SECRETS" is not a setting of this service`);
    expect(() => readAuthSettings({ CAIRN_SESSION_KEY: KEY, CAIRN_AUTH_CONFIG_FILE: join(dir, 'missing.yaml') })).toThrow('CAIRN_AUTH_CONFIG_FILE: file');
  });

  it('takes every setting as a flag too', () => {
    const env = flagsToEnvironment(['--oidc-issuer-url=https://id.example.com', '--oidc-client-id', 'cairn', '--oidc-client-secret=x', '--auth-port=9000'], AUTH_SETTING_NAMES);
    expect(readAuthSettings({ CAIRN_SESSION_KEY: KEY, ...env })).toMatchObject({ port: 9000, oidc: { issuer: 'https://id.example.com', clientId: 'cairn' } });
  });
});
