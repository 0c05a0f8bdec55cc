import type { FederationInfo } from '@softarc/native-federation/domain';
import { Federation, ImportMap, parseRemoteEntry } from './federation';

const angular = (packageName: string, outFileName: string, version = '22.1.8') => ({ packageName, outFileName, version, requiredVersion: version, singleton: true, strictVersion: true });

// The shell's remoteEntry.json as Native Federation builds it: shared packages, their chunks.
const shell: FederationInfo = {
  name: 'shell',
  exposes: [],
  shared: [angular('@angular/core', '_angular_core.js'), angular('@angular/router', '_angular_router.js'), { ...angular('rxjs', 'rxjs.js', '7.8.2') }],
  chunks: { 'browser-angular_core': ['chunk-CORE.js'] },
};

function started() {
  const maps: ImportMap[] = [];
  const imported: string[] = [];
  const federation = new Federation(shell, 'https://console.example/remoteEntry.json', {
    addImportMap: (map) => maps.push(map),
    importModule: (url) => (imported.push(url), Promise.resolve({ routes: [] })),
  });
  return { federation, maps, imported };
}

const workloads: FederationInfo = {
  name: 'mfe-workloads',
  exposes: [{ key: './routes', outFileName: 'routes-ABC.js' }],
  shared: [
    angular('@angular/core', '_angular_core.js', '22.0.3'),
    angular('@codemirror/view', '_codemirror_view.js', '6.43.15'),
    { ...angular('left-pad', 'left_pad.js', '1.3.0'), singleton: false },
  ],
  chunks: { 'browser-angular_core': ['chunk-CORE.js'], 'mapping-or-exposed': ['chunk-PAGE.js'] },
};

describe('Federation', () => {
  it('maps every shared package of the shell, and its chunks, for the whole page', () => {
    const { maps } = started();
    expect(maps).toEqual([
      {
        imports: {
          '@angular/core': 'https://console.example/_angular_core.js',
          '@angular/router': 'https://console.example/_angular_router.js',
          rxjs: 'https://console.example/rxjs.js',
          '@nf-internal/chunk-CORE': 'https://console.example/chunk-CORE.js',
        },
      },
    ]);
  });

  it('gives a remote the shell’s singletons (another minor too), makes a package only it brings the page’s, and keeps the rest and its chunks in its own scope', () => {
    const { federation, maps } = started();
    federation.addRemote('mfe-workloads', 'https://console.example/remotes/mfe-workloads/remoteEntry.json', workloads);
    expect(maps[1]).toEqual({
      imports: {
        '@codemirror/view': 'https://console.example/remotes/mfe-workloads/_codemirror_view.js',
        'mfe-workloads/routes': 'https://console.example/remotes/mfe-workloads/routes-ABC.js',
      },
      scopes: {
        'https://console.example/remotes/mfe-workloads/': {
          'left-pad': 'https://console.example/remotes/mfe-workloads/left_pad.js',
          '@nf-internal/chunk-CORE': 'https://console.example/remotes/mfe-workloads/chunk-CORE.js',
          '@nf-internal/chunk-PAGE': 'https://console.example/remotes/mfe-workloads/chunk-PAGE.js',
        },
      },
    });
  });

  it('lets a later remote use the build of a package an earlier remote brought, unless it needs another major of it', () => {
    const { federation, maps } = started();
    federation.addRemote('mfe-workloads', 'https://console.example/remotes/mfe-workloads/remoteEntry.json', workloads);
    const later = (version: string): FederationInfo => ({ name: 'team', exposes: [], shared: [angular('@codemirror/view', 'view.js', version)] });
    federation.addRemote('team-a', 'https://team-a.example/remoteEntry.json', later('6.40.0'));
    federation.addRemote('team-b', 'https://team-b.example/remoteEntry.json', later('7.0.0'));
    expect(maps[2]).toEqual({ imports: {} });
    expect(maps[3]).toEqual({ imports: {}, scopes: { 'https://team-b.example/': { '@codemirror/view': 'https://team-b.example/view.js' } } });
  });

  it('reads dense shared entries, and passes integrity hashes on under the URLs it maps', () => {
    const { federation, maps } = started();
    federation.addRemote('team', 'https://team.example/app/remoteEntry.json', {
      name: 'team',
      exposes: [{ key: './routes', outFileName: 'routes.js' }],
      shared: [{ packageName: 'date-fns', singleton: true, strictVersion: true, requiredVersion: '4.1.0', version: '4.1.0', entries: { 'date-fns': 'date_fns.js', 'date-fns/locale': 'date_fns_locale.js' } }],
      integrity: { 'routes.js': 'sha384-routes', 'date_fns.js': 'sha384-datefns' },
    });
    expect(maps[1]).toEqual({
      imports: { 'date-fns': 'https://team.example/app/date_fns.js', 'date-fns/locale': 'https://team.example/app/date_fns_locale.js', 'team/routes': 'https://team.example/app/routes.js' },
      integrity: { 'https://team.example/app/routes.js': 'sha384-routes', 'https://team.example/app/date_fns.js': 'sha384-datefns' },
    });
  });

  it('maps a remote once, loads its exposed module from its own folder, and says which module it does not expose', async () => {
    const { federation, maps, imported } = started();
    const entryUrl = 'https://console.example/remotes/mfe-workloads/remoteEntry.json';
    federation.addRemote('mfe-workloads', entryUrl, workloads);
    federation.addRemote('mfe-workloads', entryUrl, workloads);
    expect(maps).toHaveLength(2);
    await federation.loadRemoteModule('mfe-workloads', './routes');
    expect(imported).toEqual(['https://console.example/remotes/mfe-workloads/routes-ABC.js']);
    await expect(federation.loadRemoteModule('mfe-workloads', './pages')).rejects.toThrow('its remote entry exposes no "./pages"');
    await expect(federation.loadRemoteModule('team-costs', './routes')).rejects.toThrow('remote "team-costs" is not registered');
  });
});

describe('parseRemoteEntry', () => {
  it('fills in the lists a remote entry may leave out, and refuses what is no remote entry', () => {
    expect(parseRemoteEntry('{"name":"team"}', 'https://team.example/remoteEntry.json')).toEqual({ name: 'team', shared: [], exposes: [] });
    expect(() => parseRemoteEntry('{"shared":[]}', 'https://team.example/remoteEntry.json')).toThrow('its remote entry https://team.example/remoteEntry.json is not a Native Federation remote entry');
  });
});
