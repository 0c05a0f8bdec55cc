import { BuiltGateway, DevCluster, kubectlOut, startBuiltGateway, waitUntil } from '@cairn/kube-testenv';
import { readFileSync } from 'node:fs';
import { ApiClient, ApiError } from './api-client';
import type { LiveListQuery } from './live-list';
import { LiveLists } from './live-lists';
import { PRINTED_CONCURRENCY, PrintedRows } from './printed-rows';
import { Permissions } from './permissions';
import { WatchStream } from './watch-stream';
import { READ_ONLY_REASON, type WatchMessage } from '@cairn/api-contracts';

/**
 * The browser's data access against the built gateway and the real control plane, with
 * Node's fetch standing in for the browser's (same API, same streams).
 */
describe('data access (built gateway, real cluster)', () => {
  let cluster: DevCluster;
  let gateway: BuiltGateway;
  let base: string;
  let aliceToken: string;
  const requests: string[] = [];

  const client = (token = aliceToken, extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) =>
    new ApiClient({
      baseUrl: base,
      headers: { authorization: `Bearer ${token}` },
      fetch: (input, init) => {
        requests.push(`${init?.method ?? 'GET'} ${String(input).replace(base, '/')}`);
        return fetch(input, init);
      },
      ...extra,
    });

  beforeAll(async () => {
    cluster = await DevCluster.start();
    aliceToken = (await cluster.login('alice')).idToken;
    gateway = await startBuiltGateway(cluster, { CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' });
    base = gateway.url;
  }, 300_000);

  afterAll(async () => {
    gateway?.stop();
    await cluster?.stop();
  });

  it('lists with the user\u2019s rights and turns refusals into errors that say why', async () => {
    const api = client();
    expect((await api.clusters()).map((c) => c.name)).toContain('cairn-dev');
    const pods = await api.list('cairn-dev', { group: 'core', version: 'v1', resource: 'pods' }, { namespace: 'team-a' });
    expect(pods.items.length).toBeGreaterThan(0);
    const refused = await api.list('cairn-dev', { group: 'core', version: 'v1', resource: 'pods' }, { namespace: 'team-b' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).forbidden).toBe(true);
    expect((refused as ApiError).message).toContain('cannot list resource "pods"');
  });

  it('asks many permission questions in one batch, and remembers the answers', async () => {
    const permissions = new Permissions(client());
    requests.length = 0;
    const answers = await Promise.all([
      permissions.can('cairn-dev', { verb: 'list', group: 'core', resource: 'pods', namespace: 'team-a' }),
      permissions.can('cairn-dev', { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team-a', name: 'web' }),
      permissions.can('cairn-dev', { verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'team-b' }),
    ]);
    expect(answers).toEqual([true, true, false]);
    // One batch of reviews, and (for the writes) the console's settings, once.
    expect([...requests].sort()).toEqual(['GET /api/v1/console-settings', 'POST /api/v1/clusters/cairn-dev/access-reviews']);
    await permissions.can('cairn-dev', { verb: 'list', group: 'core', resource: 'pods', namespace: 'team-a' });
    await permissions.can('cairn-dev', { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team-a', name: 'web' });
    expect(requests).toHaveLength(2);
  });

  it('on a read-only console, says no to every write whatever the RBAC, and yes to the reads the RBAC allows', async () => {
    const readOnly = await startBuiltGateway(cluster, { CAIRN_READ_ONLY: 'true' });
    try {
      const permissions = new Permissions(new ApiClient({ baseUrl: readOnly.url, headers: { authorization: `Bearer ${aliceToken}` } }));
      const on = { group: 'apps', resource: 'deployments', namespace: 'team-a', name: 'web' };
      const answers = await Promise.all((['get', 'list', 'watch', 'patch', 'update', 'delete', 'create'] as const).map((verb) => permissions.review('cairn-dev', { ...on, verb })));
      expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false, false, false, false]);
      expect(answers[3]?.reason).toBe(READ_ONLY_REASON);
      expect(await permissions.can('cairn-dev', { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team-a' })).toBe(false);
    } finally {
      readOnly.stop();
    }
  });

  it('follows several lists over one stream, and sees a change made through the API', async () => {
    const api = client();
    const stream = new WatchStream(api);
    const deployments = await api.list('cairn-dev', { group: 'apps', version: 'v1', resource: 'deployments' }, { namespace: 'team-a' });
    const configMaps = await api.list('cairn-dev', { group: 'core', version: 'v1', resource: 'configmaps' }, { namespace: 'team-a' });
    const seen: WatchMessage[] = [];
    const scaled = new Promise<WatchMessage>((resolve) => {
      stream.subscribe({ cluster: 'cairn-dev', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'team-a', resourceVersion: deployments.metadata.resourceVersion }, (m) => {
        seen.push(m);
        const object = m.object as { metadata: { name: string }; spec: { replicas: number } } | undefined;
        if (m.type === 'MODIFIED' && object?.metadata.name === 'web' && object.spec.replicas === 3) resolve(m);
      });
    });
    const unsubscribeConfigMaps = stream.subscribe({ cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', resourceVersion: configMaps.metadata.resourceVersion }, () => undefined);
    await api.scale('cairn-dev', { group: 'apps', version: 'v1', resource: 'deployments' }, 'web', 'team-a', 3);
    expect((await scaled).id).toBeDefined();
    // The change arrived, so the stream is open: one for both lists.
    expect(stream.openStreams).toBe(1);
    unsubscribeConfigMaps();
    stream.close();
    expect(stream.openStreams).toBe(0);
    await api.scale('cairn-dev', { group: 'apps', version: 'v1', resource: 'deployments' }, 'web', 'team-a', 2);
  });

  it('keeps a list its screen left, followed all along, and shows it again without reading it again, within its limits', async () => {
    const api = client();
    const stream = new WatchStream(api);
    const inTeamA = (resource: string, group = 'core', version = 'v1'): LiveListQuery => ({ cluster: 'cairn-dev', namespace: 'team-a', group, version, resource });
    const configMaps = inTeamA('configmaps');
    const kind = { group: 'core', version: 'v1', resource: 'configmaps' };
    const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept-list-probe', namespace: 'team-a' } };
    const lists = new LiveLists(api, stream, { lists: 2, objects: 1_000, ms: 60_000 });
    try {
      const first = lists.open(configMaps);
      await first.list.settled;
      const shown = first.list.items().length;
      first.release();
      first.release(); // twice is once
      expect(lists.kept).toBe(1);
      // Changed while no screen shows it: the kept list follows the change.
      await api.create('cairn-dev', kind, probe, { namespace: 'team-a' });
      await waitUntil('the kept list to see the new ConfigMap', async () => first.list.items().some((o) => o.metadata.name === 'kept-list-probe'), 20_000);
      requests.length = 0;
      const back = lists.open(configMaps);
      expect(back.list).toBe(first.list);
      expect(back.list.items()).toHaveLength(shown + 1);
      expect(requests.filter((r) => r.includes('/configmaps'))).toEqual([]);
      // Two screens, one list.
      const beside = lists.open(configMaps);
      expect(beside.list).toBe(first.list);
      back.release();
      expect(lists.kept).toBe(0);
      beside.release();
      // At most two kept here: a third pushes the oldest (configmaps) out, stopped.
      for (const resource of ['services', 'pods']) {
        const other = lists.open(inTeamA(resource));
        await other.list.settled;
        other.release();
      }
      expect(lists.kept).toBe(2);
      const anew = lists.open(configMaps);
      expect(anew.list).not.toBe(first.list);
      await anew.list.settled;
      anew.release();
      // A list still loading when its screen is left is stopped, not kept; so is one that failed.
      const roomy = new LiveLists(api, stream, { lists: 4, objects: 1_000, ms: 60_000 });
      const deployments = inTeamA('deployments', 'apps');
      const leftEarly = roomy.open(deployments);
      leftEarly.release();
      const teamB = { ...inTeamA('pods'), namespace: 'team-b' };
      const refused = roomy.open(teamB);
      await refused.list.settled;
      expect(refused.list.error()).toContain('cannot list');
      refused.release();
      expect(roomy.kept).toBe(0);
      expect(roomy.open(deployments).list).not.toBe(leftEarly.list);
      expect(roomy.open(teamB).list).not.toBe(refused.list);
      // Whom the tab acts as changed (a token forgotten): nothing read before is shown again,
      // and a list still shown is not shared with a screen that opens it after.
      const onScreen = lists.open(inTeamA('services'));
      await onScreen.list.settled;
      expect(lists.kept).toBe(2);
      await api.forgetToken('cairn-dev').catch(() => undefined);
      expect(lists.kept).toBe(0);
      const afterSession = lists.open(configMaps);
      expect(afterSession.list).not.toBe(anew.list);
      const besideShown = lists.open(inTeamA('services'));
      expect(besideShown.list).not.toBe(onScreen.list);
      await Promise.all([afterSession.list.settled, besideShown.list.settled]);
      onScreen.release();
      besideShown.release();
      afterSession.release();
      expect(lists.kept).toBe(2);
      // Or changed in another tab of the console (they share the session cookie): signing out there drops what this tab kept.
      const otherTab = client();
      await new Promise((resolve) => setTimeout(resolve, 100)); // its "started" reaches this tab first
      const kept = lists.open(configMaps);
      await kept.list.settled;
      kept.release();
      expect(lists.kept).toBeGreaterThan(0);
      await otherTab.signOut().catch(() => undefined);
      await waitUntil('the sign-out in the other tab to reach this one', async () => lists.kept === 0, 5_000);
      expect(lists.open(configMaps).list).not.toBe(kept.list);
      // Objects bound: a list with more objects than may be kept is stopped at once.
      const small = new LiveLists(api, stream, { lists: 4, objects: 1, ms: 60_000 });
      const big = small.open(configMaps);
      await big.list.settled;
      expect(big.list.items().length).toBeGreaterThan(1);
      big.release();
      expect(small.kept).toBe(0);
      // Time bound: gone after `ms`.
      const brief = new LiveLists(api, stream, { lists: 4, objects: 1_000, ms: 300 });
      const once = brief.open(configMaps);
      await once.list.settled;
      once.release();
      expect(brief.kept).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(brief.kept).toBe(0);
    } finally {
      lists.clear();
      await api.delete('cairn-dev', kind, 'kept-list-probe', 'team-a').catch(() => undefined);
      stream.close();
    }
  });

  it('prints a list first as kubectl get does, per namespace, all or nothing, and reads the objects after it', async () => {
    const pods = { group: 'core', version: 'v1', resource: 'pods' };
    const admin = client((await cluster.login('admin')).idToken);
    // kubectl is the oracle: NAMESPACE NAME READY STATUS, read before and after Cairn's rows with nothing changed between.
    const kubectlRows = async () => (await kubectlOut(cluster, ['get', 'pods', '-A', '--no-headers'])).trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 4).join(' ')).sort();
    let compared = false;
    for (let attempt = 0; attempt < 5 && !compared; attempt++) {
      const before = await kubectlRows();
      const printing = new PrintedRows(admin, { cluster: 'cairn-dev', namespaced: true, ...pods });
      await printing.done;
      const rows = printing.rows();
      expect(printing.skipped()).toBeUndefined();
      const after = await kubectlRows();
      if (before.join('\n') !== after.join('\n')) continue;
      expect((rows ?? []).map((r) => `${r.namespace} ${r.name} ${r.cells['Ready']} ${r.cells['Status']}`).sort()).toEqual(before);
      compared = true;
    }
    expect(compared).toBe(true);

    // One namespace: one table. alice may list team-a's pods but not the namespaces.
    requests.length = 0;
    const teamA = new PrintedRows(client(), { cluster: 'cairn-dev', namespace: 'team-a', namespaced: true, ...pods });
    await teamA.done;
    expect(requests).toEqual(['GET /api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&includeObject=None&as=Table']);
    expect(teamA.rows()?.map((r) => r.name).sort()).toEqual((await client().list('cairn-dev', pods, { namespace: 'team-a' })).items.map((p) => p.metadata.name).sort());
    expect(teamA.rows()?.every((r) => r.namespace === 'team-a')).toBe(true);
    // Across namespaces she may not list: no rows at all, and why.
    const refused = new PrintedRows(client(), { cluster: 'cairn-dev', namespaced: true, ...pods });
    await refused.done;
    expect(refused.rows()).toBeUndefined();
    expect(refused.skipped()).toContain('cannot list resource "namespaces"');
    // victor reads the namespaces but may not list secrets across the cluster, as the objects' list would: nothing printed.
    const victor = client((await cluster.login('victor')).idToken);
    const refusedKind = new PrintedRows(victor, { cluster: 'cairn-dev', namespaced: true, group: 'core', version: 'v1', resource: 'secrets' });
    await refusedKind.done;
    expect(refusedKind.rows()).toBeUndefined();
    expect(refusedKind.skipped()).toContain('cannot list resource "secrets"');
    // One namespace's table failing (a 500), or answered with something else than a Table: all or
    // nothing, and the tables not yet asked for are not asked for.
    const adminToken = (await cluster.login('admin')).idToken;
    for (const [fault, message] of [
      [() => new Response(JSON.stringify({ message: 'etcd is having a moment' }), { status: 500, headers: { 'content-type': 'application/json' } }), 'etcd is having a moment'],
      [() => new Response(JSON.stringify({ kind: 'PodList', items: [] }), { status: 200, headers: { 'content-type': 'application/json' } }), 'the cluster answered PodList where a Table was asked for'],
    ] as const) {
      const tables: string[] = [];
      const faulty = client(adminToken, {
        fetch: (input, init) => {
          const url = String(input);
          if (url.includes('includeObject=None')) tables.push(url);
          return url.includes('namespace=default&includeObject=None') ? Promise.resolve(fault()) : fetch(input, init);
        },
      });
      const partial = new PrintedRows(faulty, { cluster: 'cairn-dev', namespaced: true, ...pods });
      await partial.done;
      expect(partial.rows()).toBeUndefined();
      expect(partial.skipped()).toContain(message);
      const namespaces = (await admin.list('cairn-dev', { group: 'core', version: 'v1', resource: 'namespaces' })).items.length;
      expect(namespaces).toBeGreaterThan(PRINTED_CONCURRENCY + 2);
      expect(tables.length).toBeLessThanOrEqual(PRINTED_CONCURRENCY);
    }
    // More namespaces than the bound: not one table each, and it says which bound.
    const many = new PrintedRows(admin, { cluster: 'cairn-dev', namespaced: true, ...pods }, 3);
    await many.done;
    expect(many.rows()).toBeUndefined();
    expect(many.skipped()).toBe('more than 3 namespaces (MAX_PRINTED_NAMESPACES): one table each would be too many requests');

    // The objects' list is read only once the printed rows are in.
    requests.length = 0;
    // One client (one tab): a client started later counts as a session change (it may follow a sign-in).
    const api = client();
    const stream = new WatchStream(api);
    const lists = new LiveLists(api, stream);
    try {
      const first = new PrintedRows(api, { cluster: 'cairn-dev', namespace: 'team-a', namespaced: true, ...pods });
      const query: LiveListQuery = { cluster: 'cairn-dev', namespace: 'team-a', ...pods };
      expect(lists.has(query)).toBe(false);
      const opened = lists.open(query, undefined, first.done);
      expect(opened.list.loading()).toBe(true);
      await opened.list.settled;
      expect(requests.filter((r) => r.includes('/pods?'))).toEqual([
        'GET /api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&includeObject=None&as=Table',
        'GET /api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a',
      ]);
      expect(opened.list.items().map((p) => p.metadata.name).sort()).toEqual(first.rows()?.map((r) => r.name).sort());
      expect(lists.has(query)).toBe(true);
      opened.release();
    } finally {
      lists.clear();
      stream.close();
    }
  });

  it('tells a listener what it may not watch', async () => {
    const stream = new WatchStream(client());
    const refused = await new Promise<WatchMessage>((resolve) => stream.subscribe({ cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'secrets', namespace: 'team-b' }, resolve));
    expect(refused).toMatchObject({ type: 'ERROR', status: 403 });
    stream.close();
  });

  it('reaches a user-added cluster with the entry from the browser\u2019s store', async () => {
    // Checking a kubeconfig and using a user-added cluster are for signed-in callers only.
    await expect(new ApiClient({ baseUrl: base }).checkKubeconfig(readFileSync(cluster.info.kubeconfig, 'utf8'))).rejects.toMatchObject({ status: 401 });
    const { contexts } = await client().checkKubeconfig(readFileSync(cluster.info.kubeconfig, 'utf8'));
    const deployer = contexts.find((c) => c.name === 'cairn-dev-deployer');
    const api = client(aliceToken, { userClusters: { entry: async (name) => (name === 'user:mine' ? deployer?.entry : undefined) } });
    expect((await api.whoami('user:mine')).username).toBe('system:serviceaccount:team-a:deployer');
    await expect(api.whoami('user:gone')).rejects.toThrow('gone is no longer among your clusters; add it again.');
  });
});
