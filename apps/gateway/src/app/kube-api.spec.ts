import { DevCluster, freePort, kubectlOut } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createGateway } from './gateway';
import { WatchHub } from './watch/watch-hub';
import { DiscoveryService } from './resources/discovery.service';
import { AddressPolicy } from './clusters/address-policy';
import { encodeUserCluster } from './clusters/user-clusters';
import { CLUSTER_CONNECTIONS, ClusterConnections } from './kube/cluster-connections';
import { readFileSync } from 'node:fs';
import { readGatewaySettings } from './settings/gateway-settings';

/**
 * The gateway's Kubernetes API against the real control plane: every answer below is the
 * API server's own decision for the user's own token.
 */

const SESSION_KEY = 'k'.repeat(48);

describe('gateway Kubernetes API (real cluster)', () => {
  let cluster: DevCluster;
  let gateway: NestFastifyApplication;
  let base: string;
  let dir: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await DevCluster.start();
    for (const user of ['admin', 'alice', 'victor', 'tina'] as const) tokens[user] = (await cluster.login(user)).idToken;
    dir = mkdtempSync(join(tmpdir(), 'cairn-gw-'));
    // A second kubeconfig with a cluster nobody listens on.
    const deadPort = await freePort();
    const dead = join(dir, 'dead.kubeconfig');
    writeFileSync(
      dead,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'dead', cluster: { server: `https://127.0.0.1:${deadPort}` } }],
        contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'nobody' } }],
        users: [{ name: 'nobody', user: {} }],
      }),
    );
    // And one whose context cannot be used: it is reported, the others work.
    const broken = join(dir, 'broken.kubeconfig');
    writeFileSync(broken, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'plain', cluster: { server: 'http://127.0.0.1:1' } }], contexts: [{ name: 'broken', context: { cluster: 'plain', user: 'x' } }], users: [] }));
    const settings = readGatewaySettings(
      { KUBECONFIG: `${cluster.info.kubeconfig}:${dead}:${broken}`, CAIRN_WEB_ROOT: dir, CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_LOG_LEVEL: 'error', CAIRN_IN_CLUSTER: 'false', CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' },
      process.cwd(),
    );
    gateway = await createGateway({ ...settings, port: 0 });
    await gateway.listen(0, '127.0.0.1');
    const address = gateway.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 300_000);

  afterAll(async () => {
    await gateway?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, options: { token?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.cookie) headers['cookie'] = options.cookie;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as Record<string, unknown> & { message?: string }, text, headers: res.headers };
  };

  type PodMeta = { metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string } };
  /**
   * Waits until team-a's `web` Deployment runs exactly `replicas` pods, none of them being deleted, and
   * returns them oldest first. A test that scales `web` and scales it back leaves the ReplicaSet
   * controller deleting the extra pods for a moment; a later test that picked one of those read
   * "pods ... not found" (fresh-machine CI). The controller removes the newest pods first, so the
   * oldest is the one that stays.
   */
  const settledWebPods = async (replicas = 2): Promise<PodMeta[]> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await cluster.adminApi().json<{ items: PodMeta[] }>('GET', '/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
      const live = list.items.filter((p) => !p.metadata.deletionTimestamp);
      if (live.length === replicas && live.length === list.items.length) return live.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
      if (Date.now() > deadline) throw new Error(`team-a/web did not settle at ${replicas} pods in 30 s: ${list.items.map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? ' (deleting)' : ''}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('lists every configured context as a cluster, and says which answer', async () => {
    const list = await call('GET', '/api/v1/clusters');
    expect((list.json as unknown as Array<{ name: string }>).map((c) => c.name)).toEqual(['cairn-dev', 'cairn-dev-deployer', 'dead']);
    const up = await call('GET', '/api/v1/clusters/cairn-dev/status');
    expect(up.json).toEqual({ name: 'cairn-dev', reachable: true, version: 'v1.36.3' });
    const down = await call('GET', '/api/v1/clusters/dead/status');
    expect(down.json['reachable']).toBe(false);
    expect(down.json['error']).toContain('connection refused');
    // A context that cannot be used is listed, with the reason, to a signed-in caller only.
    const signedIn = (await call('GET', '/api/v1/clusters', { token: tokens['alice'] })).json as unknown as Array<{ name: string; problem?: string }>;
    expect(signedIn.map((c) => c.name)).toEqual(['cairn-dev', 'cairn-dev-deployer', 'dead', 'broken']);
    expect(signedIn.find((c) => c.name === 'broken')?.problem).toContain('server "http://127.0.0.1:1" must use https');
    const unusable = await call('GET', '/api/v1/clusters/broken/status');
    expect(unusable.status).toBe(404);
    expect(unusable.json.message).toContain('Cluster "broken" cannot be used: cluster "plain"');
  });

  it('is ready while a configured cluster answers, naming the ones that do not', async () => {
    // (This gateway serves no shell, so its readiness as a whole fails on that check.)
    const ready = await call('GET', '/readyz');
    const clusters = (ready.json['checks'] as Array<{ name: string; ok: boolean; message?: string }>).find((c) => c.name === 'clusters');
    expect(clusters?.ok).toBe(true);
    expect(clusters?.message).toContain('Cluster dead');
  });

  it('tells who the caller is, from a bearer header or from the session cookie', async () => {
    expect((await call('GET', '/api/v1/clusters/cairn-dev/whoami', { token: tokens['alice'] })).json).toMatchObject({ username: 'alice@cairn.test' });
    const session: Session = { v: 1, issuedAt: Math.floor(Date.now() / 1000), oidc: { token: tokens['tina'] as string, expiresAt: Math.floor(Date.now() / 1000) + 300, user: { name: 'tina@cairn.test' } } };
    const sealed = await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 });
    const who = await call('GET', '/api/v1/clusters/cairn-dev/whoami', { cookie: `${SESSION_COOKIE}=${sealed}` });
    expect(who.json).toMatchObject({ username: 'tina@cairn.test' });
    expect(who.json['groups']).toEqual(expect.arrayContaining(['tenant-owners']));
  });

  it('answers 401 with what to do when there is no credential or it has expired', async () => {
    const none = await call('GET', '/api/v1/clusters/cairn-dev/whoami');
    expect(none.status).toBe(401);
    expect(none.json.message).toContain('Sign in first');
    const expired: Session = { v: 1, issuedAt: 0, oidc: { token: tokens['alice'] as string, expiresAt: Math.floor(Date.now() / 1000) - 1, user: { name: 'alice' } } };
    const sealed = await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(expired, { ttlSeconds: 300 });
    const res = await call('GET', '/api/v1/clusters/cairn-dev/whoami', { cookie: `${SESSION_COOKIE}=${sealed}` });
    expect(res.status).toBe(401);
    expect(res.json.message).toContain('token expired');
    const bad = await call('GET', '/api/v1/clusters/cairn-dev/whoami', { token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.json.message).toContain('did not accept your credentials');
  });

  it('lists with the caller\u2019s RBAC: alice in team-a yes, team-b no, with the API server\u2019s reason', async () => {
    const ok = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a', { token: tokens['alice'] });
    expect(ok.status).toBe(200);
    expect((ok.json['items'] as unknown[]).length).toBeGreaterThanOrEqual(4);
    // Server-Timing says how long the API server took to answer (a real one, so more than nothing and less than the whole test).
    const upstream = /^upstream;desc="until the API server answered";dur=(\d+\.\d)$/.exec(ok.headers.get('server-timing') ?? '');
    expect(Number(upstream?.[1])).toBeGreaterThan(0);
    expect(Number(upstream?.[1])).toBeLessThan(30_000);
    const refused = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-b', { token: tokens['alice'] });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('User "alice@cairn.test" cannot list resource "pods" in API group "" in the namespace "team-b"');
    const tina = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/namespaces', { token: tokens['tina'] });
    expect(tina.status).toBe(403);
  });

  it('pages a list with limit and continue, and filters by label', async () => {
    const first = await call('GET', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments?limit=2', { token: tokens['admin'] });
    expect((first.json['items'] as unknown[]).length).toBe(2);
    const next = (first.json['metadata'] as { continue: string }).continue;
    expect(next).toBeTruthy();
    const second = await call('GET', `/api/v1/clusters/cairn-dev/resources/apps/v1/deployments?limit=2&continue=${encodeURIComponent(next)}`, { token: tokens['admin'] });
    expect((second.json['items'] as unknown[]).length).toBe(2);
    const web = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&labelSelector=app.kubernetes.io%2Fname%3Dweb', { token: tokens['admin'] });
    expect((web.json['items'] as unknown[]).length).toBe(2);
  });

  it('prints a list as the API server\u2019s table with each row\u2019s metadata, or with its cells alone (includeObject=None)', async () => {
    const pods = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a', { token: tokens['admin'] });
    const names = (pods.json['items'] as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name).sort();
    type Table = { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object?: { metadata: { name: string } } }> };
    const withMetadata = (await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&as=Table', { token: tokens['admin'] })).json as unknown as Table;
    expect(withMetadata.rows.map((r) => r.object?.metadata.name).sort()).toEqual(names);
    const bare = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&as=Table&includeObject=None', { token: tokens['admin'] });
    expect(bare.status).toBe(200);
    const table = bare.json as unknown as Table;
    expect(table.kind).toBe('Table');
    expect(table.rows.every((r) => !r.object?.metadata)).toBe(true);
    expect(table.rows.map((r) => String(r.cells[0])).sort()).toEqual(names);
    expect(table.columnDefinitions.map((c) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    // Secrets' tables never carry values, with or without objects.
    const secrets = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets?namespace=team-a&as=Table&includeObject=None', { token: tokens['admin'] });
    expect(secrets.status).toBe(200);
    expect(secrets.text).not.toContain('not-a-real-password');
    expect(secrets.text).not.toContain(Buffer.from('not-a-real-password').toString('base64'));
  });

  it('sends watches over HTTP/2, every caller\u2019s on shared connections, and lists over HTTP/1.1, each as its caller', async () => {
    const connections = gateway.get<ClusterConnections>(CLUSTER_CONNECTIONS);
    const sum = (streams: number[]) => streams.reduce((a, b) => a + b, 0);
    const before = connections.http2Streams('cairn-dev');
    const watched: Array<[string, string]> = [['admin', '/api/v1/namespaces/team-b/pods?watch=1'], ['alice', '/api/v1/namespaces/team-a/pods?watch=1'], ['alice', '/api/v1/namespaces/team-b/pods?watch=1'], ['tina', '/api/v1/namespaces?watch=1']];
    const watches = await Promise.all(watched.map(([user, path]) => connections.request('cairn-dev', { method: 'GET', path, token: tokens[user] })));
    try {
      // Each watch went with its caller's token on a shared connection: the API server answered each as that user.
      expect(watches.map((w) => w.statusCode)).toEqual([200, 200, 403, 403]);
      expect(watches.map((w) => 'httpVersion' in w)).toEqual([false, false, false, false]); // HTTP/2 streams, not IncomingMessages
      // The two watches still open are on HTTP/2 connections, sharing them: at most one connection more.
      const open = connections.http2Streams('cairn-dev');
      expect(sum(open)).toBeGreaterThanOrEqual(sum(before) + 2);
      expect(open.length).toBeLessThanOrEqual(before.length + 1);
    } finally {
      for (const w of watches) w.destroy();
    }

    const original = connections.request.bind(connections);
    const versions: string[] = [];
    const spy = jest.spyOn(connections, 'request').mockImplementation(async (name, req) => {
      const res = await original(name, req);
      versions.push('httpVersion' in res ? `HTTP/${(res as { httpVersion: string }).httpVersion}` : 'HTTP/2');
      return res;
    });
    try {
      const listed: Array<[string, string]> = [['admin', 'pods?namespace=team-b'], ['alice', 'pods?namespace=team-a'], ['alice', 'pods?namespace=team-b'], ['tina', 'namespaces']];
      const answers = await Promise.all(listed.map(([user, list]) => call('GET', `/api/v1/clusters/cairn-dev/resources/core/v1/${list}`, { token: tokens[user] })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 403, 403]);
      // A list moves megabytes at once, which Go's HTTP/2 server sends in 4 KiB frames (cluster-connections.ts).
      expect(versions.length).toBeGreaterThanOrEqual(4);
      expect(new Set(versions)).toEqual(new Set(['HTTP/1.1']));
    } finally {
      spy.mockRestore();
    }
  });

  it('passes a large list through gzip-compressed as the API server compressed it, only to a browser that accepts gzip', async () => {
    // 40 ConfigMaps of about 6 KiB: a list of about 260 KiB, past the API server's 128 KiB compression threshold.
    const admin = cluster.adminApi();
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gzip-list' } });
    for (let i = 0; i < 40; i++) {
      await admin.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'gzip-list' }, data: { text: `line ${i} `.repeat(800) } });
    }
    const raw = (acceptEncoding: string | undefined, resource = 'configmaps') =>
      new Promise<{ status: number; encoding: string | undefined; vary: string | undefined; body: Buffer }>((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${tokens['admin']}`, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) };
        request(`${base}/api/v1/clusters/cairn-dev/resources/core/v1/${resource}?namespace=gzip-list`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], vary: res.headers['vary'], body: Buffer.concat(chunks) }));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
    const names = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name).sort();
    // The oracle: what kubectl gets.
    const expected = names(JSON.parse(await kubectlOut(cluster, ['get', 'configmaps', '-n', 'gzip-list', '-o', 'json'])));
    expect(expected).toHaveLength(41); // and kube-root-ca.crt

    const plain = await raw(undefined);
    expect(plain.encoding).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(200 * 1024);
    expect(names(JSON.parse(plain.body.toString('utf8')))).toEqual(expected);

    const zipped = await raw('gzip, deflate, br');
    expect({ status: zipped.status, encoding: zipped.encoding, vary: zipped.vary }).toEqual({ status: 200, encoding: 'gzip', vary: 'Accept-Encoding' });
    expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
    const inflated = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    expect(names(inflated)).toEqual(expected);
    expect(inflated.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'cm-7').data.text).toBe('line 7 '.repeat(800));

    // Refused with q=0, and not offered: uncompressed.
    expect((await raw('gzip;q=0, identity')).encoding).toBeUndefined();
    expect((await raw('br')).encoding).toBeUndefined();

    // Secrets are read whole and redacted: never compressed, whatever the browser accepts.
    for (let i = 0; i < 40; i++) {
      await admin.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}`, namespace: 'gzip-list' }, stringData: { text: `secret ${i} `.repeat(700) } });
    }
    const secrets = await raw('gzip', 'secrets');
    expect({ status: secrets.status, encoding: secrets.encoding }).toEqual({ status: 200, encoding: undefined });
    const ours = (JSON.parse(secrets.body.toString('utf8')).items as Array<{ metadata: { name: string }; data: Record<string, unknown> }>).filter((i) => i.metadata.name.startsWith('s-'));
    expect(ours).toHaveLength(40);
    expect(ours.every((i) => i.data['text'] === null)).toBe(true);
  }, 120_000);

  it('never sends secret values unless asked, and then only to who may get them', async () => {
    const list = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets?namespace=team-a', { token: tokens['admin'] });
    const secret = (list.json['items'] as Array<{ metadata: { name: string }; data: Record<string, unknown> }>).find((s) => s.metadata.name === 'db-credentials');
    expect(secret?.data).toEqual({ password: null, username: null });
    expect(list.text).not.toContain(Buffer.from('not-a-real-password').toString('base64'));
    const hidden = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/db-credentials?namespace=team-a', { token: tokens['admin'] });
    expect((hidden.json['data'] as Record<string, unknown>)['password']).toBeNull();
    const revealed = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/db-credentials?namespace=team-a&reveal=true', { token: tokens['admin'] });
    expect(Buffer.from((revealed.json['data'] as Record<string, string>)['password'] as string, 'base64').toString()).toBe('not-a-real-password');
    const victor = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/db-credentials?namespace=team-a&reveal=true', { token: tokens['victor'] });
    expect(victor.status).toBe(403);
    // A delete's answer carries no values either; and a dry run deletes nothing (the API server
    // reads DeleteOptions from the body when there is one, so dryRun must be there too).
    const deleted = await call('DELETE', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/db-credentials?namespace=team-a&dryRun=true', { token: tokens['admin'] });
    expect(deleted.status).toBe(200);
    expect(deleted.text).not.toContain(Buffer.from('not-a-real-password').toString('base64'));
    if (deleted.json['data'] !== undefined) expect(deleted.json['data']).toEqual({ password: null, username: null });
    expect((await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/db-credentials?namespace=team-a', { token: tokens['admin'] })).status).toBe(200);
  });

  it('reads a manifest as kubectl does (YAML 1.1 with go-yaml\'s choices): what it stores equals kubectl apply --dry-run=server', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: yaml-numbers',
      '  namespace: team-a',
      '  annotations: { when: 2024-01-01, duration: 1:30 }',
      'spec:',
      '  terminationGracePeriodSeconds: 1_000',
      '  activeDeadlineSeconds: 0x10',
      '  automountServiceAccountToken: off',
      '  containers:',
      '    - name: c',
      '      image: busybox:1.37',
      '  volumes:',
      '    - name: secret',
      '      secret: { secretName: db-credentials, defaultMode: 0400 }',
      '    - name: config',
      '      configMap: { name: settings, defaultMode: 0644 }',
      '    - name: other',
      '      configMap: { name: other, defaultMode: 0o17 }',
      '',
    ].join('\n');
    const kubectl = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(cluster.info.binDir, 'kubectl'), ['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl: ${err}`))));
      child.stdin.end(yaml);
    });
    type Pod = {
      metadata: { annotations: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; activeDeadlineSeconds: number; automountServiceAccountToken: boolean; volumes: Array<{ secret?: { defaultMode: number }; configMap?: { defaultMode: number } }> };
    };
    const read = (pod: Pod) => ({
      annotations: { when: pod.metadata.annotations['when'], duration: pod.metadata.annotations['duration'] },
      grace: pod.spec.terminationGracePeriodSeconds,
      deadline: pod.spec.activeDeadlineSeconds,
      automount: pod.spec.automountServiceAccountToken,
      modes: pod.spec.volumes.map((v) => v.secret?.defaultMode ?? v.configMap?.defaultMode),
    });
    const expected = read(JSON.parse(kubectl) as Pod);
    expect(expected).toEqual({ annotations: { when: '2024-01-01', duration: '1:30' }, grace: 1000, deadline: 16, automount: false, modes: [256, 420, 15] });
    const applied = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['admin'], body: { yaml } });
    expect(applied.status).toBe(200);
    try {
      expect(read(await cluster.adminApi().json<Pod>('GET', '/api/v1/namespaces/team-a/pods/yaml-numbers'))).toEqual(expected);
    } finally {
      await cluster.adminApi().send('DELETE', '/api/v1/namespaces/team-a/pods/yaml-numbers?gracePeriodSeconds=0');
    }
  });

  describe('edits never write back what was hidden, nor over a change they did not see', () => {
    const secretPath = '/api/v1/clusters/cairn-dev/resources/core/v1/secrets/registry-auth?namespace=team-a';
    type Secret = { metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data: Record<string, string | null> };
    const stored = () => cluster.adminApi().json<Secret>('GET', '/api/v1/namespaces/team-a/secrets/registry-auth');
    const put = (path: string, body: unknown, token = tokens['admin']) => call('PUT', path, { token, body });

    it('refuses to store a Secret read without its values (redacted data, or the redaction marker), and stores nothing', async () => {
      const before = await stored();
      const hidden = (await call('GET', secretPath, { token: tokens['admin'] })).json as unknown as Secret;
      expect(Object.values(hidden.data)).toEqual([null, null, null]);
      const edited = { ...hidden, metadata: { ...hidden.metadata, labels: { ...hidden.metadata.labels, edited: 'yes' } } };
      for (const dryRun of ['true', 'false']) {
        const refused = await put(`${secretPath}&dryRun=${dryRun}`, edited);
        expect(refused.status).toBe(422);
        expect(refused.json.message).toContain('Secret team-a/registry-auth: data..dockerconfigjson, data.ca.der, data.empty-on-purpose have no value.');
        expect(refused.json.message).toContain('Reveal the values and edit from there');
      }
      // The same redacted copy pasted into apply.
      const applied = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['admin'], body: { yaml: stringify(edited) } });
      expect(applied.status).toBe(422);
      expect(applied.json.message).toMatch(/^Document 1: Secret team-a\/registry-auth: .* Nothing was applied\.$/);
      // Values given back, but the last-applied annotation still carries Cairn's marker.
      const revealed = (await call('GET', `${secretPath}&reveal=true`, { token: tokens['admin'] })).json as unknown as Secret;
      const marker = await put(secretPath, { ...revealed, metadata: { ...revealed.metadata, annotations: hidden.metadata.annotations } });
      expect(marker.status).toBe(422);
      expect(marker.json.message).toContain("the annotation kubectl.kubernetes.io/last-applied-configuration is Cairn's redaction marker");
      expect(await stored()).toEqual(before);
    });

    it('closes the side doors: no kind in the body, resourceVersion "0", the table of Secrets, a patch\u2019s answer', async () => {
      const before = await stored();
      const hidden = (await call('GET', secretPath, { token: tokens['admin'] })).json as unknown as Secret & { kind?: string; apiVersion?: string };
      // The API server would take the kind from the address: the gateway does too.
      const { kind, apiVersion, ...kindless } = hidden;
      void kind;
      void apiVersion;
      expect((await put(secretPath, kindless)).status).toBe(422);
      const revealed = (await call('GET', `${secretPath}&reveal=true`, { token: tokens['admin'] })).json as unknown as Secret;
      const anyVersion = await put(secretPath, { ...revealed, metadata: { ...revealed.metadata, resourceVersion: '0' } });
      expect(anyVersion.status).toBe(400);
      expect(anyVersion.json.message).toContain('metadata.resourceVersion must be the version the object was edited from');
      const table = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/secrets?namespace=team-a&as=Table', { token: tokens['admin'] });
      expect(table.status).toBe(200);
      expect(table.text).not.toContain(before.data['.dockerconfigjson'] as string);
      expect(table.text).toContain('(redacted by Cairn)');
      const patched = await call('PATCH', `${secretPath}&dryRun=true`, { token: tokens['admin'], body: {}, headers: { 'content-type': 'application/merge-patch+json' } });
      expect(patched.status).toBe(200);
      expect(Object.values((patched.json as unknown as Secret).data)).toEqual([null, null, null]);
      expect(await stored()).toEqual(before);
    });

    it('stores an edit of the revealed Secret with every value it had; the dry run answers what would be stored', async () => {
      const before = await stored();
      const revealed = (await call('GET', `${secretPath}&reveal=true`, { token: tokens['alice'] })).json as unknown as Secret;
      const edited = { ...revealed, metadata: { ...revealed.metadata, labels: { ...revealed.metadata.labels, rotated: 'no' } } };
      const dryRun = await put(`${secretPath}&dryRun=true`, edited, tokens['alice']);
      expect(dryRun.status).toBe(200);
      expect((dryRun.json as unknown as Secret).data).toEqual(before.data);
      expect((await stored()).metadata.labels?.['rotated']).toBeUndefined();
      expect((await put(secretPath, edited, tokens['alice'])).status).toBe(200);
      const after = await stored();
      expect(after.data).toEqual(before.data);
      expect(after.data['empty-on-purpose']).toBe('');
      expect(after.metadata.annotations).toEqual(before.metadata.annotations);
      expect(after.metadata.labels?.['rotated']).toBe('no');
      // victor may read much but not edit this.
      expect((await put(secretPath, { ...edited, metadata: { ...edited.metadata, resourceVersion: after.metadata.resourceVersion } }, tokens['victor'])).status).toBe(403);
    });

    it('refuses a draft edited from an older version (409), leaving the colleague’s change in place', async () => {
      const path = '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web?namespace=team-a';
      const draft = (await call('GET', path, { token: tokens['alice'] })).json as unknown as { metadata: Record<string, unknown>; spec: { replicas: number } };
      const colleague = draft.spec.replicas + 2;
      await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: colleague } }, 'application/merge-patch+json');
      const stale = await put(path, { ...draft, spec: { ...draft.spec, replicas: 1 } }, tokens['alice']);
      expect(stale.status).toBe(409);
      expect(stale.json.message).toContain('the object has been modified');
      const web = await cluster.adminApi().json<{ spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
      expect(web.spec.replicas).toBe(colleague);
      // A replace must say which version it was edited from, and may not rename or move.
      const { resourceVersion, ...noVersion } = draft.metadata;
      void resourceVersion;
      expect((await put(path, { ...draft, metadata: noVersion }, tokens['alice'])).json.message).toContain('metadata.resourceVersion must be the version');
      expect((await put(path, { ...draft, metadata: { ...draft.metadata, name: 'other' } }, tokens['alice'])).status).toBe(400);
      expect((await put(path, { ...draft, metadata: { ...draft.metadata, namespace: 'team-b' } }, tokens['alice'])).status).toBe(400);
      await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: draft.spec.replicas } }, 'application/merge-patch+json');
      await settledWebPods(draft.spec.replicas);
    });
  });

  it('reads the legacy discovery documents (servers before 1.26, or with aggregation off) to the same kinds as aggregated discovery', async () => {
    const aggregated = (await call('GET', '/api/v1/clusters/cairn-dev/api-resources', { token: tokens['admin'] })).json as unknown as Array<Record<string, unknown>>;
    const legacy = await gateway.get(DiscoveryService).legacyResources('cairn-dev', { token: tokens['admin'] as string, via: 'header', credential: 'admin', identity: 'bearer:admin', verified: true, source: '127.0.0.1' });
    const key = (r: Record<string, unknown>) => `${r['group']}/${r['version']}/${r['resource']}`;
    const byKey = (list: Array<Record<string, unknown>>) => Object.fromEntries(list.map((r) => [key(r), { ...r, verbs: [...(r['verbs'] as string[])].sort(), subresources: [...(r['subresources'] as string[])].sort() }]));
    expect(aggregated.length).toBeGreaterThan(40);
    // The API server's two forms of the same facts: the legacy reader must agree with the aggregated one, kind for kind (the seed's CRD included).
    expect(byKey(legacy as unknown as Array<Record<string, unknown>>)).toEqual(byKey(aggregated));
    expect(aggregated.map(key)).toContain('example.com/v1/gadgets');
  });

  it('serves discovery (every kind, CRDs included) and a batch of access checks', async () => {
    const kinds = (await call('GET', '/api/v1/clusters/cairn-dev/api-resources', { token: tokens['victor'] })).json as unknown as Array<{ group: string; resource: string; kind: string; namespaced: boolean; preferred: boolean }>;
    expect(kinds).toEqual(expect.arrayContaining([expect.objectContaining({ group: 'apps', resource: 'deployments', kind: 'Deployment', namespaced: true, preferred: true })]));
    expect(kinds).toEqual(expect.arrayContaining([expect.objectContaining({ group: 'core', resource: 'nodes', namespaced: false })]));
    // The seeded CustomResourceDefinition's kind, served like a built-in one.
    expect(kinds).toEqual(expect.arrayContaining([expect.objectContaining({ group: 'example.com', version: 'v1', resource: 'gadgets', kind: 'Gadget', namespaced: true })]));
    const review = await call('POST', '/api/v1/clusters/cairn-dev/access-reviews', {
      token: tokens['alice'],
      body: {
        checks: [
          { verb: 'list', group: 'core', resource: 'pods', namespace: 'team-a' },
          { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team-a', name: 'web' },
          { verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'team-b' },
        ],
      },
    });
    expect(review.status).toBe(200);
    expect((review.json['results'] as Array<{ allowed: boolean }>).map((r) => r.allowed)).toEqual([true, true, false]);
  });

  it('lists the events of one object', async () => {
    const pods = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&labelSelector=app.kubernetes.io%2Fname%3Dqueue-worker', { token: tokens['alice'] });
    const name = (pods.json['items'] as Array<{ metadata: { name: string } }>)[0]?.metadata.name as string;
    const events = await call('GET', `/api/v1/clusters/cairn-dev/resources/core/v1/pods/${name}/events?namespace=team-a`, { token: tokens['alice'] });
    expect((events.json['items'] as Array<{ reason: string }>).map((e) => e.reason)).toContain('BackOff');
  });

  it('streams a followed log until the caller disconnects, and the previous container\u2019s', async () => {
    const pod = (await settledWebPods())[0]?.metadata.name as string;
    // A line stamped well after the request started can only come from following the file.
    const since = Date.now() + 1500;
    const upstreamCalls = jest.spyOn(gateway.get<ClusterConnections>(CLUSTER_CONNECTIONS), 'request');
    const lines = await new Promise<string[]>((resolve, reject) => {
      const req = request(`${base}/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/log?container=web&follow=true&tailLines=2&timestamps=true`, { headers: { authorization: `Bearer ${tokens['alice']}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/plain');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          const got = text.split('\n').filter(Boolean);
          if (got.some((l) => Date.parse(l.split(' ')[0] as string) > since)) {
            req.destroy();
            resolve(got);
          }
        });
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      req.end();
    });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    // The caller has gone: the gateway must close its own request to the API server too.
    const followed = upstreamCalls.mock.calls.findIndex(([, req]) => req.path.includes('/log?') && req.path.includes('follow=true'));
    const upstreamAnswer = upstreamCalls.mock.results[followed]?.value as Promise<import('node:http').IncomingMessage> | undefined;
    upstreamCalls.mockRestore();
    expect(followed).toBeGreaterThanOrEqual(0);
    const upstream = (await upstreamAnswer) as import('node:http').IncomingMessage;
    const deadline = Date.now() + 10_000;
    while (!upstream.destroyed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(upstream.destroyed).toBe(true);
    const previous = await call('GET', `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/log?container=web&previous=true`, { token: tokens['alice'] });
    expect(previous.text).toContain('previous instance exited with code 1');
    const refused = await call('GET', `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/log`, { token: tokens['tina'] });
    expect(refused.status).toBe(403);
  });

  it('merges the logs of every pod of a workload, one JSON line each, naming pod and container', async () => {
    const res = await call('GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/workloads/apps/v1/deployments/web/logs?tailLines=3', { token: tokens['alice'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as { pod: string; container: string; line: string });
    expect(new Set(lines.map((l) => l.pod)).size).toBe(2);
    expect(new Set(lines.map((l) => l.container))).toEqual(new Set(['web', 'log-shipper']));
    expect(lines).toHaveLength(2 * 2 * 3);
    const one = await call('GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/workloads/apps/v1/deployments/web/logs?tailLines=1&container=web', { token: tokens['alice'] });
    expect(one.text.trim().split('\n')).toHaveLength(2);
    const cm = await call('GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/workloads/core/v1/configmaps/web-config/logs', { token: tokens['alice'] });
    expect(cm.status).toBe(400);
    expect(cm.json.message).toContain('has no pod selector');
  });

  it('refuses malformed input with a 4xx that says what is wrong', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/api/v1/clusters/nope/status', 404, 'There is no cluster "nope"'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=Team_A', 400, 'namespace must be a namespace name'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?limit=-4', 400, 'limit must be a whole number'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1%2F..%2Fsecrets/pods', 400, 'version must be an API version'],
      // A name may hold "?" (a valid path segment): it reaches the API server escaped, never as a query.
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods/a..b%3Fx=1?namespace=team-a', 404, 'pods "a..b?x=1" not found'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods/a%2F..%2Fsecrets?namespace=team-a', 400, 'name must be an object name'],
      ['GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/pods/x/log?follow=maybe', 400, 'follow must be true or false'],
      ['POST', '/api/v1/clusters/cairn-dev/access-reviews', 400, 'checks must be a list of checks'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?includeObject=None', 400, 'includeObject is only for as=Table'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?as=Table&includeObject=Object', 400, 'includeObject must be Metadata or None'],
      ['GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?as=Table&includeObject=None&includeObject=None', 400, 'includeObject was given more than once; give it once.'],
    ];
    for (const [method, path, status, message] of cases) {
      const res = await call(method, path, { token: tokens['admin'], body: method === 'POST' ? {} : undefined });
      expect({ path, status: res.status, message: res.json?.message?.includes(message) ? message : res.json?.message }).toEqual({ path, status, message });
    }
    const unreachable = await call('GET', '/api/v1/clusters/dead/resources/core/v1/pods', { token: tokens['admin'] });
    expect(unreachable.status).toBe(502);
    expect(unreachable.json.message).toContain('cannot be reached');
  });

  describe('changes', () => {
    const yaml = (ns: string, name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  greeting: hello
`;

    it('applies YAML after a server-side dry run: created, then unchanged', async () => {
      const dry = await call('POST', '/api/v1/clusters/cairn-dev/apply?dryRun=true', { token: tokens['alice'], body: { yaml: yaml('team-a', 'from-cairn') } });
      expect(dry.json).toEqual({ dryRun: true, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'from-cairn', namespace: 'team-a', result: 'created' }] });
      expect((await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/configmaps/from-cairn?namespace=team-a', { token: tokens['alice'] })).status).toBe(404);
      const real = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: yaml('team-a', 'from-cairn') } });
      expect((real.json['objects'] as Array<{ result: string }>)[0]?.result).toBe('created');
      const again = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: yaml('team-a', 'from-cairn') } });
      expect((again.json['objects'] as Array<{ result: string }>)[0]?.result).toBe('unchanged');
    });

    it('applies nothing when one document is refused', async () => {
      const both = `${yaml('team-a', 'half-applied')}---\n${yaml('team-b', 'half-applied')}`;
      const res = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: both } });
      expect(res.status).toBe(403);
      expect(res.json.message).toMatch(/^Document 2 \(ConfigMap half-applied\): Cluster cairn-dev refused: .*Nothing was applied\.$/);
      expect((await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/configmaps/half-applied?namespace=team-a', { token: tokens['alice'] })).status).toBe(404);
    });

    it('says what is wrong with a YAML it cannot apply', async () => {
      const cases: Array<[string, string]> = [
        ['kind: [', 'Document 1 is not valid YAML'],
        ['apiVersion: v1\nkind: ConfigMap\n', 'Document 1 has no metadata.name'],
        ['apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n', 'does not serve Widget in example.com/v1'],
        ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'is namespaced; give metadata.namespace'],
      ];
      for (const [text, message] of cases) {
        const res = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: text } });
        expect({ status: res.status, message: res.json.message?.includes(message) ? message : res.json.message }).toEqual({ status: 400, message });
      }
      const invalid = await call('POST', '/api/v1/clusters/cairn-dev/apply', {
        token: tokens['alice'],
        body: { yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken, namespace: team-a}\nspec: {replicas: -1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n' },
      });
      expect(invalid.status).toBe(422);
      expect(invalid.json.message).toContain('spec.replicas');
    });

    it('scales, restarts and patches as the user may, and no further', async () => {
      const scaled = await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['alice'], body: { replicas: 3 } });
      expect(scaled.json).toEqual({ replicas: 3 });
      expect((await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['victor'], body: { replicas: 5 } })).status).toBe(403);
      expect((await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['alice'], body: { replicas: 'many' } })).status).toBe(400);
      await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['alice'], body: { replicas: 2 } });
      const restarted = await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/restart?namespace=team-a', { token: tokens['alice'] });
      const web = await call('GET', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web?namespace=team-a', { token: tokens['alice'] });
      const template = (web.json['spec'] as { template: { metadata: { annotations: Record<string, string> } } }).template;
      expect(template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(restarted.json['restartedAt']);
      const patched = await call('PATCH', '/api/v1/clusters/cairn-dev/resources/core/v1/configmaps/web-config?namespace=team-a', {
        token: tokens['alice'],
        body: { metadata: { labels: { patched: 'yes' } } },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect((patched.json['metadata'] as { labels: Record<string, string> }).labels['patched']).toBe('yes');
    });

    it('runs a CronJob now and deletes what it is asked to', async () => {
      const triggered = await call('POST', '/api/v1/clusters/cairn-dev/namespaces/team-a/cronjobs/nightly-report/trigger', { token: tokens['alice'] });
      expect(triggered.status).toBe(201);
      const job = await call('GET', `/api/v1/clusters/cairn-dev/resources/batch/v1/jobs/${triggered.json['job']}?namespace=team-a`, { token: tokens['alice'] });
      expect((job.json['metadata'] as { ownerReferences: Array<{ kind: string }> }).ownerReferences[0]?.kind).toBe('CronJob');
      const removed = await call('DELETE', `/api/v1/clusters/cairn-dev/resources/batch/v1/jobs/${triggered.json['job']}?namespace=team-a`, { token: tokens['alice'] });
      expect(removed.status).toBe(200);
      expect((await call('DELETE', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/shop?namespace=tenant-1', { token: tokens['alice'] })).status).toBe(403);
    });

    it('asks a browser for CSRF proof before a change made with the session cookie', async () => {
      const session: Session = { v: 1, issuedAt: Math.floor(Date.now() / 1000), oidc: { token: tokens['alice'] as string, expiresAt: Math.floor(Date.now() / 1000) + 300, user: { name: 'alice@cairn.test' } } };
      const cookie = `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`;
      const path = '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a';
      const refused = await call('POST', path, { cookie, body: { replicas: 2 } });
      expect(refused.status).toBe(403);
      expect(refused.json.message).toContain('x-cairn-csrf');
      const crossSite = await call('POST', path, { cookie, body: { replicas: 2 }, headers: { 'x-cairn-csrf': '1', origin: 'https://evil.example' } });
      expect(crossSite.status).toBe(403);
      expect((await call('POST', path, { cookie, body: { replicas: 2 }, headers: { 'x-cairn-csrf': '1' } })).status).toBe(200);
    });
  });

  describe('watch stream', () => {
    type Frame = { event: string; data: { id?: string; type?: string; object?: { metadata: { name: string }; spec?: { replicas?: number }; data?: Record<string, string> }; items?: Array<{ metadata: { name: string } }>; status?: number; message?: string; resourceVersion?: string } };

    /** A browser-like SSE client: collects frames until closed. */
    const openStream = (subscriptions: unknown[], token: string) => {
      const frames: Frame[] = [];
      let status = 0;
      const waiters: Array<() => void> = [];
      const req = request(`${base}/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
        status = res.statusCode ?? 0;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) frames.push({ event, data: JSON.parse(data) });
            waiters.forEach((w) => w());
          }
        });
      });
      req.on('error', () => undefined);
      req.end();
      const waitFor = async (what: string, predicate: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = frames.find(predicate);
          if (found) return found;
          if (Date.now() > deadline) throw new Error(`no ${what} in ${JSON.stringify(frames.map((f) => [f.event, f.data.id, f.data.type, f.data.status, f.data.message]))}`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 200);
          });
        }
      };
      return { frames, waitFor, status: () => status, close: () => req.destroy() };
    };

    /** Waits until the hub's figures are `expected`, failing with the last ones seen. */
    const statsReach = async (hub: WatchHub, expected: { upstreams: number; subscribers: number }, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      const counts = () => ({ upstreams: hub.stats().upstreams, subscribers: hub.stats().subscribers });
      while (JSON.stringify(counts()) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(counts()).toEqual(expected);
    };

    const listRv = async (path: string, token: string) => ((await call('GET', path, { token })).json['metadata'] as { resourceVersion: string }).resourceVersion;

    it('sends Secrets without their values, as lists and gets do', async () => {
      const rv = await listRv('/api/v1/clusters/cairn-dev/resources/core/v1/secrets?namespace=team-a', tokens['alice'] as string);
      const tab = openStream([{ id: 'secrets', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'secrets', namespace: 'team-a', resourceVersion: rv }], tokens['alice'] as string);
      try {
        await cluster.adminApi().json('PATCH', '/api/v1/namespaces/team-a/secrets/db-credentials', { metadata: { labels: { touched: String(Date.now()) } } }, 'application/merge-patch+json');
        const event = await tab.waitFor('the change', (f) => f.data.id === 'secrets' && f.data.type === 'MODIFIED' && f.data.object?.metadata.name === 'db-credentials');
        expect(event.data.object?.data).toEqual({ password: null, username: null });
        expect(JSON.stringify(tab.frames)).not.toContain(Buffer.from('not-a-real-password').toString('base64'));
      } finally {
        tab.close();
      }
    });

    it('streams a change to every subscriber, sharing one upstream watch per user and query', async () => {
      const rv = await listRv('/api/v1/clusters/cairn-dev/resources/apps/v1/deployments?namespace=team-a', tokens['alice'] as string);
      const sub = { id: 'deploys', cluster: 'cairn-dev', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'team-a', resourceVersion: rv };
      const tab1 = openStream([sub], tokens['alice'] as string);
      const tab2 = openStream([sub], tokens['alice'] as string);
      const other = openStream([{ ...sub, id: 'admin-view' }], tokens['admin'] as string);
      try {
        const hub = gateway.get(WatchHub);
        // Three tabs, two upstream watches: alice's two tabs share one.
        await statsReach(hub, { upstreams: 2, subscribers: 3 });
        await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['alice'], body: { replicas: 4 } });
        for (const [tab, id] of [[tab1, 'deploys'], [tab2, 'deploys'], [other, 'admin-view']] as const) {
          const frame = await tab.waitFor('the scale', (f) => f.data.id === id && f.data.type === 'MODIFIED' && f.data.object?.metadata.name === 'web' && f.data.object.spec?.replicas === 4);
          expect(frame.event).toBe('watch');
        }
        expect(hub.stats()).toMatchObject({ upstreams: 2, subscribers: 3 });
      } finally {
        tab1.close();
        tab2.close();
        other.close();
        await call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', { token: tokens['alice'], body: { replicas: 2 } });
      }
      await statsReach(gateway.get(WatchHub), { upstreams: 0, subscribers: 0 });
    });

    it('recovers from 410 Gone with a RESYNC of the whole state, then keeps streaming', async () => {
      const rv = await listRv('/api/v1/clusters/cairn-dev/resources/core/v1/configmaps?namespace=team-a', tokens['alice'] as string);
      // Two writes, so the compacted revision is past the first event the watch would need
      // (etcd serves a watch from rv+1, which compacting at exactly rv+1 still keeps).
      for (const name of ['while-away', 'while-away-2']) {
        await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: team-a}\n` } });
      }
      await cluster.compactEtcd();
      const tab = openStream([{ id: 'cms', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', resourceVersion: rv }], tokens['alice'] as string);
      try {
        const resync = await tab.waitFor('a RESYNC', (f) => f.data.type === 'RESYNC');
        expect(resync.data.items?.map((i) => i.metadata.name)).toContain('while-away');
        await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after-resync, namespace: team-a}\n' } });
        await tab.waitFor('the next event', (f) => f.data.type === 'ADDED' && f.data.object?.metadata.name === 'after-resync');
      } finally {
        tab.close();
      }
    });

    it('tells a subscriber what it may not watch, and keeps its other subscriptions', async () => {
      const tab = openStream(
        [
          { id: 'theirs', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'pods', namespace: 'team-a' },
          { id: 'mine', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'tenant-1' },
        ],
        tokens['tina'] as string,
      );
      try {
        const refused = await tab.waitFor('a 403', (f) => f.data.id === 'theirs' && f.data.type === 'ERROR');
        expect(refused.data.status).toBe(403);
        await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['tina'], body: { yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tina-live, namespace: tenant-1}\n' } });
        await tab.waitFor('her own change', (f) => f.data.id === 'mine' && f.data.object?.metadata.name === 'tina-live');
      } finally {
        tab.close();
      }
    });

    it('misses no change made while its watch was down: after an API-server restart it resumes from its resourceVersion, or RESYNCs the whole state', async () => {
      const rv = await listRv('/api/v1/clusters/cairn-dev/resources/apps/v1/deployments?namespace=team-b', tokens['admin'] as string);
      const tab = openStream([{ id: 'b', cluster: 'cairn-dev', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'team-b', resourceVersion: rv }], tokens['admin'] as string);
      const scaleApi = (replicas: number) => call('POST', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/api/scale?namespace=team-b', { token: tokens['admin'], body: { replicas } });
      // Hold the gateway's attempts to watch again until the test lets them go, so that the
      // changes below are made while no watch is open and can only come back by resuming.
      const connections = gateway.get<ClusterConnections>(CLUSTER_CONNECTIONS);
      const original = connections.request.bind(connections);
      let letGo!: () => void;
      const gate = new Promise<void>((r) => (letGo = r));
      const held: string[] = [];
      let holding = false;
      const spy = jest.spyOn(connections, 'request').mockImplementation(async (name, req) => {
        if (holding && req.path.startsWith('/apis/apps/v1/namespaces/team-b/deployments?') && req.path.includes('watch=1')) {
          held.push(req.path);
          await gate;
        }
        return original(name, req);
      });
      try {
        await scaleApi(2);
        await tab.waitFor('the change before the restart', (f) => f.data.object?.metadata.name === 'api' && f.data.object.spec?.replicas === 2);
        holding = true;
        await cluster.restartApiServer();
        const deadline = Date.now() + 60_000;
        while (held.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(held.length).toBeGreaterThan(0); // the drop was noticed, and the watch is down
        await scaleApi(3);
        await scaleApi(4);
        letGo();
        // Either the events themselves (resumed from the last resourceVersion) or, when the
        // restarted API server no longer has that far back (410 Gone), a RESYNC of the whole state.
        const apiAt4 = (o: { metadata: { name: string }; spec?: { replicas?: number } } | undefined) => o?.metadata.name === 'api' && o.spec?.replicas === 4;
        const caughtUp = await tab.waitFor(
          'the changes made while the watch was down',
          (f) => (f.data.type === 'MODIFIED' && apiAt4(f.data.object)) || (f.data.type === 'RESYNC' && (f.data.items as Array<{ metadata: { name: string }; spec?: { replicas?: number } }> | undefined)?.some(apiAt4) === true),
          60_000,
        );
        if (caughtUp.data.type === 'MODIFIED') {
          const replicas = tab.frames.filter((f) => f.data.object?.metadata.name === 'api' && f.data.type === 'MODIFIED').map((f) => f.data.object?.spec?.replicas);
          expect(replicas).toEqual(expect.arrayContaining([2, 3, 4]));
        }
        const seen = tab.frames.filter((f) => f.data.object?.metadata.name === 'api' && f.data.type === 'MODIFIED').map((f) => f.data.resourceVersion);
        expect(new Set(seen).size).toBe(seen.length); // resumed from its resourceVersion: nothing twice
        expect(held[0]).toMatch(/resourceVersion=\d+/);
        expect(tab.frames.some((f) => f.data.type === 'ERROR')).toBe(false);
      } finally {
        letGo();
        spy.mockRestore();
        tab.close();
        await scaleApi(1);
      }
    }, 180_000);

    it('refuses malformed subscriptions before opening the stream', async () => {
      const cases: Array<[string, string]> = [
        ['', 'subscriptions must be JSON'],
        ['{', 'subscriptions must be JSON'],
        ['[{"id":"a","cluster":"cairn-dev","group":"core","version":"v1"}]', 'subscriptions[0].resource is missing'],
        ['[{"id":"a","cluster":"cairn-dev","group":"core","version":"v1","resource":"pods","resourceVersion":"x"}]', 'resourceVersion must be'],
        ['[{"id":"a","cluster":"cairn-dev","group":"core","version":"v1","resource":"pods","namespace":"../x"}]', 'subscriptions[0].namespace must be a namespace name'],
      ];
      for (const [q, message] of cases) {
        const res = await call('GET', `/api/v1/watch?subscriptions=${encodeURIComponent(q)}`, { token: tokens['alice'] });
        expect({ status: res.status, message: res.json.message?.includes(message) ? message : res.json.message }).toEqual({ status: 400, message });
      }
    });
  });

  describe('user-added clusters', () => {
    const entries = async () => {
      const exec = stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'eks', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'aws', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'] } } }],
        contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'aws' } }],
      });
      const dev = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: tokens['alice'], body: { kubeconfig: readFileSync(cluster.info.kubeconfig, 'utf8') } });
      const refused = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: tokens['alice'], body: { kubeconfig: exec } });
      return { dev: dev.json['contexts'] as Array<{ name: string; entry?: string; problem?: string }>, refused: refused.json['contexts'] as Array<{ name: string; problem?: string }> };
    };

    it('answers an anonymous caller 401 before reading a kubeconfig or dialling a user-added cluster; a made-up bearer is anonymous too', async () => {
      const { dev } = await entries();
      for (const token of [undefined, 'made-up']) {
        const check = await call('POST', '/api/v1/clusters/check-kubeconfig', { token, body: { kubeconfig: readFileSync(cluster.info.kubeconfig, 'utf8') } });
        expect({ token, status: check.status, message: check.json.message }).toEqual({ token, status: 401, message: 'Sign in first: checking a kubeconfig is only for signed-in users.' });
        const dial = await call('GET', '/api/v1/clusters/user:mine/whoami', { token, headers: { 'x-cairn-cluster': dev[1]?.entry as string } });
        expect({ token, status: dial.status }).toEqual({ token, status: 401 });
        const apply = await call('POST', '/api/v1/clusters/cairn-dev/apply', { token, body: { yaml: 'a: b' } });
        expect({ token, status: apply.status }).toEqual({ token, status: 401 });
      }
      // Any Authorization header is not a sign-in: the API servers stay unnamed.
      const listed = (await call('GET', '/api/v1/clusters', { token: 'made-up' })).json as unknown as Array<{ server?: string }>;
      expect(listed.some((c) => c.server)).toBe(false);
    });

    it('checks a pasted kubeconfig context by context, without storing it', async () => {
      const { dev, refused } = await entries();
      expect(dev.map((c) => [c.name, Boolean(c.entry), c.problem])).toEqual([
        ['cairn-dev', true, undefined],
        ['cairn-dev-deployer', true, undefined],
      ]);
      expect(refused[0]?.problem).toContain('runs a program on the server');
      const notYaml = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: tokens['alice'], body: { kubeconfig: '{{{' } });
      expect(notYaml.status).toBe(400);
      expect(notYaml.json.message).toContain('not a kubeconfig');
    });

    it('talks to a user-added cluster with the entry sent in the request, as that entry\u2019s user', async () => {
      const { dev } = await entries();
      const asDeployer = await call('GET', '/api/v1/clusters/user:mine/whoami', { token: tokens['alice'], headers: { 'x-cairn-cluster': dev[1]?.entry as string } });
      expect(asDeployer.json).toMatchObject({ username: 'system:serviceaccount:team-a:deployer' });
      const asCertAdmin = await call('GET', '/api/v1/clusters/user:mine/whoami', { token: tokens['alice'], headers: { 'x-cairn-cluster': dev[0]?.entry as string } });
      expect(asCertAdmin.json).toMatchObject({ username: 'cairn-dev-admin', groups: expect.arrayContaining(['system:masters']) });
      const pods = await call('GET', '/api/v1/clusters/user:mine/resources/core/v1/pods?namespace=team-a', { token: tokens['alice'], headers: { 'x-cairn-cluster': dev[1]?.entry as string } });
      expect(pods.status).toBe(200);
      const status = await call('GET', '/api/v1/clusters/user:mine/status', { token: tokens['alice'], headers: { 'x-cairn-cluster': dev[1]?.entry as string } });
      expect(status.json).toMatchObject({ reachable: true, version: 'v1.36.3' });
      const missing = await call('GET', '/api/v1/clusters/user:mine/whoami', { token: tokens['alice'] });
      expect(missing.status).toBe(400);
      expect(missing.json.message).toContain('send its kubeconfig entry in the x-cairn-cluster header');
    });

    it('applies to a user-added cluster through that entry, as its user', async () => {
      const { dev } = await entries();
      const headers = { 'x-cairn-cluster': dev[1]?.entry as string };
      const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-user-cluster\n  namespace: team-a\ndata:\n  a: "1"\n';
      const applied = await call('POST', '/api/v1/clusters/user:mine/apply', { token: tokens['alice'], headers, body: { yaml } });
      expect(applied.json).toEqual({ dryRun: false, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'from-user-cluster', namespace: 'team-a', result: 'created' }] });
      const stored = await cluster.adminApi().json<{ metadata: { managedFields: Array<{ manager: string }> } }>('GET', '/api/v1/namespaces/team-a/configmaps/from-user-cluster');
      expect(stored.metadata.managedFields.map((f) => f.manager)).toContain('cairn');
      expect((await call('POST', '/api/v1/clusters/user:mine/apply', { token: tokens['alice'], headers, body: { yaml } })).json['objects']).toEqual([expect.objectContaining({ result: 'unchanged' })]);
      // The deployer's own rights: it may not write in team-b.
      expect((await call('POST', '/api/v1/clusters/user:mine/apply', { token: tokens['alice'], headers, body: { yaml: yaml.replace('team-a', 'team-b') } })).status).toBe(403);
      await cluster.adminApi().send('DELETE', '/api/v1/namespaces/team-a/configmaps/from-user-cluster');
    });

    it('refuses metadata and link-local servers, and servers outside the allowlist, before dialling', async () => {
      for (const [server, message] of [
        ['https://169.254.169.254', 'which Cairn never connects to'],
        ['https://[fe80::1]:6443', 'which Cairn never connects to'],
        ['https://10.1.2.3:6443', 'outside the addresses allowed'],
      ] as const) {
        const res = await call('GET', '/api/v1/clusters/user:evil/whoami', { token: tokens['alice'], headers: { 'x-cairn-cluster': encodeUserCluster({ server, insecureSkipTlsVerify: false, token: 't' }) } });
        expect({ server, status: res.status, message: res.json.message?.includes(message) ? message : res.json.message }).toEqual({ server, status: 400, message });
      }
    });

    it('checks the address a host name resolves to, not just the name', async () => {
      const connections = new ClusterConnections({ clusters: [], extraCa: [], insecureSkipTlsVerify: false }, new AddressPolicy(['0.0.0.0/0']));
      const port = new URL(cluster.info.server).port;
      await expect(
        connections.request('user:sneaky', { method: 'GET', path: '/version', userCluster: { server: `https://localhost:${port}`, insecureSkipTlsVerify: true } }),
      ).rejects.toThrow(/localhost resolves to 127\.0\.0\.1 is a loopback address/);
    });
  });

  describe('malformed input generated from the OpenAPI document', () => {
    type Operation = { parameters?: Array<{ name: string; in: 'path' | 'query'; required?: boolean }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
    type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema };

    const BAD_VALUES = ['', ' ', '..', '../../etc/passwd', 'A'.repeat(300), '%00', '名前', '-1', '1e309', '[]', '{}', '<script>x</script>', 'a b', '\u0000'];

    /** Values each kind of wrong body property gets, by the type the schema declares. */
    const wrongFor = (schema: Schema | undefined): unknown[] => {
      switch (schema?.type) {
        case 'string':
          return [12, true, null, {}, [], 'x'.repeat(3 * 1024 * 1024)];
        case 'integer':
        case 'number':
          return ['3', -1, 1.5, Number.MAX_VALUE, null, {}, []];
        case 'array':
          return [{}, 'x', null, [null], [1, 2], Array.from({ length: 500 }, () => ({ verb: 'get', resource: 'pods' }))];
        default:
          return ['x', 1, null, [], {}];
      }
    };

    it('answers every generated case without a 5xx, and every refusal (4xx) says what is wrong', async () => {
      const doc = (await call('GET', '/api/openapi.json')).json as unknown as { paths: Record<string, Record<string, Operation>> };
      const pods = await call('GET', '/api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-a&labelSelector=app.kubernetes.io%2Fname%3Dweb', { token: tokens['admin'] });
      const valid: Record<string, string> = {
        cluster: 'cairn-dev',
        namespace: 'team-a',
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        name: 'does-not-exist',
        pod: (pods.json['items'] as Array<{ metadata: { name: string } }>)[0]?.metadata.name as string,
      };
      const failures: string[] = [];
      let cases = 0;
      const attempt = async (method: string, path: string, label: string, body?: unknown, rawBody?: string) => {
        cases++;
        const headers: Record<string, string> = { authorization: `Bearer ${tokens['admin']}` };
        if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
        let status = 0;
        let text = '';
        try {
          const res = await fetch(base + path, { method: method.toUpperCase(), headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)), signal: AbortSignal.timeout(15_000) });
          status = res.status;
          text = status === 200 && (res.headers.get('content-type') ?? '').includes('event-stream') ? '' : await res.text();
        } catch (err) {
          failures.push(`${label}: no answer (${(err as Error).message})`);
          return;
        }
        if (status >= 500) failures.push(`${label}: HTTP ${status} ${text.slice(0, 200)}`);
        else if (status >= 400) {
          let message: unknown;
          try {
            message = (JSON.parse(text) as { message?: unknown }).message;
          } catch {
            message = undefined;
          }
          if (typeof message !== 'string' || message.length < 10) failures.push(`${label}: HTTP ${status} without a message: ${text.slice(0, 200)}`);
        }
      };
      for (const [template, operations] of Object.entries(doc.paths)) {
        if (!template.startsWith('/api/v1/')) continue;
        for (const [method, op] of Object.entries(operations)) {
          const params = op.parameters ?? [];
          const build = (override: { name: string; value: string } | undefined) => {
            let path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(override?.name === name ? override.value : (valid[name] ?? 'x')));
            const query = params.filter((p) => p.in === 'query' && (p.required || p.name === override?.name));
            const qs = query.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.name === override?.name ? override.value : 'x')}`).join('&');
            if (qs) path += `?${qs}`;
            return path;
          };
          const schema = op.requestBody?.content?.['application/json']?.schema;
          const validBody = schema ? {} : undefined;
          for (const param of params) {
            for (const value of BAD_VALUES) {
              // A stream that opens (watch with valid subscriptions) is not malformed input.
              await attempt(method, build({ name: param.name, value }), `${method.toUpperCase()} ${template} ${param.in} ${param.name}=${JSON.stringify(value).slice(0, 30)}`, validBody);
            }
          }
          if (schema) {
            const path = build(undefined);
            for (const raw of ['', 'null', '[]', '"x"', '{', '{"a":']) await attempt(method, path, `${method.toUpperCase()} ${template} body ${raw || '(empty)'}`, undefined, raw);
            for (const [property, propertySchema] of Object.entries(schema.properties ?? {})) {
              for (const wrong of wrongFor(propertySchema)) {
                await attempt(method, path, `${method.toUpperCase()} ${template} body.${property}=${JSON.stringify(wrong)?.slice(0, 30)}`, { [property]: wrong });
              }
            }
          }
        }
      }
      expect(cases).toBeGreaterThan(300);
      expect(failures).toEqual([]);
    }, 300_000);
  });

  describe('remotes registered by ConfigMap', () => {
    let inCluster: NestFastifyApplication;
    let inClusterBase: string;

    beforeAll(async () => {
      // The gateway as it runs in a pod: its service account may read ConfigMaps in its namespace.
      const admin = cluster.adminApi();
      await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cairn' } });
      await admin.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'cairn-gateway', namespace: 'cairn' } });
      await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-remotes', namespace: 'cairn' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }] });
      await admin.apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'cairn-gateway-read-remotes', namespace: 'cairn' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-remotes' },
        subjects: [{ kind: 'ServiceAccount', name: 'cairn-gateway', namespace: 'cairn' }],
      });
      const token = await admin.json<{ status: { token: string } }>('POST', '/api/v1/namespaces/cairn/serviceaccounts/cairn-gateway/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
      const saDir = mkdtempSync(join(dir, 'sa-'));
      writeFileSync(join(saDir, 'ca.crt'), cluster.info.ca);
      writeFileSync(join(saDir, 'token'), token.status.token);
      writeFileSync(join(saDir, 'namespace'), 'cairn');
      const settings = readGatewaySettings(
        {
          CAIRN_IN_CLUSTER: 'true',
          KUBERNETES_SERVICE_HOST: '127.0.0.1',
          KUBERNETES_SERVICE_PORT: new URL(cluster.info.server).port,
          CAIRN_SERVICE_ACCOUNT_DIR: saDir,
          CAIRN_WEB_ROOT: dir,
          CAIRN_LOG_LEVEL: 'error',
          CAIRN_REMOTES_ALLOWED_ORIGINS: 'https://costs.example.test,https://x.example.test,https://y.example.test',
        },
        process.cwd(),
      );
      inCluster = await createGateway({ ...settings, port: 0 });
      await inCluster.listen(0, '127.0.0.1');
      const address = inCluster.getHttpServer().address();
      inClusterBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });

    afterAll(async () => {
      await inCluster?.close();
    });

    const remotes = async () => ((await (await fetch(`${inClusterBase}/mfe-manifest.json`)).json()) as { remotes: Array<{ name: string; route: string }> }).remotes.map((r) => r.name);
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 100; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; the manifest has ${JSON.stringify(await remotes())}`);
    };
    const registration = (name: string, remote: object) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'cairn', labels: { 'cairn.dev/micro-frontend': 'true' } },
      data: { 'remote.json': JSON.stringify(remote) },
    });

    it('adds a team\u2019s remote when its ConfigMap is applied and drops it when deleted, with no restart', async () => {
      const admin = cluster.adminApi();
      expect(await remotes()).toEqual([]);
      await admin.apply(registration('team-costs', { name: 'team-costs', remoteEntry: 'https://costs.example.test/remoteEntry.json', exposedModule: './routes', route: 'costs', label: 'Costs' }));
      await until('team-costs to be registered', async () => (await remotes()).includes('team-costs'));
      // A broken registration is left out; the others stay.
      await admin.apply(registration('team-broken', { name: 'team-broken', remoteEntry: 'https://x.example.test/remoteEntry.json', exposedModule: './routes', route: 'api', label: 'Broken' }));
      await admin.apply(registration('team-costs-2', { name: 'team-costs-2', remoteEntry: 'https://y.example.test/remoteEntry.json', exposedModule: './routes', route: 'quotas', label: 'Quotas' }));
      await until('team-costs-2 to be registered', async () => (await remotes()).includes('team-costs-2'));
      expect(await remotes()).toEqual(['team-costs', 'team-costs-2']);
      await admin.send('DELETE', '/api/v1/namespaces/cairn/configmaps/team-costs');
      await until('team-costs to be gone', async () => !(await remotes()).includes('team-costs'));
      // A remote on an origin the admin did not list is never admitted.
      await admin.apply(registration('team-elsewhere', { name: 'team-elsewhere', remoteEntry: 'https://elsewhere.example.test/remoteEntry.json', exposedModule: './routes', route: 'elsewhere', label: 'Elsewhere' }));
      await admin.apply(registration('team-costs-3', { name: 'team-costs-3', remoteEntry: 'https://costs.example.test/3/remoteEntry.json', exposedModule: './routes', route: 'costs3', label: 'Costs 3' }));
      await until('team-costs-3 to be registered', async () => (await remotes()).includes('team-costs-3'));
      expect(await remotes()).toEqual(['team-costs-2', 'team-costs-3']);
    });
  });
});
