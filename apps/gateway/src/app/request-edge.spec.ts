import { DevCluster } from '@cairn/kube-testenv';
import { gatewayFor, TestGateway } from './testing/gateway-against';
import { captureJsonLogs } from './testing/json-logs';
import { WatchHub } from './watch/watch-hub';

/**
 * The request edge (schemas, guards, audit) tried as an attacker and a confused newcomer
 * tried it, against the real API server: each case is one kind of fault found by such a
 * session, with its neighbours. The API server and kubectl are the oracle for what must be
 * accepted (names, CRD versions, wildcards); the cluster's own state for what must not change.
 */

const R = '/api/v1/clusters/cairn-dev/resources';

describe('the request edge, against the real cluster', () => {
  let cluster: DevCluster;
  let test: TestGateway;
  let base: string;
  const tokens: Record<string, string> = {};
  const logs = captureJsonLogs();

  beforeAll(async () => {
    cluster = await DevCluster.start();
    for (const user of ['admin', 'alice'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_LOG_FORMAT: 'json', CAIRN_LOG_LEVEL: 'log' });
    base = test.base;
  }, 300_000);

  afterAll(async () => {
    await test?.close();
    await cluster?.stop();
    logs.restore();
  });

  const call = async (method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + path, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    let json: { message?: string } & Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  const admin = () => cluster.adminApi();
  const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team-a' }, data: { v: '1' } });

  it('refuses a query or body field a route does not take, so a misspelt dry run changes nothing', async () => {
    await admin().json('POST', '/api/v1/namespaces/team-a/configmaps', configMap('edge-victim'));
    for (const q of ['dryrun=true', 'dry-run=true', 'propagationpolicy=Orphan']) {
      const res = await call('DELETE', `${R}/core/v1/configmaps/edge-victim?namespace=team-a&${q}`, { token: tokens['admin'] });
      expect({ q, status: res.status, message: res.json.message }).toEqual({ q, status: 400, message: expect.stringContaining('does not take') });
    }
    expect((await admin().send('GET', '/api/v1/namespaces/team-a/configmaps/edge-victim')).status).toBe(200);
    const before = await admin().json<{ spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> } } } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
    // Restart and scale take `dryRun` (bulk actions' dry run): misspelt, it is refused; spelt right, nothing is stored.
    expect((await call('POST', `${R}/apps/v1/deployments/web/restart?namespace=team-a&dryrun=true`, { token: tokens['admin'] })).status).toBe(400);
    expect((await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a&dry-run=true`, { token: tokens['admin'], body: { replicas: before.spec.replicas + 3 } })).status).toBe(400);
    expect((await call('POST', `${R}/apps/v1/deployments/web/restart?namespace=team-a&dryRun=true`, { token: tokens['admin'] })).status).toBe(200);
    expect((await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a&dryRun=true`, { token: tokens['admin'], body: { replicas: before.spec.replicas + 3 } })).status).toBe(200);
    expect((await call('POST', `${R}/apps/v1/deployments/web/scale?namespace=team-a`, { token: tokens['admin'], body: { replicas: 3, dryRun: true } })).json.message).toContain('"dryRun"');
    const after = await admin().json<typeof before>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
    expect(after.spec).toEqual(before.spec);
    const apply = await call('POST', '/api/v1/clusters/cairn-dev/apply?dryrun=true', { token: tokens['admin'], body: { yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edge-applied, namespace: team-a}\n' } });
    expect(apply.status).toBe(400);
    expect((await admin().send('GET', '/api/v1/namespaces/team-a/configmaps/edge-applied')).status).toBe(404);
    // A key given twice is said so (Fastify reads it as a list).
    expect((await call('GET', `${R}/core/v1/pods?namespace=team-a&limit=1&limit=2`, { token: tokens['admin'] })).json.message).toBe('limit was given more than once; give it once.');
  });

  it('refuses every spelling of resourceVersion 0 on an edit, so a colleague\u2019s change is never overwritten', async () => {
    const created = await admin().json<{ metadata: { resourceVersion: string } }>('POST', '/api/v1/namespaces/team-a/configmaps', configMap('edge-rv'));
    await admin().json('PATCH', '/api/v1/namespaces/team-a/configmaps/edge-rv', { data: { v: 'colleague' } }, 'application/merge-patch+json');
    for (const rv of ['0', '00', '000', ' 0', 'abc', '']) {
      const res = await call('PUT', `${R}/core/v1/configmaps/edge-rv?namespace=team-a`, { token: tokens['admin'], body: { ...configMap('edge-rv'), metadata: { name: 'edge-rv', namespace: 'team-a', resourceVersion: rv }, data: { v: 'mine' } } });
      expect({ rv, status: res.status }).toEqual({ rv, status: 400 });
    }
    const stale = await call('PUT', `${R}/core/v1/configmaps/edge-rv?namespace=team-a`, { token: tokens['admin'], body: { ...configMap('edge-rv'), metadata: { name: 'edge-rv', namespace: 'team-a', resourceVersion: created.metadata.resourceVersion }, data: { v: 'mine' } } });
    expect(stale.status).toBe(409);
    expect((await admin().json<{ data: { v: string } }>('GET', '/api/v1/namespaces/team-a/configmaps/edge-rv')).data.v).toBe('colleague');
  });

  it('answers a deeply nested body with a 400 naming the bound, never a 500', async () => {
    // Written as text: JSON.stringify itself cannot go this deep.
    const deep = (n: number) => `${'['.repeat(n)}"x"${']'.repeat(n)}`;
    const nested = `{"data":${deep(5000)}}`;
    for (const token of [tokens['admin'], 'made-up']) {
      const patch = await call('PATCH', `${R}/core/v1/configmaps/edge-rv?namespace=team-a&dryRun=true`, { token, raw: nested, headers: { 'content-type': 'application/merge-patch+json' } });
      expect({ status: patch.status, message: patch.json.message }).toEqual({ status: 400, message: expect.stringContaining('at most 100 levels deep') });
      const put = await call('PUT', `${R}/core/v1/configmaps/edge-rv?namespace=team-a`, { token, raw: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"edge-rv","resourceVersion":"5"},"data":${deep(5000)}}` });
      expect(put.status).toBe(400);
    }
    // A real object is far shallower than the bound: a merge patch of an ordinary depth goes through.
    expect((await call('PATCH', `${R}/core/v1/configmaps/edge-rv?namespace=team-a&dryRun=true`, { token: tokens['admin'], body: { data: { v: 'ok' } }, headers: { 'content-type': 'application/merge-patch+json' } })).status).toBe(200);
  });

  it('reaches every name the API server takes: 253 characters, RBAC\u2019s free names, CRD versions that are not v1beta1', async () => {
    const long = 'a'.repeat(253);
    await admin().json('POST', '/api/v1/namespaces/team-a/configmaps', configMap(long));
    expect((await call('GET', `${R}/core/v1/configmaps/${long}?namespace=team-a`, { token: tokens['admin'] })).status).toBe(200);
    expect((await call('GET', `${R}/core/v1/configmaps/${long}/events?namespace=team-a`, { token: tokens['admin'] })).status).toBe(200);
    expect((await call('DELETE', `${R}/core/v1/configmaps/${long}?namespace=team-a&dryRun=true`, { token: tokens['admin'] })).status).toBe(200);
    for (const name of ['oncall+sre', 'ops:', 'Team Leads']) {
      await admin().json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
      const res = await call('GET', `${R}/rbac.authorization.k8s.io/v1/clusterroles/${encodeURIComponent(name)}`, { token: tokens['admin'] });
      expect({ name, status: res.status, got: (res.json['metadata'] as { name?: string } | undefined)?.name }).toEqual({ name, status: 200, got: name });
    }
    // Still refused: what would leave the path segment (a literal `..` is resolved away by the URL itself).
    for (const bad of ['a%2Fb', 'a%25b', 'a%2F..%2F..%2Fsecrets']) expect((await call('GET', `${R}/core/v1/configmaps/${bad}?namespace=team-a`, { token: tokens['admin'] })).status).toBe(400);
    await admin().json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.edge.example.com' },
      spec: {
        group: 'edge.example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          { name: 'v1-preview', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          { name: 'v2rc1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        ],
      },
    });
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await call('GET', `${R}/edge.example.com/v2rc1/widgets?namespace=team-a`, { token: tokens['admin'] })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await call('GET', `${R}/edge.example.com/v1-preview/widgets?namespace=team-a`, { token: tokens['admin'] })).status).toBe(200);
  }, 60_000);

  it('asks access reviews with the wildcards SelfSubjectAccessReview takes', async () => {
    const res = await call('POST', '/api/v1/clusters/cairn-dev/access-reviews', { token: tokens['alice'], body: { checks: [{ verb: '*', group: '*', resource: '*', namespace: 'team-a' }, { verb: 'list', group: '', resource: 'pods', namespace: 'team-a' }] } });
    expect(res.status).toBe(200);
    expect(res.json['results']).toEqual([expect.objectContaining({ allowed: false }), expect.objectContaining({ allowed: true })]);
  });

  it('merges the logs of a Service\u2019s pods only, and says when no pod has the container asked for', async () => {
    const pods = await admin().json<{ items: Array<{ metadata: { name: string } }> }>('GET', '/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
    const res = await call('GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/workloads/core/v1/services/web/logs?tailLines=1', { token: tokens['alice'] });
    expect(res.status).toBe(200);
    const seen = new Set(res.text.trim().split('\n').map((l) => (JSON.parse(l) as { pod?: string }).pod));
    expect([...seen].sort()).toEqual(pods.items.map((p) => p.metadata.name).sort());
    const none = await call('GET', '/api/v1/clusters/cairn-dev/namespaces/team-a/workloads/apps/v1/deployments/web/logs?tailLines=1&container=nope', { token: tokens['alice'] });
    expect({ status: none.status, message: none.json.message }).toEqual({ status: 400, message: 'No pod of deployments/web has a container "nope".' });
  });

  it('holds no watch stream open for callers no cluster accepts, answers HEAD without watching, and keeps a stream whose one cluster is unknown', async () => {
    const sub = (cluster: string, id = 'pods') => encodeURIComponent(JSON.stringify([{ id, cluster, group: 'core', version: 'v1', resource: 'pods', namespace: 'team-a' }]));
    const anonymous = await Promise.all(Array.from({ length: 20 }, () => call('GET', `/api/v1/watch?subscriptions=${sub('cairn-dev')}`)));
    for (const res of anonymous) {
      // The stream ended (fetch read it to the end) and carried the refusal.
      expect(res.status).toBe(200);
      expect(res.text).toContain('"type":"ERROR","status":401');
    }
    const hub = test.gateway.get(WatchHub);
    const before = hub.stats().upstreams;
    const head = await fetch(`${base}/api/v1/watch?subscriptions=${sub('cairn-dev')}`, { method: 'HEAD', headers: { authorization: `Bearer ${tokens['alice']}` }, signal: AbortSignal.timeout(5_000) });
    expect(head.status).toBe(200);
    expect(hub.stats().upstreams).toBe(before);
    const mixed = encodeURIComponent(
      JSON.stringify([
        { id: 'good', cluster: 'cairn-dev', group: 'core', version: 'v1', resource: 'pods', namespace: 'team-a' },
        { id: 'gone', cluster: 'removed-context', group: 'core', version: 'v1', resource: 'pods', namespace: 'team-a' },
      ]),
    );
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/watch?subscriptions=${mixed}`, { headers: { authorization: `Bearer ${tokens['alice']}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!(text.includes('"id":"gone"') && text.includes('"id":"good"'))) text += decoder.decode((await reader.read()).value ?? new Uint8Array(), { stream: true });
    abort.abort();
    expect(text).toMatch(/"id":"gone","type":"ERROR","status":404/);
  });

  it('audits a dry-run patch as a dry run', async () => {
    const from = logs.lines.length;
    expect((await call('PATCH', `${R}/core/v1/configmaps/edge-rv?namespace=team-a&dryRun=true`, { token: tokens['admin'], body: { data: { v: 'dry' } }, headers: { 'content-type': 'application/merge-patch+json' } })).status).toBe(200);
    const audits = () => logs.audits(from) as Array<{ action: string }>;
    const deadline = Date.now() + 5_000;
    while (audits().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(audits().map((a) => a.action)).toEqual(['patch (dry run)']);
  });

  it('answers what Fastify refuses before routing with the error body and the security headers, echoing nothing long', async () => {
    const bad = await call('GET', `${R}/core/v1/pods/%ZZ`, { token: tokens['admin'] });
    expect({ status: bad.status, body: bad.json }).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('percent sign') } });
    expect(bad.headers.get('x-content-type-options')).toBe('nosniff');
    const nowhere = await call('GET', `/api/v1/${'y'.repeat(5000)}`);
    expect(nowhere.status).toBe(404);
    expect((nowhere.json.message ?? '').length).toBeLessThan(300);
  });
});
