import { SettingError } from '@cairn/server-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGatewaySettings } from './gateway-settings';

describe('readGatewaySettings', () => {
  const cwd = mkdtempSync(`${tmpdir()}/cairn-cwd-`);

  it('listens on loopback port 4466 by default', () => {
    const settings = readGatewaySettings({ CAIRN_WEB_ROOT: cwd }, cwd);
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 4466, logLevel: 'log', webRoot: cwd });
    expect(settings.authServiceUrl.href).toBe('http://127.0.0.1:4467/');
  });

  it.each([
    [{ CAIRN_PORT: '44a66' }, 'CAIRN_PORT: "44a66" is not a TCP port'],
    [{ CAIRN_PORT: '70000' }, 'CAIRN_PORT: "70000" is not a TCP port'],
    [{ CAIRN_WEB_ROOT: 'no-such-dir' }, 'CAIRN_WEB_ROOT: directory'],
    [{ CAIRN_REMOTES_FILE: 'missing.json' }, 'CAIRN_REMOTES_FILE: file'],
    [{ CAIRN_AUTH_SERVICE_URL: 'auth:4467' }, 'CAIRN_AUTH_SERVICE_URL: "auth:4467" must use http or https'],
    [{ CAIRN_LOG_LEVEL: 'chatty' }, 'CAIRN_LOG_LEVEL: "chatty" is not one of error, warn, log, debug, verbose'],
    [{ CAIRN_USER_CLUSTER_DENY: '10.96.0.0/40' }, 'CAIRN_USER_CLUSTER_DENY: "10.96.0.0/40" in CAIRN_USER_CLUSTER_DENY is not an address or CIDR range'],
    [{ CAIRN_MAX_LINE_BYTES: '4MB' }, 'CAIRN_MAX_LINE_BYTES: "4MB" is not a size'],
    [{ CAIRN_MAX_STREAMS_PER_USER: '0' }, 'CAIRN_MAX_STREAMS_PER_USER: "0" is not a whole number from 1'],
    [{ CAIRN_READ_ONLY: 'yes please' }, 'CAIRN_READ_ONLY'],
    [{ CAIRN_ACCESS_HELP: 'x'.repeat(501) }, 'CAIRN_ACCESS_HELP: is 501 characters; at most 500'],
    [{ CAIRN_ACCESS_HELP: 'Ask us', CAIRN_ACCESS_HELP_URL: 'javascript:alert(1)' }, 'CAIRN_ACCESS_HELP_URL: "javascript:alert(1)" is not an https: or mailto: link'],
    [{ CAIRN_ACCESS_HELP_URL: 'https://chat.example.com' }, 'CAIRN_ACCESS_HELP_URL: needs CAIRN_ACCESS_HELP'],
  ])('refuses %j naming the setting', (env, message) => {
    const read = () => readGatewaySettings({ CAIRN_WEB_ROOT: cwd, ...env }, cwd);
    expect(read).toThrow(SettingError);
    expect(read).toThrow(message);
  });

  it('reads the read-only console and the access help line: off and none by default, 500 characters and an https: or mailto: link at most', () => {
    expect(readGatewaySettings({ CAIRN_WEB_ROOT: cwd }, cwd)).toMatchObject({ readOnly: false, accessHelp: undefined });
    expect(readGatewaySettings({ CAIRN_WEB_ROOT: cwd, CAIRN_READ_ONLY: 'true', CAIRN_ACCESS_HELP: ` ${'x'.repeat(500)} `, CAIRN_ACCESS_HELP_URL: 'mailto:platform@example.com' }, cwd)).toMatchObject({
      readOnly: true,
      accessHelp: { text: 'x'.repeat(500), link: 'mailto:platform@example.com' },
    });
  });

  it('keeps user-added clusters away from the console\'s own networks and bounds everything by default', () => {
    const settings = readGatewaySettings({ CAIRN_WEB_ROOT: cwd, CAIRN_IN_CLUSTER: 'false', KUBERNETES_SERVICE_HOST: '10.96.0.1', CAIRN_USER_CLUSTER_DENY: '10.96.0.0/12, 10.244.0.0/16', CAIRN_MAX_BODY_BYTES: '1Mi' }, cwd);
    expect(settings.userClusterAllow).toEqual(['0.0.0.0/0', '::/0']);
    expect(settings.userClusterDeny).toEqual(expect.arrayContaining(['10.96.0.0/12', '10.244.0.0/16', '10.96.0.1']));
    expect(settings.anonymousUserClusters).toBe(false);
    expect(settings.limits).toMatchObject({ bodyBytes: 1024 * 1024, lineBytes: 4 * 1024 * 1024, streamsPerUser: 20 });
  });

  it('refuses an in-cluster API server address that makes no URL, naming KUBERNETES_SERVICE_HOST', () => {
    const saDir = mkdtempSync(`${tmpdir()}/cairn-sa-`);
    writeFileSync(join(saDir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const read = () => readGatewaySettings({ CAIRN_WEB_ROOT: cwd, KUBERNETES_SERVICE_HOST: 'api server', CAIRN_SERVICE_ACCOUNT_DIR: saDir }, cwd);
    expect(read).toThrow(SettingError);
    expect(read).toThrow(`KUBERNETES_SERVICE_HOST: cluster "main" in ${saDir}: server "https://api server:443" is not a URL`);
  });

  it('stops start-up naming KUBECONFIG when client-node cannot be found to read it', () => {
    const kubeconfig = join(mkdtempSync(`${tmpdir()}/cairn-kc-`), 'config');
    writeFileSync(kubeconfig, 'clusters: []\n');
    const program = process.argv[1];
    process.argv[1] = '/nonexistent/main.js'; // where client-node is resolved from
    try {
      const read = () => readGatewaySettings({ CAIRN_WEB_ROOT: cwd, CAIRN_IN_CLUSTER: 'false', KUBECONFIG: kubeconfig }, cwd);
      expect(read).toThrow(SettingError);
      expect(read).toThrow(/^KUBECONFIG: @kubernetes\/client-node could not read the files \(.*Cannot find module '@kubernetes\/client-node'/);
    } finally {
      process.argv[1] = program;
    }
  });

  it('names the session cookie as the auth service writes it: __Host- at / over HTTPS', () => {
    const name = (env: Record<string, string>) => readGatewaySettings({ CAIRN_WEB_ROOT: cwd, CAIRN_IN_CLUSTER: 'false', ...env }, cwd).sessionCookie;
    expect(name({ CAIRN_PUBLIC_URL: 'https://cairn.example.com/' })).toBe('__Host-cairn_session');
    expect(name({ CAIRN_PUBLIC_URL: 'https://example.com/cairn/' })).toBe('cairn_session');
    expect(name({ CAIRN_PUBLIC_URL: 'http://127.0.0.1:4466', CAIRN_INSECURE_COOKIES: 'true' })).toBe('cairn_session');
    expect(name({})).toBe('cairn_session');
  });
});
