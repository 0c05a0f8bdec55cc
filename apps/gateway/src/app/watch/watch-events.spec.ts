import { DevCluster } from '@cairn/kube-testenv';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import type { UpstreamResponse } from '../kube/http2-pool';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../gateway';
import { CLUSTER_CONNECTIONS, ClusterConnections } from '../kube/cluster-connections';
import { readGatewaySettings } from '../settings/gateway-settings';
import { gatewayAgainst, TestGateway } from '../testing/gateway-against';
import { FLOOD_EVENTS, HostileUpstream, startHostileUpstream } from '../testing/hostile-upstream';
import { openWatchTab, waitUntil, WatchTab } from '../testing/watch-tab';
import { readBuiltInEvent, serializeUpstream, WatchHub } from './watch-hub';

/**
 * The watch events the README's API table documents (`BOOKMARK`, the 401 `ERROR`, `overflow`),
 * each produced by the real control plane and read by a tab over a real socket.
 */

const SESSION_KEY = 'w'.repeat(48);
const KiB = 1024;

describe('watch events, on the real cluster', () => {
  let cluster: DevCluster;
  let dir: string;
  const gateways: NestFastifyApplication[] = [];
  let base: string;
  /** A second console that lets a tab fall at most 64 KiB behind (CAIRN_MAX_STREAM_BUFFER_BYTES). */
  let tightBase: string;
  const tokens: Record<string, string> = {};
  const tabs: WatchTab[] = [];
  let admin: ReturnType<DevCluster['adminApi']>;

  const start = async (env: Record<string, string>) => {
    const settings = readGatewaySettings(
      { KUBECONFIG: cluster.info.kubeconfig, CAIRN_WEB_ROOT: dir, CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_LOG_LEVEL: 'error', CAIRN_IN_CLUSTER: 'false', CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32', ...env },
      process.cwd(),
    );
    const gateway = await createGateway({ ...settings, port: 0 });
    await gateway.listen(0, '127.0.0.1');
    gateways.push(gateway);
    const address = gateway.getHttpServer().address();
    return { gateway, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  };

  beforeAll(async () => {
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['alice'] as const) tokens[user] = (await cluster.login(user)).idToken;
    dir = mkdtempSync(join(tmpdir(), 'cairn-watch-events-'));
    base = (await start({})).base;
    tightBase = (await start({ CAIRN_MAX_STREAM_BUFFER_BYTES: '64Ki' })).base;
  }, 300_000);

  afterEach(() => {
    for (const tab of tabs.splice(0)) tab.close();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    for (const g of gateways) await g.close();
    admin?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tab = (at: string, subscriptions: unknown[], token: string) => {
    const opened = openWatchTab(at, subscriptions, { authorization: `Bearer ${token}` });
    tabs.push(opened);
    return opened;
  };
  const listRv = async (path: string) => (await admin.get<{ metadata: { resourceVersion: string } }>(path)).metadata.resourceVersion;

  /** Keeps every upstream watch response the gateway opens, so a test can cut one as a network drop would. */
  const upstreamWatches = (gateway: NestFastifyApplication) => {
    const connections = gateway.get<ClusterConnections>(CLUSTER_CONNECTIONS);
    const original = connections.request.bind(connections);
    const opened: Array<{ path: string; res: UpstreamResponse }> = [];
    jest.spyOn(connections, 'request').mockImplementation(async (name, req) => {
      const res = await original(name, req);
      if (req.path.includes('watch=1')) opened.push({ path: req.path, res });
      return res;
    });
    return opened;
  };

  it('passes the API server\u2019s BOOKMARK to the tab, and resumes a dropped watch from it', async () => {
    const opened = upstreamWatches(gateways[0] as NestFastifyApplication);
    const rv = await listRv('/apis/apps/v1/namespaces/team-a/deployments');
    const sub = { id: 'deploys', cluster: 'cairn-dev', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'team-a', resourceVersion: rv };
    const t = tab(base, [sub], tokens['alice'] as string);
    // The API server sends a bookmark about once a minute on a watch that asked for them.
    const bookmark = await t.waitFor('a BOOKMARK', (f) => f.data.type === 'BOOKMARK', 100_000);
    expect(bookmark).toEqual({ event: 'watch', data: { id: 'deploys', type: 'BOOKMARK', resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(BigInt(bookmark.data.resourceVersion as string)).toBeGreaterThanOrEqual(BigInt(rv));

    // The connection drops: the gateway watches again from the last resourceVersion it saw.
    const before = opened.length;
    const lastSeen = [...t.frames].reverse().find((f) => f.data.resourceVersion)?.data.resourceVersion;
    opened[opened.length - 1]?.res.destroy();
    await waitUntil('the watch to be opened again', () => opened.length > before, () => opened.map((o) => o.path), 30_000);
    expect(new URLSearchParams((opened[before] as { path: string }).path.split('?')[1]).get('resourceVersion')).toBe(lastSeen);
    await admin.json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web', { metadata: { labels: { bookmarked: 'yes' } } }, 'application/merge-patch+json');
    await t.waitFor('the next change', (f) => f.data.type === 'MODIFIED' && f.data.object?.metadata.name === 'web');
    expect(t.frames.filter((f) => ['ERROR', 'RESYNC'].includes(f.data.type ?? ''))).toEqual([]);
  }, 150_000);

  it('hands the tab each object as the API server wrote it, without parsing or serialising it again', async () => {
    const name = 'verbatim-watch';
    const rv = await listRv('/api/v1/namespaces/team-a/configmaps');
    const t = tab(base, [{ id: 'cms', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', resourceVersion: rv }], tokens['alice'] as string);
    await waitUntil('the tab to be subscribed', () => t.frames.length > 0 || (gateways[0] as NestFastifyApplication).get(WatchHub).stats().subscribers > 0, () => t.frames);
    const stringify = jest.spyOn(JSON, 'stringify');
    const parse = jest.spyOn(JSON, 'parse');
    try {
      await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team-a', labels: { note: 'verbatim' } }, data: { text: 'line one\nline "two" \\ \u00e9 \u2028' } });
      const added = await t.waitFor('the ADDED event', (f) => f.data.type === 'ADDED' && f.data.object?.metadata.name === name);
      // The API server's own GET of the object at that version is what the tab got.
      const got = await admin.get<{ metadata: { resourceVersion: string } }>(`/api/v1/namespaces/team-a/configmaps/${name}`);
      expect(added.data).toEqual({ id: 'cms', type: 'ADDED', object: got, resourceVersion: got.metadata.resourceVersion });
      const restringified = stringify.mock.calls.filter(([value]) => (value as { object?: { metadata?: { name?: string } } } | null)?.object?.metadata?.name === name);
      expect(restringified).toEqual([]);
      // Nor parsed: the upstream line (the tab's own frames start with the subscription id).
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.startsWith('{"type":') && text.includes(name))).toEqual([]);
    } finally {
      stringify.mockRestore();
      parse.mockRestore();
      await admin.json('DELETE', `/api/v1/namespaces/team-a/configmaps/${name}`).catch(() => undefined);
    }
  }, 60_000);

  it('reads the real API server\u2019s event lines of built-in kinds without parsing them, exactly as parsing would; custom resources are left to the parser', async () => {
    // A watch without a resourceVersion starts with an ADDED event per object; timeoutSeconds ends it.
    const raw = async (path: string) => (await admin.send('GET', `${path}?watch=1&timeoutSeconds=1`)).body.split('\n').filter(Boolean);
    const builtIn = ['/api/v1/namespaces/team-a/pods', '/apis/apps/v1/namespaces/team-a/deployments', '/apis/apps/v1/namespaces/team-a/replicasets', '/api/v1/namespaces/team-a/configmaps', '/api/v1/namespaces/team-a/services', '/api/v1/nodes', '/api/v1/namespaces'];
    let read = 0;
    for (const path of builtIn) {
      const lines = await raw(path);
      expect({ path, lines: lines.length > 0 }).toEqual({ path, lines: true });
      for (const line of lines) {
        const parsed = JSON.parse(line) as { type: string; object: { kind: string; metadata: { resourceVersion: string } } };
        const rv = parsed.object.metadata.resourceVersion;
        expect({ path, read: readBuiltInEvent(Buffer.from(line)) }).toEqual({ path, read: { kind: parsed.object.kind, resourceVersion: rv, event: serializeUpstream(line, parsed, rv) } });
        read++;
      }
    }
    expect(read).toBeGreaterThan(20);
    for (const line of await raw('/apis/example.com/v1/namespaces/team-b/gadgets')) expect(readBuiltInEvent(Buffer.from(line))).toBeUndefined();
  });

  it('ends a tab that stopped reading with an overflow event once 64 KiB wait for it (CAIRN_MAX_STREAM_BUFFER_BYTES); the tab beside it goes on, and the dropped one resumes from its last resourceVersion', async () => {
    const hub = (gateways[1] as NestFastifyApplication).get(WatchHub);
    const rv = await listRv('/api/v1/namespaces/team-a/configmaps');
    const sub = (id: string, resourceVersion = rv) => ({ id, cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', labelSelector: 'overflow=test', resourceVersion });
    const slow = tab(tightBase, [sub('slow')], tokens['alice'] as string);
    const fast = tab(tightBase, [sub('fast')], tokens['alice'] as string);
    slow.pause();
    const counts = () => hub.stats();
    await waitUntil('both tabs to share one watch', () => counts().upstreams === 1 && counts().subscribers === 2, counts);
    const created: string[] = [];
    const make = (name: string, data: Record<string, string>) => admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team-a', labels: { overflow: 'test' } }, data });
    try {
      // Each ConfigMap is an event of about 40 KiB (less than the bound, so one event alone never
      // crosses it). The loopback socket's own buffers take a few MiB before the gateway's queue
      // for the stopped tab starts to grow.
      const filler = 'o'.repeat(40 * KiB);
      while (counts().subscribers === 2) {
        if (created.length >= 400) throw new Error(`no overflow after ${created.length} events of 40 KiB to a tab that reads nothing (${JSON.stringify(counts())})`);
        const name = `big-${created.length}`;
        await make(name, { filler });
        created.push(name);
        await fast.waitFor(name, (f) => f.data.object?.metadata.name === name);
      }
      slow.resume();
      await slow.ended;
      const last = slow.frames[slow.frames.length - 1];
      expect(last).toEqual({ event: 'overflow', data: { message: expect.stringContaining('reconnect with each subscription') } });
      // What it got before is the events in order, none twice; the reading tab was never dropped.
      const got = slow.frames.filter((f) => f.event === 'watch').map((f) => f.data.object?.metadata.name);
      expect(got).toEqual(created.slice(0, got.length));
      expect(fast.isEnded()).toBe(false);
      expect(fast.frames.filter((f) => f.event !== 'watch')).toEqual([]);
      expect(counts()).toEqual(expect.objectContaining({ upstreams: 1, subscribers: 1 }));

      // Reconnecting from its last resourceVersion, it gets what it missed and nothing twice.
      const lastRv = [...slow.frames].reverse().find((f) => f.data.resourceVersion)?.data.resourceVersion as string;
      await make('after-overflow', { small: 'yes' });
      const missed = [...created.slice(got.length), 'after-overflow'];
      const again = tab(tightBase, [sub('again', lastRv)], tokens['alice'] as string);
      await again.waitFor('after-overflow', (f) => f.data.object?.metadata.name === 'after-overflow', 30_000);
      expect(again.frames.map((f) => f.data.object?.metadata.name)).toEqual(missed);
    } finally {
      await admin.json('DELETE', '/api/v1/namespaces/team-a/configmaps?labelSelector=overflow%3Dtest');
    }
  }, 180_000);

  it('reports ERROR 401 (renew the session) once the API server no longer accepts an open watch\u2019s credential', async () => {
    const hub = (gateways[0] as NestFastifyApplication).get(WatchHub);
    // A ServiceAccount that may read team-a, and a token for it.
    await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'revoked-watcher', namespace: 'team-a' } });
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'revoked-watcher', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'revoked-watcher', namespace: 'team-a' }],
    });
    const request = await admin.json<{ status: { token: string } }>('POST', '/api/v1/namespaces/team-a/serviceaccounts/revoked-watcher/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    const token = request.status.token;
    const asServiceAccount = cluster.tokenApi(token);
    const opened = upstreamWatches(gateways[0] as NestFastifyApplication);
    try {
      const rv = await listRv('/api/v1/namespaces/team-a/configmaps');
      const t = tab(base, [{ id: 'cms', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', resourceVersion: rv }], token);
      await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before-revoke', namespace: 'team-a' } });
      await t.waitFor('a change while the token is good', (f) => f.data.object?.metadata.name === 'before-revoke');

      // The token is revoked (its ServiceAccount deleted). An open watch is not re-checked; the
      // gateway learns it when it watches again, here after the connection drops.
      await admin.json('DELETE', '/api/v1/namespaces/team-a/serviceaccounts/revoked-watcher');
      let status = 0;
      await waitUntil('the API server to refuse the token', async () => (status = (await asServiceAccount.send('GET', '/api/v1/namespaces/team-a/configmaps?limit=1')).status) === 401, () => status, 30_000);
      opened[opened.length - 1]?.res.destroy();

      const refused = await t.waitFor('ERROR 401', (f) => f.data.type === 'ERROR', 60_000);
      expect(refused).toEqual({ event: 'watch', data: { id: 'cms', type: 'ERROR', status: 401, message: expect.stringContaining('did not accept your credentials') } });
      // That watch is let go; nothing else happened on the way (no RESYNC, no other ERROR).
      await waitUntil('the upstream watch to be let go', () => hub.stats().upstreams === 0, () => hub.stats());
      expect(t.frames.filter((f) => f.data.type !== 'ADDED').map((f) => f.data.type)).toEqual(['ERROR']);
    } finally {
      asServiceAccount.close();
      await admin.json('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/revoked-watcher');
      await admin.json('DELETE', '/api/v1/namespaces/team-a/configmaps/before-revoke');
    }
  }, 120_000);
});

/** What only an API server that misbehaves on purpose sends: a 401 or a 500 inside the stream, a 410 answered to the watch itself. */
describe('watch events, from a hostile upstream', () => {
  let upstream: HostileUpstream;
  let test: TestGateway;
  const tabs: WatchTab[] = [];

  beforeAll(async () => {
    upstream = await startHostileUpstream();
    test = await gatewayAgainst(upstream, { CAIRN_LOG_LEVEL: 'error' });
  }, 60_000);

  afterEach(() => {
    for (const tab of tabs.splice(0)) tab.close();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await test?.close();
    await upstream?.stop();
  });

  const tab = (namespace: string) => {
    const opened = openWatchTab(test.base, [{ id: 'cms', cluster: 'main', group: 'core', version: 'v1', resource: 'configmaps', namespace, resourceVersion: '3' }], { authorization: 'Bearer some-token' });
    tabs.push(opened);
    return opened;
  };

  it('reports an ERROR event with a 401 Status in the upstream stream to the tab as ERROR 401 (renew the session)', async () => {
    const t = tab('revoked');
    const refused = await t.waitFor('ERROR 401', (f) => f.data.type === 'ERROR');
    expect(t.frames.map((f) => [f.data.type, f.data.object?.metadata.name ?? f.data.status])).toEqual([
      ['ADDED', 'before'],
      ['ERROR', 401],
    ]);
    expect(refused.data).toEqual({ id: 'cms', type: 'ERROR', status: 401, message: 'Unauthorized' });
  });

  // The API server's 500 when etcd times out, its 504 and 429 under load, a Status without a code:
  // as client-go, a 429 watches again from the last resourceVersion, anything else lists again;
  // either way the console's list goes on instead of ending.
  it('watches again from the last resourceVersion after an upstream ERROR event 429, and tells the tab nothing but the event', async () => {
    const t = tab('hiccup-429');
    await t.waitFor('the event after the hiccup', (f) => f.data.object?.metadata.name === 'after');
    expect(t.frames.map((f) => [f.data.type, f.data.object?.metadata.name ?? f.data.status])).toEqual([
      ['ADDED', 'before'],
      ['ADDED', 'after'],
    ]);
    const asked = upstream.requests.filter((r) => r.includes('/namespaces/hiccup-429/configmaps'));
    expect(asked).toEqual([expect.stringMatching(/watch=1.*resourceVersion=3/), expect.stringMatching(/watch=1.*resourceVersion=5/)]);
  });

  it.each(['500', '504', 'none'])('lists again after an upstream ERROR event %s (it may repeat for that resourceVersion), sends the tab a RESYNC, and watches from the list', async (code) => {
    const warned = jest.spyOn(Logger.prototype, 'warn');
    const t = tab(`hiccup-${code}`);
    const resync = await t.waitFor('a RESYNC', (f) => f.data.type === 'RESYNC');
    expect(resync.data).toEqual({ id: 'cms', type: 'RESYNC', resourceVersion: '6', items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'after' }) })] });
    const asked = () => upstream.requests.filter((r) => r.includes(`/namespaces/hiccup-${code}/configmaps`));
    await waitUntil('the watch from the list', () => asked().some((r) => /watch=1.*resourceVersion=6/.test(r)), asked);
    expect(t.frames.map((f) => f.data.type)).toEqual(['ADDED', 'RESYNC']);
    // The upstream's words go to the log on one line, at most 200 characters of them (the `none` Status sends 10 000 and a line break).
    const line = warned.mock.calls.map(([message]) => String(message)).find((m) => m.includes(`hiccup-${code}`)) ?? '';
    expect(line).toMatch(/its watch stream reported/);
    expect(line).not.toMatch(/\n/);
    expect(line.length).toBeLessThan(500);
  });

  it('stops reading a watch while its tab does not read: the burst waits in the upstream, not in the gateway, and arrives whole', async () => {
    const hub = test.gateway.get(WatchHub);
    const t = openWatchTab(test.base, [{ id: 'pods', cluster: 'main', group: 'core', version: 'v1', resource: 'pods', namespace: 'flood' }], { authorization: 'Bearer some-token' });
    tabs.push(t);
    t.pause();
    await waitUntil('the upstream to start the flood', () => upstream.floodWritten > 0, () => upstream.floodWritten);
    // A tab that reads nothing for a second (less than UPSTREAM_STALL_MS): the gateway holds about
    // a socket's high-water mark for it, and the upstream is held at what the sockets between take.
    await new Promise((r) => setTimeout(r, 1_000));
    const held = hub.stats().bufferedBytes;
    const written = upstream.floodWritten;
    expect({ held: held <= 256 * KiB, upstreamStopped: written < FLOOD_EVENTS }).toEqual({ held: true, upstreamStopped: true });
    // Without the wait it would have read the whole 20 MiB burst and queued the tab's 1 MiB (CAIRN_MAX_STREAM_BUFFER_BYTES), then dropped it.
    t.resume();
    await t.waitFor('the last event of the burst', (f) => f.data.object?.metadata.name === `p-${FLOOD_EVENTS}`, 60_000);
    const names = t.frames.filter((f) => f.event === 'watch').map((f) => f.data.object?.metadata.name);
    expect(names).toEqual(Array.from({ length: FLOOD_EVENTS }, (_, i) => `p-${i + 1}`));
    expect(t.frames.filter((f) => f.event !== 'watch')).toEqual([]);
  }, 90_000);

  it('lists again and sends a RESYNC with the whole state when the watch itself is answered 410 Gone', async () => {
    const t = tab('gone-at-open');
    const resync = await t.waitFor('a RESYNC', (f) => f.data.type === 'RESYNC');
    expect(resync.data).toEqual({ id: 'cms', type: 'RESYNC', resourceVersion: '9', items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'current' }) })] });
    expect(t.frames.filter((f) => f.data.type === 'ERROR')).toEqual([]);
    // The list was asked for after the refused watch, without its resourceVersion (the whole state).
    const asked = upstream.requests.filter((r) => r.includes('/namespaces/gone-at-open/configmaps'));
    expect(asked[0]).toMatch(/watch=1.*resourceVersion=3|resourceVersion=3.*watch=1/);
    expect(asked.find((r) => !r.includes('watch=1'))).not.toMatch(/resourceVersion=/);
  });

  it('backs off when the upstream answers 410 to every watch, instead of listing again in a tight loop', async () => {
    const t = tab('gone-at-open');
    await t.waitFor('a RESYNC', (f) => f.data.type === 'RESYNC');
    const from = upstream.requests.length;
    await new Promise((r) => setTimeout(r, 3_000));
    const asked = upstream.requests.slice(from).filter((r) => r.includes('/namespaces/gone-at-open/configmaps'));
    // Backoff 250 ms, doubling: a handful of requests in 3 s (without it: about 300).
    expect(asked.length).toBeLessThanOrEqual(12);
    expect(t.frames.filter((f) => f.data.type === 'RESYNC').length).toBeLessThanOrEqual(6);
  }, 20_000);
});
