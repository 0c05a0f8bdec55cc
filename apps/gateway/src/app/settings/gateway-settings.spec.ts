import { SettingError } from '@cairn/server-runtime';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  ])('refuses %j naming the setting', (env, message) => {
    const read = () => readGatewaySettings({ CAIRN_WEB_ROOT: cwd, ...env }, cwd);
    expect(read).toThrow(SettingError);
    expect(read).toThrow(message);
  });
});
