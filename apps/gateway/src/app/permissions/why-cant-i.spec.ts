import { request as httpRequest } from 'node:http';
import { DevCluster, KubeApi } from '@cairn/kube-testenv';
import { READ_ONLY_REASON, RulesReview, WhoAmI } from '@cairn/api-contracts';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { captureJsonLogs } from '../testing/json-logs';
import { gatewayRoutes, isWriteRoute } from '../edge/read-only';

/**
 * "Why can't I" and the read-only console, against the real control plane: who the cluster
 * says each person is and what it says they may do are the API server's own answers (asked
 * directly, as the oracle, and through the gateway), and a read-only console refuses every
 * write route its router has — enumerated from the router, so a new one cannot be missed —
 * even to cluster-admin.
 */
describe('whoami, rules review and the read-only console (real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let open: TestGateway;
  let readOnly: TestGateway;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    logs = captureJsonLogs();
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['admin', 'gus', 'victor', 'tina'] as const) tokens[user] = (await cluster.login(user)).idToken;
    open = await gatewayFor(cluster.info.kubeconfig, { CAIRN_ACCESS_HELP: 'Ask #platform on chat', CAIRN_ACCESS_HELP_URL: 'https://chat.example.com/platform' });
    readOnly = await gatewayFor(cluster.info.kubeconfig, { CAIRN_READ_ONLY: 'true', CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    const timed = async (what: string, step: () => Promise<unknown> | undefined) => {
      const started = Date.now();
      process.stderr.write(`why-cant-i.spec: ${what}…\n`);
      await step();
      if (Date.now() - started > 10_000) process.stderr.write(`why-cant-i.spec: ${what} took ${Date.now() - started} ms\n`);
    };
    await timed('closing the open gateway', () => open?.close());
    await timed('closing the read-only gateway', () => readOnly?.close());
    admin?.close();
    await timed('stopping the cluster', () => cluster?.stop());
  }, 300_000);

  const call = (test: TestGateway, user: string, method: string, path: string, body?: unknown) =>
    fetch(`${test.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it.each(['gus', 'victor', 'tina'])('%s: whoami is what the API server says (SelfSubjectReview)', async (user) => {
    const oracle = await cluster.tokenApi(tokens[user]).json<{ status: { userInfo: { username: string; groups?: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    const res = await call(open, user, 'GET', '/api/v1/clusters/cairn-dev/whoami');
    expect(res.status).toBe(200);
    const me = (await res.json()) as WhoAmI;
    expect(me.username).toBe(`${user}@cairn.test`);
    expect(me.username).toBe(oracle.status.userInfo.username);
    expect(me.groups).toEqual(oracle.status.userInfo.groups ?? []);
    expect(me.groups).toContain('system:authenticated');
  });

  const directRules = (user: string, namespace: string) =>
    cluster.tokenApi(tokens[user]).json<{ status: { resourceRules: unknown[]; nonResourceRules: unknown[]; incomplete: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace },
    });

  it.each([
    ['gus', 'team-a'],
    ['victor', 'team-b'],
    ['tina', 'tenant-1'],
    ['tina', 'default'],
  ])('%s: the rules review in "%s" is the API server\'s, with the incomplete flag', async (user, namespace) => {
    const res = await call(open, user, 'GET', `/api/v1/clusters/cairn-dev/rules-review?namespace=${namespace}`);
    expect(res.status).toBe(200);
    const review = (await res.json()) as RulesReview;
    const oracle = (await directRules(user, namespace)).status;
    // The API server lists rules in no fixed order: compared as sets.
    const sorted = (rules: unknown[]) => rules.map((r) => JSON.stringify(r)).sort();
    expect({ ...review, resourceRules: sorted(review.resourceRules), nonResourceRules: sorted(review.nonResourceRules) }).toEqual({
      namespace,
      resourceRules: sorted(oracle.resourceRules),
      nonResourceRules: sorted(oracle.nonResourceRules),
      incomplete: oracle.incomplete,
    });
  });

  it('gus may only get in team-a: his rules there say so, and none allow list', async () => {
    const review = (await (await call(open, 'gus', 'GET', '/api/v1/clusters/cairn-dev/rules-review?namespace=team-a')).json()) as RulesReview;
    const pods = review.resourceRules.find((r) => r.resources?.includes('pods'));
    expect(pods?.verbs).toEqual(['get']);
    expect(review.resourceRules.some((r) => r.resources?.includes('pods') && r.verbs.includes('list'))).toBe(false);
  });

  it('refuses a namespace that is not a Kubernetes name, or none (the API server reviews rules per namespace), naming the field', async () => {
    for (const query of ['?namespace=Not_A_Name', '']) {
      const res = await call(open, 'gus', 'GET', `/api/v1/clusters/cairn-dev/rules-review${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain('namespace');
    }
  });

  it('serves the administrator\'s settings to the front ends', async () => {
    expect(await (await fetch(`${open.base}/api/v1/console-settings`)).json()).toEqual({ readOnly: false, accessHelp: { text: 'Ask #platform on chat', link: 'https://chat.example.com/platform' } });
    expect(await (await fetch(`${readOnly.base}/api/v1/console-settings`)).json()).toEqual({ readOnly: true });
  });

  /** A concrete path for a route pattern: the seed's own objects, so a write would succeed if it were let through. */
  const concrete = (url: string) =>
    url
      .replace(':cluster', 'cairn-dev')
      .replace(':namespace', 'team-a')
      .replace(':group', 'apps')
      .replace(':version', 'v1')
      .replace(':resource', 'deployments')
      .replace(':pod', 'web-0')
      .replace(/:name/, url.includes('/nodes/') ? 'kwok-node-1' : url.includes('cronjobs') ? 'nightly-report' : 'web');

  it('read-only: every write route of the router answers admin 403 with the reason, leaves an audit line, and changes nothing', async () => {
    const routes = gatewayRoutes(readOnly.gateway);
    const writes = routes.filter(isWriteRoute);
    // The router's list is complete: the changes, the drain and the terminals are among the writes.
    const listed = writes.map((r) => `${r.method} ${r.url}`);
    for (const known of [
      'POST /api/v1/clusters/:cluster/apply',
      'PUT /api/v1/clusters/:cluster/resources/:group/:version/:resource/:name',
      'PATCH /api/v1/clusters/:cluster/resources/:group/:version/:resource/:name',
      'DELETE /api/v1/clusters/:cluster/resources/:group/:version/:resource/:name',
      'POST /api/v1/clusters/:cluster/resources/:group/:version/:resource/:name/scale',
      'POST /api/v1/clusters/:cluster/resources/:group/:version/:resource/:name/restart',
      'POST /api/v1/clusters/:cluster/namespaces/:namespace/cronjobs/:name/trigger',
      'POST /api/v1/clusters/:cluster/nodes/:name/drain',
      'GET /api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod/exec',
      'GET /api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod/attach',
    ]) {
      expect(listed).toContain(known);
    }
    // Every route that is not GET is either a write or one of the few reads that take a body (and sign-in).
    const nonGetReads = routes.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !isWriteRoute(r)).map((r) => `${r.method} ${r.url}`);
    expect(nonGetReads.filter((r) => !/ \/(auth|oidc-callback)(\/|$)/.test(r)).sort()).toEqual(['POST /api/v1/clusters/:cluster/access-reviews', 'POST /api/v1/clusters/check-kubeconfig']);

    const before = await admin.get<{ metadata: { resourceVersion: string }; spec: { replicas: number } }>('/apis/apps/v1/namespaces/team-a/deployments/web');
    const from = logs.lines.length;
    for (const route of writes) {
      const path = concrete(route.url);
      const name = `${route.method} ${route.url}`;
      const answer =
        route.method === 'GET'
          ? await upgrade(`${readOnly.base}${path}?command=sh`, tokens['admin'])
          : await call(readOnly, 'admin', route.method, path, ['DELETE', 'HEAD'].includes(route.method) ? undefined : { replicas: 7, yaml: 'kind: ConfigMap' }).then(async (r) => ({ status: r.status, body: await r.text() }));
      expect({ name, status: answer.status }).toEqual({ name, status: 403 });
      // A HEAD answer has no body to carry the reason.
      if (route.method !== 'HEAD') expect((JSON.parse(answer.body) as { message: string }).message).toContain(READ_ONLY_REASON);
    }
    const audits = logs.audits(from);
    expect(audits).toHaveLength(writes.length);
    expect(audits.every((a) => a['who'] === 'admin@cairn.test' && a['result'] === 'refused' && a['status'] === 403 && a['reason'] === 'read-only' && a['cluster'] === 'cairn-dev')).toBe(true);
    const after = await admin.get<{ metadata: { resourceVersion: string }; spec: { replicas: number } }>('/apis/apps/v1/namespaces/team-a/deployments/web');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('read-only: reads keep working, access reviews included', async () => {
    const list = await call(readOnly, 'admin', 'GET', '/api/v1/clusters/cairn-dev/resources/apps/v1/deployments?namespace=team-a');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const review = await call(readOnly, 'admin', 'POST', '/api/v1/clusters/cairn-dev/access-reviews', { checks: [{ verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'team-a' }] });
    expect(review.status).toBe(200);
    // The access review is the cluster's answer; the read-only rule is the console's, applied in the permissions layer.
    expect(await review.json()).toEqual({ results: [expect.objectContaining({ allowed: true })] });
    expect((await call(readOnly, 'admin', 'GET', '/api/v1/clusters/cairn-dev/rules-review?namespace=team-a')).status).toBe(200);
  });
});

/** A WebSocket handshake (what the console's terminal sends); resolves with the HTTP answer when it is not upgraded. */
function upgrade(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      agent: false,
      headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': Buffer.from('cairn-read-only!').toString('base64') },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '{"message":"upgraded"}' });
    });
    req.on('error', reject);
    req.end();
  });
}
