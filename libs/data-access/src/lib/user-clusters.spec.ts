import { ApiClient } from './api-client';
import { memoryUserClusterBackend, suggestUserClusterName, UserClusterStore, userClusterLabel, userClusterNameProblem } from './user-clusters';

/**
 * The browser's store of added clusters, on the in-memory backend (no IndexedDB in Node and
 * no fake-indexeddb in this workspace; the browser tests cover IndexedDB and a reload).
 */
describe('UserClusterStore', () => {
  const mine = { name: 'mine', context: 'cairn-dev', server: 'https://127.0.0.1:6443', entry: 'ENTRY-MINE' };
  const deployer = { name: 'deployer', context: 'cairn-dev-deployer', server: 'https://127.0.0.1:6443', namespace: 'team-a', entry: 'ENTRY-DEPLOYER' };

  it('adds clusters, lists them by name, and hands the gateway each one\u2019s entry', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    const heard: string[][] = [];
    store.subscribe((all) => heard.push(all.map((c) => c.name)));
    expect(await store.list()).toEqual([]);
    const added = await store.add([mine, deployer]);
    expect(added.map((c) => c.addedAt)).toEqual([expect.stringMatching(/^\d{4}-/), expect.stringMatching(/^\d{4}-/)]);
    expect((await store.list()).map((c) => c.name)).toEqual(['deployer', 'mine']);
    expect(store.current.map((c) => c.name)).toEqual(['deployer', 'mine']);
    expect(heard).toEqual([[], ['deployer', 'mine']]);
    expect(await store.entry('user:mine')).toBe('ENTRY-MINE');
    expect(await store.entry('user:nothing')).toBeUndefined();
    expect(await store.entry('mine')).toBeUndefined();
    expect(await store.clusters()).toEqual([
      { name: 'user:deployer', server: 'https://127.0.0.1:6443', source: 'kubeconfig', namespace: 'team-a' },
      { name: 'user:mine', server: 'https://127.0.0.1:6443', source: 'kubeconfig' },
    ]);
  });

  it('keeps them in the backend, so another store (a reload, another tab) finds them', async () => {
    const backend = memoryUserClusterBackend();
    await new UserClusterStore(backend).add([mine]);
    expect(await new UserClusterStore(backend).entry('user:mine')).toBe('ENTRY-MINE');
  });

  it('renames and removes, and refuses a bad or taken name without changing anything', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    await store.add([mine, deployer]);
    await expect(store.rename('mine', 'deployer')).rejects.toThrow('You already have a cluster named deployer.');
    await expect(store.rename('mine', 'has space')).rejects.toThrow('Use letters, digits');
    await expect(store.rename('gone', 'other')).rejects.toThrow('There is no cluster named gone');
    await expect(store.add([{ ...mine, name: 'fresh' }, { ...mine, name: 'fresh' }])).rejects.toThrow('You already have a cluster named fresh.');
    expect((await store.list()).map((c) => c.name)).toEqual(['deployer', 'mine']);

    const renamed = await store.rename('mine', 'dev-admin');
    expect(renamed).toMatchObject({ name: 'dev-admin', entry: 'ENTRY-MINE', context: 'cairn-dev' });
    expect(await store.entry('user:mine')).toBeUndefined();
    expect(await store.entry('user:dev-admin')).toBe('ENTRY-MINE');

    await store.remove('dev-admin');
    expect((await store.list()).map((c) => c.name)).toEqual(['deployer']);
    expect(store.current.map((c) => c.name)).toEqual(['deployer']);
  });

  it('lends a checked entry a temporary name, so the cluster can be asked before it is added', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    const cluster = store.preview('ENTRY-PREVIEW');
    expect(cluster).toMatch(/^user:\.preview-\d+$/);
    expect(await store.entry(cluster)).toBe('ENTRY-PREVIEW');
    expect(await store.list()).toEqual([]);
    store.forgetPreviews();
    expect(await store.entry(cluster)).toBeUndefined();
  });

  it('says when the browser\u2019s store cannot be read, and tries again next time', async () => {
    let fail = true;
    const backend = memoryUserClusterBackend([{ ...mine, addedAt: '2026-01-01T00:00:00.000Z' }]);
    const store = new UserClusterStore({ all: () => (fail ? Promise.reject(new Error('QuotaExceededError')) : backend.all()), write: backend.write });
    await expect(store.list()).rejects.toThrow("This browser's cluster store cannot be read: QuotaExceededError");
    fail = false;
    expect((await store.list()).map((c) => c.name)).toEqual(['mine']);
  });

  it('makes usable, unused names from kubeconfig context names', () => {
    expect(suggestUserClusterName('cairn-dev')).toBe('cairn-dev');
    expect(suggestUserClusterName('cairn-dev', ['cairn-dev', 'cairn-dev-2'])).toBe('cairn-dev-3');
    expect(suggestUserClusterName('arn:aws:eks:eu-west-1:123:cluster/prod')).toBe('arn-aws-eks-eu-west-1-123-cluster-prod');
    expect(suggestUserClusterName('@@@')).toBe('cluster');
    expect(userClusterNameProblem(suggestUserClusterName('x'.repeat(200)))).toBeUndefined();
    expect(userClusterNameProblem('')).toBe('Give it a name.');
    expect(userClusterLabel('user:mine')).toBe('mine');
    expect(userClusterLabel('cairn-dev')).toBeUndefined();
  });
});

describe('ApiClient with added clusters', () => {
  const json = (body: unknown, status = 200) =>
    ({ ok: status < 400, status, statusText: '', headers: new Headers(), json: async () => body }) as unknown as Response;

  it('lists the added clusters after the configured ones, and sends an added cluster\u2019s entry with its requests', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    await store.add([{ name: 'mine', context: 'cairn-dev', server: 'https://127.0.0.1:6443', entry: 'ENTRY-MINE' }]);
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const api = new ApiClient({
      baseUrl: 'http://cairn.test/',
      userClusters: store,
      fetch: async (input, init) => {
        seen.push({ url: String(input), headers: init?.headers as Record<string, string> });
        return String(input).endsWith('/api/v1/clusters') ? json([{ name: 'cairn-dev', source: 'kubeconfig' }]) : json({ name: 'user:mine', reachable: true, version: 'v1.36.3' });
      },
    });
    expect((await api.clusters()).map((c) => c.name)).toEqual(['cairn-dev', 'user:mine']);
    expect(await api.status('user:mine')).toMatchObject({ reachable: true });
    expect(seen[1]).toEqual({ url: 'http://cairn.test/api/v1/clusters/user%3Amine/status', headers: expect.objectContaining({ 'x-cairn-cluster': 'ENTRY-MINE' }) });
    await store.remove('mine');
    await expect(api.status('user:mine')).rejects.toThrow('mine is no longer among your clusters; add it again.');
  });

  it('still lists the configured clusters when the browser\u2019s store cannot be read', async () => {
    const store = new UserClusterStore({ all: () => Promise.reject(new Error('blocked')), write: () => Promise.resolve() });
    const api = new ApiClient({ baseUrl: 'http://cairn.test/', userClusters: store, fetch: async () => json([{ name: 'cairn-dev', source: 'kubeconfig' }]) });
    expect((await api.clusters()).map((c) => c.name)).toEqual(['cairn-dev']);
  });
});
