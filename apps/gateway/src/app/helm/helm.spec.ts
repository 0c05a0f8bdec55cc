import { gzipSync } from 'node:zlib';
import { DevCluster, helm, helmFixtureChart, helmOut, KubeApi } from '@cairn/kube-testenv';
import type { HelmHistory, HelmReleaseList, HelmRevision } from '@cairn/api-contracts';
import { MAX_HELM_RELEASES, MAX_HELM_REVISIONS } from '@cairn/api-contracts';
import { gatewayFor, TestGateway } from '../testing/gateway-against';

/**
 * Helm releases read by the gateway from Helm's own storage, compared with the real `helm`
 * binary (built from helm.sh/helm/v3 by build.sh) on releases it installed, upgraded, failed
 * and uninstalled in the dev cluster, in both of Helm's storage drivers. Broken and hostile
 * storage objects (a gzip bomb among them) are written straight to the API server.
 */

const NS = `helm-spec-${process.pid}`;
const BAD_NS = `helm-bad-${process.pid}`;
const MANY_NS = `helm-many-${process.pid}`;
const CLUSTER = 'cairn-dev';
const MiB = 1024 * 1024;

/** What `helm list -o json` prints for a release. */
interface HelmListEntry {
  name: string;
  namespace: string;
  revision: string;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
}
/** What `helm history -o json` prints for a revision. */
interface HelmHistoryEntry {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

/** Helm's time (`2026-11-29 22:40:01.123456789 +0000 UTC` in list, RFC 3339 in history) as milliseconds. */
function ms(time: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? ([+-]\d\d)(\d\d) \S+$/.exec(time);
  return m ? Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4]}:${m[5]}`) : Date.parse(time);
}

/** A Secret as Helm's secrets driver writes one, with `release` the given Helm text (base64 of gzip of JSON, or something broken). */
function releaseSecret(namespace: string, name: string, revision: number, helmText: string, type = 'helm.sh/release.v1') {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace, labels: { owner: 'helm', name, version: String(revision), status: 'deployed' } },
    data: { release: Buffer.from(helmText).toString('base64') },
  };
}
const helmText = (json: unknown) => gzipSync(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json))).toString('base64');
const tinyRelease = (name: string, namespace: string, revision: number) =>
  helmText({ name, namespace, version: revision, info: { status: 'deployed', last_deployed: new Date().toISOString(), description: 'Install complete' }, chart: { metadata: { name: 'tiny', version: '1.0.0' } }, config: {} });

describe('Helm releases (real cluster, real helm)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  const tokens: Record<string, string> = {};

  const get = async <T>(user: string, path: string): Promise<{ status: number; body: T & { message?: string } }> => {
    const res = await fetch(`${test.base}/api/v1/clusters/${CLUSTER}/${path}`, { headers: { authorization: `Bearer ${tokens[user]}` } });
    return { status: res.status, body: (await res.json()) as T & { message?: string } };
  };
  const helmJson = async <T>(args: string[], env: Record<string, string> = {}) => JSON.parse(await helmOut(cluster.info, [...args, '-o', 'json'], env)) as T;

  beforeAll(async () => {
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    for (const ns of [NS, BAD_NS, MANY_NS]) await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const chart = helmFixtureChart();
    // shop: install, an upgrade, an upgrade the API server refuses (a failed revision), all in Secrets.
    await helmOut(cluster.info, ['install', 'shop', chart, '-n', NS, '--set', 'settings.color=red']);
    await helmOut(cluster.info, ['upgrade', 'shop', chart, '-n', NS, '--reuse-values', '--set', 'settings.pageSize=30,settings.regions={ap}']);
    const failed = await helm(cluster.info, ['upgrade', 'shop', chart, '-n', NS, '--reuse-values', '--set', 'badKey=true']);
    expect(failed.code).not.toBe(0);
    // blog: in ConfigMaps (HELM_DRIVER=configmap), two revisions.
    await helmOut(cluster.info, ['install', 'blog', chart, '-n', NS, '--set', 'image.tag=2.0.0'], { HELM_DRIVER: 'configmap' });
    await helmOut(cluster.info, ['upgrade', 'blog', chart, '-n', NS, '--set', 'settings.cache=false'], { HELM_DRIVER: 'configmap' });
    // gone: uninstalled, history kept.
    await helmOut(cluster.info, ['install', 'gone', chart, '-n', NS]);
    await helmOut(cluster.info, ['uninstall', 'gone', '-n', NS, '--keep-history']);

    test = await gatewayFor(cluster.info.kubeconfig);
  }, 420_000);

  afterAll(async () => {
    await test?.close();
    admin?.close();
    await cluster?.stop();
  });

  it('lists the latest revision of each release as `helm list --all` prints it, from both storage drivers', async () => {
    const list = await get<HelmReleaseList>('admin', `helm/releases?namespace=${NS}`);
    expect(list.status).toBe(200);
    expect(list.body.truncated).toBeUndefined();
    const fromSecrets = await helmJson<HelmListEntry[]>(['list', '-n', NS, '--all']);
    const fromConfigMaps = await helmJson<HelmListEntry[]>(['list', '-n', NS, '--all'], { HELM_DRIVER: 'configmap' });
    const expected = [...fromSecrets.map((e) => ({ ...e, storage: 'secret' })), ...fromConfigMaps.map((e) => ({ ...e, storage: 'configmap' }))];
    expect(expected.map((e) => e.name).sort()).toEqual(['blog', 'gone', 'shop']);
    const shown = list.body.items.map((r) => ({
      name: r.name,
      namespace: r.namespace,
      revision: String(r.revision),
      status: r.status,
      chart: `${r.chart}-${r.chartVersion}`,
      app_version: r.appVersion,
      storage: r.storage,
      updated: ms(r.updated),
    }));
    expect(shown.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.map((e) => ({ name: e.name, namespace: e.namespace, revision: e.revision, status: e.status, chart: e.chart, app_version: e.app_version, storage: e.storage, updated: ms(e.updated) })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(shown.find((r) => r.name === 'shop')?.status).toBe('failed');
    expect(shown.find((r) => r.name === 'gone')?.status).toBe('uninstalled');
    // Across the cluster too (admin may list Secrets everywhere): the seed's release and this test's.
    const all = await get<HelmReleaseList>('admin', 'helm/releases');
    expect(all.body.items.map((r) => `${r.namespace}/${r.name}`)).toEqual(expect.arrayContaining([`${NS}/shop`, `${NS}/blog`, 'team-b/storefront']));
  });

  it('gives the history as `helm history` does, newest first, with the failed upgrade', async () => {
    const history = await get<HelmHistory>('admin', `namespaces/${NS}/helm/releases/shop`);
    expect(history.status).toBe(200);
    const helmHistory = await helmJson<HelmHistoryEntry[]>(['history', 'shop', '-n', NS]);
    expect(history.body.revisions.map((r) => ({ revision: r.revision, status: r.status, chart: `${r.chart}-${r.chartVersion}`, app_version: r.appVersion, description: r.description, updated: ms(r.updated) }))).toEqual(
      [...helmHistory].reverse().map((h) => ({ revision: h.revision, status: h.status, chart: h.chart, app_version: h.app_version, description: h.description, updated: ms(h.updated) })),
    );
    expect(history.body.revisions.map((r) => r.status)).toEqual(['failed', 'deployed', 'superseded']);
    const blog = await get<HelmHistory>('admin', `namespaces/${NS}/helm/releases/blog`);
    const blogHistory = await helmJson<HelmHistoryEntry[]>(['history', 'blog', '-n', NS], { HELM_DRIVER: 'configmap' });
    expect(blog.body.revisions.map((r) => [r.revision, r.status, r.storage])).toEqual([...blogHistory].reverse().map((h) => [h.revision, h.status, 'configmap']));
    expect((await get<HelmHistory>('admin', `namespaces/${NS}/helm/releases/nothing-here`)).status).toBe(404);
  });

  it("gives each revision's values (given and computed), manifest and notes as `helm get` prints them", async () => {
    const cases: Array<[string, number, Record<string, string>]> = [
      ['shop', 1, {}],
      ['shop', 2, {}],
      ['shop', 3, {}],
      ['blog', 1, { HELM_DRIVER: 'configmap' }],
      ['blog', 2, { HELM_DRIVER: 'configmap' }],
      ['gone', 1, {}],
    ];
    for (const [name, revision, env] of cases) {
      const rev = await get<HelmRevision>('admin', `namespaces/${NS}/helm/releases/${name}/revisions/${revision}`);
      expect(rev.status).toBe(200);
      const at = ['-n', NS, '--revision', String(revision)];
      expect(rev.body.userValues).toEqual((await helmJson<Record<string, unknown> | null>(['get', 'values', name, ...at], env)) ?? {});
      expect(rev.body.computedValues).toEqual(await helmJson(['get', 'values', name, ...at, '--all'], env));
      expect(rev.body.manifest.trim()).toBe((await helmOut(cluster.info, ['get', 'manifest', name, ...at], env)).trim());
      const notes = await helmOut(cluster.info, ['get', 'notes', name, ...at], env);
      expect(`NOTES:\n${rev.body.notes}`.trim()).toBe(notes.trim());
    }
    const two = await get<HelmRevision>('admin', `namespaces/${NS}/helm/releases/shop/revisions/2`);
    expect(two.body.computedValues).toMatchObject({ settings: { color: 'red', pageSize: 30, regions: ['ap'], cache: true } });
    expect((await get('admin', `namespaces/${NS}/helm/releases/shop/revisions/9`)).status).toBe(404);
    for (const bad of ['0', 'two', '-1', '99999999999']) {
      const refused = await get('admin', `namespaces/${NS}/helm/releases/shop/revisions/${bad}`);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('revision');
    }
  });

  it("refuses, in the API server's words, a user who may not list Secrets there, instead of an empty list", async () => {
    for (const [user, path] of [
      ['victor', `helm/releases?namespace=${NS}`],
      ['victor', 'helm/releases'],
      ['alice', `helm/releases?namespace=${NS}`],
      ['victor', `namespaces/${NS}/helm/releases/shop`],
    ] as const) {
      const refused = await get(user, path);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/secrets is forbidden: User "\w+@cairn\.test" cannot list resource "secrets"/);
    }
    // alice may in team-a: an answer, not a refusal.
    const own = await get<HelmReleaseList>('alice', 'helm/releases?namespace=team-a');
    expect(own.status).toBe(200);
    expect(Array.isArray(own.body.items)).toBe(true);
  });

  it('shows broken release data as error rows, and refuses a gzip bomb at MAX_HELM_RELEASE_BYTES without inflating it', async () => {
    const bombBytes = 600 * MiB;
    const bomb = gzipSync(Buffer.alloc(bombBytes), { level: 9 }).toString('base64');
    expect(bomb.length).toBeLessThan(MiB); // fits a Secret
    const objects = [
      releaseSecret(BAD_NS, 'not-base64', 1, '%%% not base64 %%%'),
      releaseSecret(BAD_NS, 'not-gzip', 1, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from('garbage that is not deflate')]).toString('base64')),
      releaseSecret(BAD_NS, 'not-json', 1, helmText('{"name": "not-json", ')),
      releaseSecret(BAD_NS, 'no-chart', 1, helmText({ name: 'no-chart', version: 1, info: { status: 'deployed' } })),
      releaseSecret(BAD_NS, 'wrong-type', 1, tinyRelease('wrong-type', BAD_NS, 1), 'Opaque'),
      releaseSecret(BAD_NS, 'bomb', 1, bomb),
      releaseSecret(BAD_NS, 'fine', 1, tinyRelease('fine', BAD_NS, 1)),
    ];
    for (const object of objects) await admin.create(object);

    const before = process.memoryUsage().rss;
    const started = Date.now();
    const list = await get<HelmReleaseList>('admin', `helm/releases?namespace=${BAD_NS}`);
    const grew = process.memoryUsage().rss - before;
    expect(list.status).toBe(200);
    const error = (name: string) => list.body.items.find((r) => r.name === name)?.error;
    expect(error('not-base64')).toContain('not base64');
    expect(error('not-gzip')).toContain('not valid gzip');
    expect(error('not-json')).toContain('not JSON');
    expect(error('no-chart')).toContain('chart.metadata.name');
    expect(error('wrong-type')).toContain('not helm.sh/release.v1');
    expect(error('bomb')).toContain(`inflates to more than ${8 * MiB} bytes (MAX_HELM_RELEASE_BYTES)`);
    expect(error('fine')).toBeUndefined();
    expect(list.body.items.find((r) => r.name === 'fine')).toMatchObject({ chart: 'tiny', chartVersion: '1.0.0', status: 'deployed' });
    // The gateway (this process) never held the 600 MiB.
    expect(grew).toBeLessThan(100 * MiB);
    expect(Date.now() - started).toBeLessThan(20_000);

    const one = await get('admin', `namespaces/${BAD_NS}/helm/releases/bomb/revisions/1`);
    expect(one.status).toBe(422);
    expect(one.body.message).toContain('MAX_HELM_RELEASE_BYTES');
  });

  it(`answers at most MAX_HELM_RELEASES releases and MAX_HELM_REVISIONS revisions, saying so`, async () => {
    const writes: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < MAX_HELM_RELEASES; i++) {
      const name = `r${String(i).padStart(3, '0')}`;
      writes.push(() => admin.create(releaseSecret(MANY_NS, name, 1, tinyRelease(name, MANY_NS, 1))));
    }
    for (let v = 1; v <= MAX_HELM_REVISIONS + 1; v++) writes.push(() => admin.create(releaseSecret(MANY_NS, 'long-lived', v, tinyRelease('long-lived', MANY_NS, v))));
    for (let i = 0; i < writes.length; i += 20) await Promise.all(writes.slice(i, i + 20).map((write) => write()));

    const list = await get<HelmReleaseList>('admin', `helm/releases?namespace=${MANY_NS}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(MAX_HELM_RELEASES);
    expect(list.body.truncated).toContain(`showing ${MAX_HELM_RELEASES} of ${MAX_HELM_RELEASES + 1} releases (MAX_HELM_RELEASES)`);

    const history = await get<HelmHistory>('admin', `namespaces/${MANY_NS}/helm/releases/long-lived`);
    expect(history.body.revisions).toHaveLength(MAX_HELM_REVISIONS);
    expect(history.body.revisions[0].revision).toBe(MAX_HELM_REVISIONS + 1);
    expect(history.body.truncated).toContain(`showing the newest ${MAX_HELM_REVISIONS} of ${MAX_HELM_REVISIONS + 1} revisions (MAX_HELM_REVISIONS)`);
  });
});
