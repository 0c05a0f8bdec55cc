import { checkMfeManifest, checkMfeRemote, checkMfeRemotes } from './mfe-manifest';

const workloads = {
  name: 'mfe-workloads',
  remoteEntry: '/remotes/mfe-workloads/remoteEntry.json',
  exposedModule: './routes',
  route: 'workloads',
  label: 'Workloads',
  icon: 'workloads',
};

describe('checkMfeRemote', () => {
  it('accepts a built-in remote served by the gateway', () => {
    expect(checkMfeRemote(workloads, 'built-in')).toEqual({ ok: true, remote: workloads });
  });

  it('accepts a remote served from another origin', () => {
    const check = checkMfeRemote(
      { ...workloads, name: 'team-costs', route: 'costs', remoteEntry: 'https://costs.example.net/remoteEntry.json' },
      'CAIRN_REMOTES_FILE[0]',
    );
    expect(check.ok).toBe(true);
  });

  it.each([
    [{ ...workloads, name: 'Workloads' }, '"name" must be lower-case'],
    [{ ...workloads, remoteEntry: 'ftp://x/remoteEntry.json' }, 'must use http or https'],
    [{ ...workloads, remoteEntry: '//evil.example/remoteEntry.json' }, 'must be an http(s) URL'],
    [{ ...workloads, remoteEntry: '/remotes/x/main.js' }, "must point at the remote's remoteEntry.json"],
    [{ ...workloads, exposedModule: 'routes' }, '"exposedModule" must start with "./"'],
    [{ ...workloads, route: 'a/b' }, '"route" must be one path segment'],
    [{ ...workloads, route: 'api' }, '"route" "api" is reserved'],
    [{ ...workloads, label: '' }, '"label" is required'],
    [{ ...workloads, label: 'x'.repeat(41) }, 'at most 40 characters'],
    [{ ...workloads, routes: 'workloads' }, 'unknown key(s) "routes"'],
    ['workloads', 'an entry must be an object'],
  ])('refuses %j with a message that says what is wrong', (entry, message) => {
    const check = checkMfeRemote(entry, 'CAIRN_REMOTES_FILE[1]');
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.problem.source).toBe('CAIRN_REMOTES_FILE[1]');
      expect(check.problem.message).toContain(message);
    }
  });
});

describe('checkMfeRemotes', () => {
  it('keeps the first remote that claims a name or a route and reports the later ones', () => {
    const result = checkMfeRemotes([
      { value: workloads, source: 'built-in mfe-workloads' },
      { value: { ...workloads, label: 'Mine' }, source: 'file[0]' },
      { value: { ...workloads, name: 'other', label: 'Other' }, source: 'file[1]' },
    ]);
    expect(result.remotes).toEqual([workloads]);
    expect(result.problems).toEqual([
      { source: 'file[0]', message: 'name "mfe-workloads" is already registered' },
      { source: 'file[1]', message: 'route "workloads" is already used by remote "mfe-workloads"' },
    ]);
  });
});

describe('checkMfeManifest', () => {
  it('refuses a document without a remotes array', () => {
    expect(checkMfeManifest({ remote: [] }, '/mfe-manifest.json').problems).toEqual([
      { source: '/mfe-manifest.json', message: 'the manifest must be an object with a "remotes" array' },
    ]);
  });

  it('keeps the good entries of a document and names the position of a bad one', () => {
    const result = checkMfeManifest(
      { remotes: [workloads, { ...workloads, name: 'logs', route: 'logs', exposedModule: 'x' }] },
      '/mfe-manifest.json',
    );
    expect(result.remotes.map((r) => r.name)).toEqual(['mfe-workloads']);
    expect(result.problems[0].source).toBe('/mfe-manifest.json remotes[1]');
  });
});
