import { DevCluster } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { request } from 'node:http';
import { gatewayFor, TestGateway } from './testing/gateway-against';
import { captureJsonLogs } from './testing/json-logs';
import { WatchHub } from './watch/watch-hub';

/**
 * The README's API table, one promise at a time, against the real control plane: each test
 * reads the API server (or the gateway's own log) to see that the documented thing happened.
 */

const SESSION_KEY = 'd'.repeat(48);

/** Polls `check` until it returns something truthy; the last value is in the error. */
async function until<T>(what: string, check: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the documented API, on the real cluster', () => {
  let cluster: DevCluster;
  const gateways: TestGateway[] = [];
  let base: string;
  let strictBase: string;
  const tokens: Record<string, string> = {};
  // The audit lines go to stdout as JSON; keep them here instead of in the test output.
  const logs = captureJsonLogs();
  const logLines = logs.lines;

  const start = async (env: Record<string, string>) => {
    const test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_LOG_FORMAT: 'json', CAIRN_LOG_LEVEL: 'log', ...env });
    gateways.push(test);
    return test.base;
  };

  beforeAll(async () => {
    cluster = await DevCluster.start();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    base = await start({});
    // A second console with a tight rate and user-added clusters off. (Nest's logger is one
    // per process, the last one created: both log at the same level, into logLines.)
    strictBase = await start({ CAIRN_USER_REQUEST_RATE: '2', CAIRN_USER_CLUSTERS: 'false' });
  }, 300_000);

  afterAll(async () => {
    for (const g of gateways) await g.close();
    adminClient?.close();
    await cluster?.stop();
    logs.restore();
  });

  const call = async (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; at?: string } = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch((options.at ?? base) + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: (json ?? {}) as Record<string, unknown> & { message?: string }, text, headers: res.headers };
  };
  let adminClient: ReturnType<DevCluster['adminApi']> | undefined;
  const admin = () => (adminClient ??= cluster.adminApi());
  const R = '/api/v1/clusters/cairn-dev/resources';

  describe('changes', () => {
    type Deployment = { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> }; spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ name: string; image: string }> } } } };

    it('patches by Content-Type: a strategic merge merges containers by name, a JSON patch runs its operations, a dry run stores nothing', async () => {
      const path = `${R}/apps/v1/deployments/web?namespace=team-a`;
      const before = (await call('GET', path, { token: tokens['alice'] })).json as unknown as Deployment;
      expect(before.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'log-shipper']);
      const strategic = await call('PATCH', `${R}/apps/v1/deployments/web?namespace=team-a&dryRun=true`, {
        token: tokens['alice'],
        body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.29-patched' }] } } } },
        headers: { 'content-type': 'application/strategic-merge-patch+json' },
      });
      expect(strategic.status).toBe(200);
      // A merge patch would have replaced the list with the one container sent.
      expect((strategic.json as unknown as Deployment).spec.template.spec.containers.map((c) => [c.name, c.image === 'nginx:1.29-patched'])).toEqual([
        ['web', true],
        ['log-shipper', false],
      ]);
      const stored = (await call('GET', path, { token: tokens['alice'] })).json as unknown as Deployment;
      expect(stored.spec.template.spec.containers).toEqual(before.spec.template.spec.containers);

      const jsonPatch = await call('PATCH', `${R}/core/v1/configmaps/web-config?namespace=team-a`, {
        token: tokens['alice'],
        body: [
          { op: 'test', path: '/data/LOG_LEVEL', value: 'info' },
          { op: 'replace', path: '/data/LOG_LEVEL', value: 'debug' },
        ],
        headers: { 'content-type': 'application/json-patch+json' },
      });
      expect(jsonPatch.status).toBe(200);
      const read = await admin().json<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/team-a/configmaps/web-config');
      expect(read.data['LOG_LEVEL']).toBe('debug');
      // The test operation is the API server's: a value that is no longer there refuses the whole patch.
      const stale = await call('PATCH', `${R}/core/v1/configmaps/web-config?namespace=team-a`, {
        token: tokens['alice'],
        body: [
          { op: 'test', path: '/data/LOG_LEVEL', value: 'info' },
          { op: 'replace', path: '/data/LOG_LEVEL', value: 'warn' },
        ],
        headers: { 'content-type': 'application/json-patch+json' },
      });
      expect(stale.status).toBeGreaterThanOrEqual(400);
      expect(stale.status).toBeLessThan(500);
      expect((await admin().json<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/team-a/configmaps/web-config')).data['LOG_LEVEL']).toBe('debug');
    });

    it('deletes with the propagationPolicy asked for: Orphan leaves the ReplicaSet, the default (Background) removes it; dryRun removes nothing', async () => {
      const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: team-a}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: busybox}]}\n`;
      const replicaSets = async (name: string) =>
        (await admin().json<{ items: Array<{ metadata: { name: string; ownerReferences?: unknown[] } }> }>('GET', `/apis/apps/v1/namespaces/team-a/replicasets?labelSelector=app%3D${name}`)).items;
      for (const name of ['orphaned', 'background']) {
        expect((await call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: deployment(name) } })).status).toBe(200);
        await until(`the ReplicaSet of ${name}`, async () => (await replicaSets(name)).length === 1);
      }
      const dry = await call('DELETE', `${R}/apps/v1/deployments/orphaned?namespace=team-a&dryRun=true&propagationPolicy=Orphan`, { token: tokens['alice'] });
      expect(dry.status).toBe(200);
      expect((await admin().send('GET', '/apis/apps/v1/namespaces/team-a/deployments/orphaned')).status).toBe(200);

      expect((await call('DELETE', `${R}/apps/v1/deployments/orphaned?namespace=team-a&propagationPolicy=Orphan`, { token: tokens['alice'] })).status).toBe(200);
      expect((await call('DELETE', `${R}/apps/v1/deployments/background?namespace=team-a`, { token: tokens['alice'] })).status).toBe(200);
      await until('the Background delete to take the ReplicaSet', async () => (await replicaSets('background')).length === 0);
      // The garbage collector has run for both by now; the orphan's ReplicaSet is still there, owned by no one.
      const orphans = await until('the orphan to lose its owner', async () => {
        const sets = await replicaSets('orphaned');
        return sets.length === 1 && !sets[0]?.metadata.ownerReferences?.length ? sets : undefined;
      });
      expect(orphans).toHaveLength(1);
      expect((await call('DELETE', `${R}/apps/v1/deployments/x?namespace=team-a&propagationPolicy=Sometimes`, { token: tokens['alice'] })).status).toBe(400);
    }, 90_000);

    it('restarts a StatefulSet and a DaemonSet as kubectl rollout restart does', async () => {
      const cases = [
        ['statefulsets', 'db', 'team-a', 'alice'],
        ['daemonsets', 'node-exporter', 'monitoring', 'admin'],
      ] as const;
      for (const [resource, name, namespace, user] of cases) {
        const restarted = await call('POST', `${R}/apps/v1/${resource}/${name}/restart?namespace=${namespace}`, { token: tokens[user] });
        expect(restarted.status).toBe(200);
        const stored = await admin().json<Deployment>('GET', `/apis/apps/v1/namespaces/${namespace}/${resource}/${name}`);
        expect(stored.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(restarted.json['restartedAt']);
      }
      expect((await call('POST', `${R}/apps/v1/daemonsets/node-exporter/restart?namespace=monitoring`, { token: tokens['alice'] })).status).toBe(403);
    });

    it('scales and restarts with dryRun=true: the API server checks each (and refuses what RBAC refuses), nothing is stored, the audit line says dry run', async () => {
      const web = () => admin().json<Deployment & { spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
      const before = await web();
      const from = logLines.length;
      const scaled = await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a&dryRun=true`, { token: tokens['alice'], body: { replicas: 7 } });
      expect({ status: scaled.status, replicas: scaled.json['replicas'] }).toEqual({ status: 200, replicas: 7 });
      expect((await call('POST', `${R}/apps/v1/deployments/web/restart?namespace=team-a&dryRun=true`, { token: tokens['alice'] })).status).toBe(200);
      expect((await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a&dryRun=true`, { token: tokens['victor'], body: { replicas: 7 } })).status).toBe(403);
      const after = await web();
      expect(after.spec.replicas).toBe(before.spec.replicas);
      expect(after.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(before.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']);
      const actions = () =>
        logLines
          .slice(from)
          .map((l) => JSON.parse(l) as { context?: string; message?: string })
          .filter((l) => l.context === 'Audit')
          .map((l) => (JSON.parse(l.message as string) as { action: string; result: string }))
          .map((a) => `${a.action}: ${a.result}`);
      await until('three audit lines', async () => actions().length >= 3, 5_000);
      expect(actions()).toEqual(['scale to 7 (dry run): ok', 'rollout restart (dry run): ok', 'scale to 7 (dry run): refused']);
    });

    it('leaves one JSON audit line per change: who, what, which cluster, and the result', async () => {
      // As the browser makes changes (with the session cookie), and as an API client does (a bearer: named by the cluster's SelfSubjectReview).
      const cookie = async (user: 'alice' | 'victor') => {
        const session: Session = { v: 1, issuedAt: Math.floor(Date.now() / 1000), oidc: { token: tokens[user] as string, expiresAt: Math.floor(Date.now() / 1000) + 300, user: { name: `${user}@cairn.test` } } };
        return `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`;
      };
      const from = logLines.length;
      const ok = await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a`, { headers: { cookie: await cookie('alice'), 'x-cairn-csrf': '1' }, body: { replicas: 2 } });
      expect(ok.status).toBe(200);
      const refused = await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a`, { headers: { cookie: await cookie('victor'), 'x-cairn-csrf': '1' }, body: { replicas: 5 } });
      expect(refused.status).toBe(403);
      const audits = () =>
        logLines
          .slice(from)
          .map((l) => JSON.parse(l) as { context?: string; message?: string })
          .filter((l) => l.context === 'Audit')
          .map((l) => JSON.parse(l.message as string) as Record<string, unknown>);
      const byBearer = await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a`, { token: tokens['alice'], body: { replicas: 2 } });
      expect(byBearer.status).toBe(200);
      await until('three audit lines', async () => audits().length >= 3, 5_000);
      expect(audits()).toEqual([
        { audit: true, who: 'alice@cairn.test', cluster: 'cairn-dev', action: 'scale to 2', target: expect.stringContaining('deployments/web'), result: 'ok' },
        { audit: true, who: 'victor@cairn.test', cluster: 'cairn-dev', action: 'scale to 5', target: expect.stringContaining('deployments/web'), result: 'refused', status: 403 },
        { audit: true, who: expect.stringMatching(/alice/), cluster: 'cairn-dev', action: 'scale to 2', target: expect.stringContaining('deployments/web'), result: 'ok' },
      ]);
    });
  });

  describe('reads', () => {
    it('lists by fieldSelector, and at the resourceVersion asked for', async () => {
      const named = await call('GET', `${R}/core/v1/configmaps?namespace=team-a&fieldSelector=${encodeURIComponent('metadata.name=web-config')}`, { token: tokens['alice'] });
      expect((named.json['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name)).toEqual(['web-config']);
      const rv = (named.json['metadata'] as { resourceVersion: string }).resourceVersion;
      const future = String(BigInt(rv) + 1_000_000n);
      // A resourceVersion the API server has not reached yet is its refusal, so it was sent.
      const ahead = await call('GET', `${R}/apps/v1/deployments?namespace=team-a&resourceVersion=${future}`, { token: tokens['alice'] });
      expect({ status: ahead.status, message: ahead.json.message }).toEqual({ status: expect.any(Number), message: expect.stringMatching(/[Tt]oo large resource version|future/) });
      expect(ahead.status).toBeGreaterThanOrEqual(400);
      const cached = await call('GET', `${R}/apps/v1/deployments?namespace=team-a&resourceVersion=0`, { token: tokens['alice'] });
      expect(cached.status).toBe(200);
    }, 30_000);

    it('cuts a log at limitBytes', async () => {
      const pods = await call('GET', `${R}/core/v1/pods?namespace=team-a&labelSelector=${encodeURIComponent('app.kubernetes.io/name=web')}`, { token: tokens['alice'] });
      const pod = (pods.json['items'] as Array<{ metadata: { name: string } }>)[0]?.metadata.name as string;
      const whole = await call('GET', `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/log?container=web`, { token: tokens['alice'] });
      expect(Buffer.byteLength(whole.text)).toBeGreaterThan(40);
      const cut = await call('GET', `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/log?container=web&limitBytes=40`, { token: tokens['alice'] });
      expect(cut.status).toBe(200);
      expect(Buffer.byteLength(cut.text)).toBe(40);
      expect(whole.text.startsWith(cut.text)).toBe(true);
    });

    it('redacts kubectl.kubernetes.io/last-applied-configuration of a Secret in a list, a table, a get and a patch answer', async () => {
      const secretValues = async () => Object.values((await admin().json<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/team-a/secrets/registry-auth')).data).filter((v) => v.length > 4);
      const values = await secretValues();
      expect(values.length).toBeGreaterThan(0);
      const stored = await admin().json<{ metadata: { annotations: Record<string, string> } }>('GET', '/api/v1/namespaces/team-a/secrets/registry-auth');
      const lastApplied = stored.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string;
      expect(lastApplied.length).toBeGreaterThan(20);
      const answers = [
        await call('GET', `${R}/core/v1/secrets?namespace=team-a`, { token: tokens['admin'] }),
        await call('GET', `${R}/core/v1/secrets?namespace=team-a&as=Table`, { token: tokens['admin'] }),
        await call('GET', `${R}/core/v1/secrets/registry-auth?namespace=team-a`, { token: tokens['admin'] }),
        await call('PATCH', `${R}/core/v1/secrets/registry-auth?namespace=team-a`, { token: tokens['admin'], body: { metadata: { labels: { seen: 'yes' } } }, headers: { 'content-type': 'application/merge-patch+json' } }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).toContain('registry-auth');
        expect(answer.text).not.toContain(JSON.stringify(lastApplied).slice(1, 40));
        for (const value of values) expect(answer.text).not.toContain(value);
      }
    });

    it('browses its OpenAPI document at /api/docs', async () => {
      const docs = await call('GET', '/api/docs');
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toContain('text/html');
      expect(docs.text).toContain('swagger');
    });
  });

  describe('limits and switches', () => {
    it('answers its own 429 with Retry-After over CAIRN_USER_REQUEST_RATE, per caller', async () => {
      const path = `${R}/core/v1/configmaps?namespace=team-a`;
      const answers = await Promise.all(Array.from({ length: 24 }, () => call('GET', path, { token: tokens['alice'], at: strictBase })));
      const refused = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused[0]?.json.message).toContain('more than 2 requests a second to cluster cairn-dev');
      // Another person has a bucket of their own.
      expect((await call('GET', `${R}/core/v1/configmaps?namespace=team-b`, { token: tokens['admin'], at: strictBase })).status).toBe(200);
    });

    it('with CAIRN_USER_CLUSTERS=false, refuses to read a kubeconfig or use a user-added cluster', async () => {
      const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '${cluster.info.server}'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n`;
      const check = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: tokens['admin'], body: { kubeconfig }, at: strictBase });
      expect({ status: check.status, message: check.json.message }).toEqual({ status: 400, message: expect.stringContaining('CAIRN_USER_CLUSTERS=false') });
      // The same request is read on the default console.
      const checked = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: tokens['admin'], body: { kubeconfig } });
      expect(checked.status).toBe(200);
      const entry = (checked.json['contexts'] as Array<{ entry?: string }>)[0]?.entry as string;
      expect(entry).toBeTruthy();
      const used = await call('GET', '/api/v1/clusters/user:c/resources/core/v1/namespaces', { token: tokens['admin'], headers: { 'x-cairn-cluster': entry }, at: strictBase });
      expect({ status: used.status, message: used.json.message }).toEqual({ status: 400, message: expect.stringContaining('CAIRN_USER_CLUSTERS=false') });
    });
  });

  describe('watch stream', () => {
    /** The raw text of an SSE stream, read as it comes. */
    const openRaw = (subscriptions: unknown[], token: string) => {
      let text = '';
      let status = 0;
      const req = request(`${base}/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
      });
      req.on('error', () => undefined);
      req.end();
      const frames = () =>
        text
          .split('\n\n')
          .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: /^data: (.*)$/m.exec(block)?.[1] }))
          .filter((f) => f.event && f.data)
          .map((f) => ({ event: f.event as string, data: JSON.parse(f.data as string) as { id?: string; type?: string; resourceVersion?: string; object?: { metadata: { name: string } } } }));
      return { text: () => text, status: () => status, frames, close: () => req.destroy() };
    };
    const sub = (id: string, resourceVersion?: string) => ({ id, cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', ...(resourceVersion ? { resourceVersion } : {}) });
    const hub = () => gateways[0]?.gateway.get(WatchHub) as WatchHub;

    it('refuses more than 50 subscriptions on one stream', async () => {
      const many = Array.from({ length: 51 }, (_, i) => sub(`s${i}`));
      const res = await call('GET', `/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(many))}`, { token: tokens['alice'] });
      expect({ status: res.status, message: res.json.message }).toEqual({ status: 400, message: expect.stringContaining('50') });
      const fifty = openRaw(many.slice(0, 50), tokens['alice'] as string);
      try {
        await until('the 50 to be accepted', async () => fifty.status() === 200, 10_000);
      } finally {
        fifty.close();
      }
      await until('the stream to be let go', async () => hub().stats().subscribers === 0);
    });

    it('sends ": ping" on an idle stream every 15 s', async () => {
      const tab = openRaw([sub('idle')], tokens['alice'] as string);
      try {
        await until('a ping', async () => tab.text().includes(': ping\n\n'), 20_000);
      } finally {
        tab.close();
      }
    }, 30_000);

    it('replays to a subscriber that reconnects what it missed, from the shared upstream watch', async () => {
      const list = await call('GET', `${R}/core/v1/configmaps?namespace=team-a`, { token: tokens['alice'] });
      const rv = (list.json['metadata'] as { resourceVersion: string }).resourceVersion;
      const first = openRaw([sub('first', rv)], tokens['alice'] as string);
      try {
        const applyCm = (name: string) => call('POST', '/api/v1/clusters/cairn-dev/apply', { token: tokens['alice'], body: { yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: team-a}\n` } });
        await applyCm('replay-one');
        const one = await until('replay-one', async () => first.frames().find((f) => f.data.object?.metadata.name === 'replay-one'));
        await applyCm('replay-two');
        await until('replay-two', async () => first.frames().find((f) => f.data.object?.metadata.name === 'replay-two'));
        // A tab that had seen replay-one comes back: it gets replay-two from the upstream watch already open.
        const again = openRaw([sub('again', one.data.resourceVersion)], tokens['alice'] as string);
        try {
          const replayed = await until('the replay', async () => again.frames().find((f) => f.data.object?.metadata.name === 'replay-two'));
          expect(replayed.data.type).toBe('ADDED');
          expect(again.frames().some((f) => f.data.object?.metadata.name === 'replay-one')).toBe(false);
          expect(hub().stats()).toMatchObject({ upstreams: 1, subscribers: 2 });
        } finally {
          again.close();
        }
      } finally {
        first.close();
      }
      await until('both tabs to be let go', async () => hub().stats().upstreams === 0);
    });
  });
});
