import { SettingError } from '@cairn/server-runtime';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATEWAY_LIMITS, GatewaySettings } from '../settings/gateway-settings';
import { MfeManifestService } from './mfe-manifest.service';

function settings(webRoot: string, remotesFile?: string): GatewaySettings {
  return { host: '127.0.0.1', port: 4466, logLevel: 'error', logFormat: 'text', webRoot, remotesFile, authServiceUrl: new URL('http://127.0.0.1:4467'), clusters: [], kubeconfigProblems: [], extraCa: [], insecureSkipTlsVerify: false, upstreamHttp2: true, sessionKeys: [], userRequestRate: 50, serviceAccountDir: '/nonexistent', userClusterDeny: [], anonymousUserClusters: false, sourceRequestRate: 50, limits: DEFAULT_GATEWAY_LIMITS, remotesAllowedOrigins: ['https://costs.example.net'] };
}

function builtInRemote(root: string, folder: string, name: string, description: object): void {
  const directory = join(root, folder, 'browser');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'remoteEntry.json'), JSON.stringify({ name }));
  writeFileSync(join(directory, 'mfe.json'), JSON.stringify(description));
}

describe('MfeManifestService', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cairn-manifest-'));
    mkdirSync(join(root, 'shell', 'browser'), { recursive: true });
    builtInRemote(root, 'mfe-logs', 'mfe-logs', { exposedModule: './routes', route: 'logs', label: 'Logs' });
  });

  it('lists built-in remotes first, then the ones in CAIRN_REMOTES_FILE', () => {
    const file = join(root, 'remotes.json');
    writeFileSync(file, JSON.stringify([
      { name: 'team-costs', remoteEntry: 'https://costs.example.net/remoteEntry.json', exposedModule: './routes', route: 'costs', label: 'Costs' },
    ]));
    const service = new MfeManifestService(settings(root, file));
    expect(service.manifest.remotes.map((r) => `${r.name} ${r.remoteEntry}`)).toEqual([
      'mfe-logs /remotes/mfe-logs/remoteEntry.json',
      'team-costs https://costs.example.net/remoteEntry.json',
    ]);
    expect(service.builtInRemotes.map((r) => r.folder)).toEqual(['mfe-logs']);
  });

  it('ignores build folders that are not remotes (no mfe.json), such as the shell', () => {
    expect(new MfeManifestService(settings(root)).manifest.remotes).toHaveLength(1);
  });

  it('stops start-up naming the file and entry when a listed remote is wrong', () => {
    const file = join(root, 'remotes.json');
    writeFileSync(file, JSON.stringify([{ name: 'team-logs', remoteEntry: '/x/remoteEntry.json', exposedModule: './routes', route: 'logs', label: 'Logs 2' }]));
    expect(() => new MfeManifestService(settings(root, file))).toThrow(
      new SettingError('CAIRN_REMOTES_FILE', `${file}[0]: route "logs" is already used by remote "mfe-logs"`),
    );
  });

  it('stops start-up when the remotes file is not a JSON array', () => {
    const file = join(root, 'remotes.json');
    writeFileSync(file, '{ "remotes": [] ');
    expect(() => new MfeManifestService(settings(root, file))).toThrow(/CAIRN_REMOTES_FILE: .* is not valid JSON/);
    writeFileSync(file, '{ "remotes": [] }');
    expect(() => new MfeManifestService(settings(root, file))).toThrow('must hold a JSON array of remotes');
  });

  it('admits a team\'s ConfigMap remote only from an origin the admin listed, over https, with an optional integrity hash', () => {
    const service = new MfeManifestService(settings(root));
    const remote = (remoteEntry: string, extra: object = {}) => ({ name: 'team-costs', remoteEntry, exposedModule: './routes', route: 'costs', label: 'Costs', ...extra });
    const integrity = `sha384-${'A'.repeat(64)}`;
    service.setRegisteredRemotes([{ source: 'ConfigMap cairn/ok', value: remote('https://costs.example.net/remoteEntry.json', { integrity }) }]);
    expect(service.manifest.remotes.map((r) => [r.name, r.integrity])).toEqual([['mfe-logs', undefined], ['team-costs', integrity]]);
    for (const entry of ['https://evil.example.com/remoteEntry.json', 'http://costs.example.net/remoteEntry.json', '/remotes/mfe-logs/remoteEntry.json', 'http://10.0.0.1/remoteEntry.json']) {
      service.setRegisteredRemotes([{ source: 'ConfigMap cairn/x', value: remote(entry) }]);
      expect({ entry, remotes: service.manifest.remotes.map((r) => r.name) }).toEqual({ entry, remotes: ['mfe-logs'] });
    }
    service.setRegisteredRemotes([{ source: 'ConfigMap cairn/x', value: remote('https://costs.example.net/remoteEntry.json', { integrity: 'md5-abc' }) }]);
    expect(service.manifest.remotes.map((r) => r.name)).toEqual(['mfe-logs']);
  });
});
