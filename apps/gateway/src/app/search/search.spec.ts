import { execFile } from 'node:child_process';
import { DevCluster } from '@cairn/kube-testenv';
import type { SearchEvent } from '@cairn/api-contracts';
import { gatewayFor, TestGateway } from '../testing/gateway-against';

/**
 * Global search against the real control plane, held to kubectl: for each user, what the
 * search finds is what `kubectl get <every list-able kind> -l <selector> -o name` prints with
 * that user's token (all namespaces where they may list across the cluster, else each of the
 * namespaces the console knows for them), with the name filter applied to kubectl's output.
 */
describe('global search (real cluster)', () => {
  let cluster: DevCluster;
  let test: TestGateway;
  const tokens: Record<string, string> = {};
  let kinds: string[];
  const extra: TestGateway[] = [];

  /** Runs a search; resolves with every line once the stream ends. */
  async function search(gateway: TestGateway, user: string, q: string, clusters: unknown = [{ cluster: 'cairn-dev' }], signal?: AbortSignal) {
    const url = `${gateway.base}/api/v1/search?${new URLSearchParams({ q, clusters: JSON.stringify(clusters) })}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${tokens[user]}` }, signal });
    const text = await res.text();
    if (!res.ok) return { status: res.status, events: [] as SearchEvent[], text };
    return { status: res.status, events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SearchEvent), text };
  }

  /** kubectl's `-o name` for what a search found: `<kind>.<group>/<name>` (`pod/<name>` for the core group). */
  const asKubectlNames = (events: SearchEvent[]) =>
    events
      .flatMap((e) => (e.type === 'results' ? e.items.map((i) => `${e.kind.toLowerCase()}${e.group === 'core' ? '' : `.${e.group}`}/${i.name}`) : []))
      .sort();

  /** kubectl as `user` (their ID token, nothing of the admin's kubeconfig), answering stdout even when some kinds are refused. */
  const kubectlAs = (user: string, args: string[]) =>
    new Promise<string>((resolve) =>
      execFile(
        `${cluster.info.binDir}/kubectl`,
        ['--server', cluster.info.server, '--certificate-authority', cluster.info.caFile, '--token', tokens[user] ?? '', ...args],
        { env: { HOME: cluster.info.dir, KUBECONFIG: '/dev/null' }, maxBuffer: 64 * 1024 * 1024 },
        (_err, stdout) => resolve(stdout),
      ),
    );

  /** `kubectl get <kinds> -l selector -o name` in each scope (`-A`, or `-n ns`), the name pieces applied to its output. */
  async function kubectlNames(user: string, scopes: string[][], selector: string | undefined, pieces: string[]) {
    const out: string[] = [];
    for (const scope of scopes) {
      const text = await kubectlAs(user, ['get', kinds.join(','), ...scope, ...(selector ? ['-l', selector] : []), '-o', 'name', '--ignore-not-found']);
      out.push(...text.split('\n').filter((line) => line && pieces.every((p) => line.slice(line.indexOf('/') + 1).toLowerCase().includes(p))));
    }
    return out.sort();
  }

  beforeAll(async () => {
    cluster = await DevCluster.start();
    for (const user of ['admin', 'alice', 'victor', 'tina'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig);
    // kubectl's own discovery of what may be listed, as the admin; events left out as the search leaves them out.
    const listable = await kubectlAs('admin', ['api-resources', '--verbs=list', '-o', 'name']);
    kinds = listable.split('\n').filter((k) => k && k !== 'events' && k !== 'events.events.k8s.io');
  }, 420_000);

  afterAll(async () => {
    for (const g of extra) await g.close();
    await test?.close();
    await cluster?.stop();
  });

  const cases: Array<{ user: string; clusters: unknown; scopes: string[][] }> = [
    { user: 'admin', clusters: [{ cluster: 'cairn-dev' }], scopes: [['-A']] },
    { user: 'victor', clusters: [{ cluster: 'cairn-dev' }], scopes: [['-A']] },
    { user: 'alice', clusters: [{ cluster: 'cairn-dev', namespaces: ['team-a'] }], scopes: [['-n', 'team-a']] },
    { user: 'tina', clusters: [{ cluster: 'cairn-dev', namespaces: ['tenant-1', 'tenant-2'] }], scopes: [['-n', 'tenant-1'], ['-n', 'tenant-2']] },
  ];

  it.each(cases)('finds by label what kubectl get -l lists for $user', async ({ user, clusters, scopes }) => {
    let compared = 0;
    for (const selector of ['app.kubernetes.io/name=web', 'app.kubernetes.io/name in (shop,blog,web)', 'app.kubernetes.io/name,app.kubernetes.io/name!=web']) {
      const found = await search(test, user, selector, clusters);
      expect(found.status).toBe(200);
      expect(found.events.at(-1)).toMatchObject({ type: 'done', truncated: false });
      const expected = await kubectlNames(user, scopes, selector, []);
      expect(asKubectlNames(found.events)).toEqual(expected);
      compared += expected.length;
    }
    // Not two empty lists agreeing: every user has labelled objects to find.
    expect(compared).toBeGreaterThan(0);
  }, 120_000);

  it.each(cases)('finds by name (pieces of it, any case) what kubectl get lists for $user, and by kind', async ({ user, clusters, scopes }) => {
    const found = await search(test, user, 'WEB', clusters);
    const names = asKubectlNames(found.events);
    expect(names).toEqual(await kubectlNames(user, scopes, undefined, ['web']));
    const byKind = await search(test, user, 'kind:deploy,svc', clusters);
    const expected = (await kubectlNames(user, scopes, undefined, [])).filter((n) => n.startsWith('deployment.apps/') || n.startsWith('service/'));
    expect(expected.length).toBeGreaterThan(0);
    expect(asKubectlNames(byKind.events)).toEqual(expected);
    if (user !== 'admin') expect(found.events.find((e) => e.type === 'done')).toMatchObject({ skipped: expect.any(Number) });
  }, 120_000);

  it('skips and counts what a user may not list, and never names an object of a namespace they have no rights in', async () => {
    const victor = await search(test, 'victor', 'kind:secrets,configmaps');
    expect(victor.events).toContainEqual(expect.objectContaining({ type: 'skipped', resource: 'secrets', reason: 'forbidden' }));
    expect(victor.events.some((e) => e.type === 'results' && e.resource === 'secrets')).toBe(false);
    expect(victor.events.some((e) => e.type === 'results' && e.resource === 'configmaps')).toBe(true);

    // A tenant who cannot list namespaces, asking without and with the namespaces the console knows for them.
    const blind = await search(test, 'tina', 'kind:deploy');
    expect(blind.events.filter((e) => e.type === 'results')).toEqual([]);
    expect(blind.events.at(-1)).toMatchObject({ type: 'done', results: 0, skipped: 1 });
    const tina = await search(test, 'tina', 'kind:deploy,secrets', [{ cluster: 'cairn-dev', namespaces: ['tenant-1', 'tenant-2', 'team-a'] }]);
    const namespaces = new Set(tina.events.flatMap((e) => (e.type === 'results' ? e.items.map((i) => i.namespace) : [])));
    expect([...namespaces].sort()).toEqual(['tenant-1', 'tenant-2']);
    expect(tina.events).toContainEqual(expect.objectContaining({ type: 'skipped', resource: 'deployments', namespace: 'team-a', reason: 'forbidden' }));
    expect(tina.events).toContainEqual(expect.objectContaining({ type: 'skipped', resource: 'secrets', namespace: 'team-a', reason: 'forbidden' }));
  }, 60_000);

  it('names a kind it does not know, and a cluster it cannot search, without failing the rest', async () => {
    const found = await search(test, 'admin', 'kind:deploy,nosuchkind web', [{ cluster: 'cairn-dev' }, { cluster: 'nowhere' }]);
    expect(found.events).toContainEqual(expect.objectContaining({ type: 'cluster', cluster: 'cairn-dev', kinds: 1, unknownKinds: ['nosuchkind'] }));
    expect(found.events).toContainEqual(expect.objectContaining({ type: 'cluster-error', cluster: 'nowhere', message: expect.stringContaining('nowhere') }));
    expect(found.events).toContainEqual(expect.objectContaining({ type: 'results', resource: 'deployments', items: [{ namespace: 'team-a', name: 'web' }] }));
  }, 60_000);

  it('refuses a query it cannot run, saying why, before anything is read', async () => {
    const bad = await search(test, 'admin', 'app=-web');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('label value \\"-web\\"');
    const clusters = Array.from({ length: 11 }, (_, i) => ({ cluster: `c${i}` }));
    const many = await search(test, 'admin', 'web', clusters);
    expect(many.status).toBe(400);
    expect(many.text).toContain('at most 10 clusters');
    const anonymous = await fetch(`${test.base}/api/v1/search?q=web&clusters=${encodeURIComponent('[{"cluster":"cairn-dev"}]')}`);
    expect(anonymous.status).toBe(401);
  });

  describe('bounds', () => {
    it('stops at CAIRN_SEARCH_MAX_RESULTS objects, and says so', async () => {
      const small = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SEARCH_MAX_RESULTS: '3' });
      extra.push(small);
      const found = await search(small, 'admin', 'kind:pods');
      expect(asKubectlNames(found.events)).toHaveLength(3);
      expect(found.events).toContainEqual(expect.objectContaining({ type: 'truncated', bound: 'CAIRN_SEARCH_MAX_RESULTS', limit: 3, message: expect.stringContaining('CAIRN_SEARCH_MAX_RESULTS') }));
      expect(found.events.at(-1)).toMatchObject({ type: 'done', results: 3, truncated: true });
    }, 60_000);

    it('reads at most CAIRN_SEARCH_MAX_PAGES pages of CAIRN_SEARCH_PAGE_SIZE of a kind, and says so', async () => {
      const paged = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SEARCH_MAX_PAGES: '2', CAIRN_SEARCH_PAGE_SIZE: '1' });
      extra.push(paged);
      const found = await search(paged, 'admin', 'kind:deploy');
      expect(asKubectlNames(found.events)).toHaveLength(2);
      expect(found.events).toContainEqual(expect.objectContaining({ type: 'truncated', bound: 'CAIRN_SEARCH_MAX_PAGES', limit: 2, kind: expect.objectContaining({ resource: 'deployments' }) }));
      // Two pages of one are the first two kubectl lists (the API server's order).
      const all = (await kubectlAs('admin', ['get', 'deployments.apps', '-A', '-o', 'name'])).split('\n').filter(Boolean);
      expect(all.length).toBeGreaterThan(2);
    }, 60_000);

    it('stops at CAIRN_SEARCH_DEADLINE_SECONDS, with what it found by then', async () => {
      const slow = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SEARCH_DEADLINE_SECONDS: '1', CAIRN_SEARCH_PAGE_SIZE: '1', CAIRN_SEARCH_MAX_PAGES: '100', CAIRN_SEARCH_CONCURRENCY: '1' });
      extra.push(slow);
      const started = Date.now();
      const found = await search(slow, 'admin', 'a');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(found.events).toContainEqual(expect.objectContaining({ type: 'truncated', bound: 'CAIRN_SEARCH_DEADLINE_SECONDS', limit: 1 }));
      expect(found.events.at(-1)).toMatchObject({ type: 'done', truncated: true });
    }, 60_000);

    it('has at most CAIRN_SEARCH_CONCURRENCY lists in flight, and ends them when the browser goes away', async () => {
      // Counted at the one place every list passes: the gateway's KubeService.
      // A request budget that does not slow it down, so that the lists keep going until the browser leaves.
      const counting = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SEARCH_CONCURRENCY: '2', CAIRN_SEARCH_PAGE_SIZE: '1', CAIRN_SEARCH_MAX_PAGES: '100', CAIRN_SEARCH_DEADLINE_SECONDS: '60', CAIRN_USER_REQUEST_RATE: '100000' });
      extra.push(counting);
      const { KubeService } = await import('../kube/kube.service');
      const kube = counting.gateway.get(KubeService);
      const json = kube.json.bind(kube);
      let inFlight = 0;
      let most = 0;
      let started = 0;
      // Each list from its request until its body is read.
      kube.json = async <T>(c: string, caller: Parameters<typeof json>[1], req: Parameters<typeof json>[2]): Promise<T> => {
        const list = req.accept?.includes('PartialObjectMetadataList');
        if (list) {
          started++;
          most = Math.max(most, ++inFlight);
        }
        try {
          return await json<T>(c, caller, req);
        } finally {
          if (list) inFlight--;
        }
      };
      const abort = new AbortController();
      const res = await fetch(`${counting.base}/api/v1/search?${new URLSearchParams({ q: 'a', clusters: '[{"cluster":"cairn-dev"}]' })}`, { headers: { authorization: `Bearer ${tokens['admin']}` }, signal: abort.signal });
      let received = '';
      void (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += decoder.decode(chunk, { stream: true });
      })().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
      // Still reading, page after page, when the browser leaves.
      expect(started).toBeGreaterThan(4);
      expect(received).toContain('"type":"results"');
      expect(received).not.toContain('"type":"done"');
      abort.abort();
      await new Promise((r) => setTimeout(r, 500));
      const afterLeaving = started;
      await new Promise((r) => setTimeout(r, 1000));
      expect(most).toBe(2);
      expect(inFlight).toBe(0);
      // Nothing more is asked once the browser has gone.
      expect(started).toBe(afterLeaving);
    }, 60_000);
  });
});
