import { DevCluster, KubeApi } from '@cairn/kube-testenv';
import type { ApiErrorBody } from '@cairn/api-contracts';
import { MAX_JSON_DEPTH } from '@cairn/api-contracts/requests';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { captureJsonLogs } from '../testing/json-logs';

/**
 * Creating one object through the gateway against the real control plane: the API server's
 * RBAC, validation (its field paths) and AlreadyExists decide; the gateway passes them on, never
 * replaces an object, bounds the body, and leaves an audit line for every try.
 */
describe('creating an object (real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};
  const NAME = `created-${process.pid}`;
  const configMap = (data: Record<string, string>, name = NAME) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${test.base}/api/v1/clusters/cairn-dev/${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & Partial<ApiErrorBody> };
  };

  beforeAll(async () => {
    logs = captureJsonLogs();
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
  }, 300_000);

  afterAll(async () => {
    logs?.restore();
    await test?.close();
    admin?.close();
    await cluster?.stop();
  });

  it('a dry run stores nothing and names each refused field as the API server does; then the create stores it, audited', async () => {
    const from = logs.lines.length;
    const invalid = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAME }, spec: { replicas: -1, selector: { matchLabels: { app: NAME } }, template: { metadata: { labels: { app: NAME } }, spec: { containers: [{ name: 'web' }] } } } };
    const refused = await call('alice', 'POST', 'resources/apps/v1/deployments?namespace=team-a&dryRun=true', invalid);
    expect(refused.status).toBe(422);
    expect(refused.body.reason).toBe('Invalid');
    expect(refused.body.causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.replicas', message: expect.stringContaining('must be greater than or equal to 0') }),
        expect.objectContaining({ field: 'spec.template.spec.containers[0].image', message: expect.stringContaining('Required value') }),
      ]),
    );

    const dry = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a&dryRun=true', configMap({ mode: 'fast' }));
    expect(dry.status).toBe(201);
    expect((dry.body['metadata'] as { namespace: string }).namespace).toBe('team-a');
    expect((await admin.send('GET', `/api/v1/namespaces/team-a/configmaps/${NAME}`)).status).toBe(404);

    const created = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', configMap({ mode: 'fast' }));
    expect(created.status).toBe(201);
    expect((await admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/team-a/configmaps/${NAME}`)).data).toEqual({ mode: 'fast' });
    expect(logs.audits(from)).toEqual([
      expect.objectContaining({ who: 'alice@cairn.test', cluster: 'cairn-dev', action: 'create (dry run)', target: `/apis/apps/v1/namespaces/team-a/deployments/${NAME}`, result: 'refused', status: 422 }),
      expect.objectContaining({ who: 'alice@cairn.test', action: 'create (dry run)', target: `/api/v1/namespaces/team-a/configmaps/${NAME}`, result: 'ok' }),
      expect.objectContaining({ who: 'alice@cairn.test', action: 'create', target: `/api/v1/namespaces/team-a/configmaps/${NAME}`, result: 'ok' }),
    ]);
  });

  it('never overwrites: a taken name is a 409 AlreadyExists, and the object keeps its data', async () => {
    const again = await call('admin', 'POST', 'resources/core/v1/configmaps?namespace=team-a', configMap({ mode: 'slow' }));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    expect(again.body.message).toContain('already exists');
    expect((await admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/team-a/configmaps/${NAME}`)).data).toEqual({ mode: 'fast' });
  });

  it('is the API server\'s to refuse: a viewer gets 403, an editor of team-a nothing outside it', async () => {
    expect((await call('victor', 'POST', 'resources/core/v1/configmaps?namespace=team-a', configMap({}, `${NAME}-v`))).status).toBe(403);
    expect((await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-b', configMap({}, `${NAME}-b`))).status).toBe(403);
    expect((await admin.send('GET', `/api/v1/namespaces/team-a/configmaps/${NAME}-v`)).status).toBe(404);
  });

  it('refuses what is not a new object before the API server sees it: another namespace, a resourceVersion, no name, a body past its bounds', async () => {
    const from = logs.lines.length;
    const moved = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', { ...configMap({}), metadata: { name: `${NAME}-m`, namespace: 'team-b' } });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(/metadata.namespace is "team-b" but the object is being created in namespace "team-a"/);
    const versioned = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', { ...configMap({}), metadata: { name: `${NAME}-r`, resourceVersion: '5' } });
    expect(versioned.status).toBe(400);
    expect(versioned.body.message).toMatch(/metadata.resourceVersion must be left out: a new object has no resourceVersion yet/);
    const nameless = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(nameless.status).toBe(400);
    expect(nameless.body.message).toMatch(/metadata.name must be the new object's name/);
    // Past the nesting bound of a JSON body.
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = { d: deep };
    const tooDeep = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', { ...configMap({}, `${NAME}-d`), spec: deep });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.message).toMatch(new RegExp(`nest at most ${MAX_JSON_DEPTH} levels`));
    // Past the request-body bound (CAIRN_MAX_BODY_BYTES, 2 MiB by default).
    const huge = await call('alice', 'POST', 'resources/core/v1/configmaps?namespace=team-a', configMap({ blob: 'x'.repeat(3 * 1024 * 1024) }, `${NAME}-h`));
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/CAIRN_MAX_BODY_BYTES/);
    // Refused at the edge: nothing was tried, so no audit line.
    expect(logs.audits(from)).toEqual([]);
  });

  it("passes the cluster's OpenAPI v3 document of a group version through, CRDs' included; an unknown group is a 404", async () => {
    const apps = await call('alice', 'GET', 'openapi/apps/v1');
    expect(apps.status).toBe(200);
    expect(Object.keys((apps.body['components'] as { schemas: object }).schemas)).toContain('io.k8s.api.apps.v1.Deployment');
    const custom = await call('victor', 'GET', 'openapi/example.com/v1');
    expect(custom.status).toBe(200);
    expect(JSON.stringify(custom.body)).toContain('"kind":"Gadget"');
    expect((await call('alice', 'GET', 'openapi/nothing.example/v1')).status).toBe(404);
  });
});
