import { readAuthSettings } from './auth-settings';

describe('readAuthSettings', () => {
  it('listens on loopback port 4467 by default', () => {
    expect(readAuthSettings({})).toEqual({ host: '127.0.0.1', port: 4467, logLevel: 'log' });
  });

  it('takes its address from CAIRN_AUTH_HOST and CAIRN_AUTH_PORT', () => {
    expect(readAuthSettings({ CAIRN_AUTH_HOST: '0.0.0.0', CAIRN_AUTH_PORT: '8081' })).toMatchObject({ host: '0.0.0.0', port: 8081 });
  });

  it('refuses a port that is not one, naming the setting', () => {
    expect(() => readAuthSettings({ CAIRN_AUTH_PORT: 'http' })).toThrow('CAIRN_AUTH_PORT: "http" is not a TCP port');
  });
});
