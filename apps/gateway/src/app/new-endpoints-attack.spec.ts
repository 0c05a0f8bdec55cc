import { request as httpRequest } from 'node:http';
import { DevCluster, KubeApi } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { gatewayFor, TestGateway } from './testing/gateway-against';
import { captureJsonLogs } from './testing/json-logs';
import { until } from './testing/until';

/**
 * The endpoints added since a2e1d5b (create, the OpenAPI pass-through, kubectl debug, the rules
 * review, console settings, the read-only console, dry runs) tried as an attacker and as a
 * confused newcomer would, through a real gateway against the real dev cluster. The API server
 * (read back as its admin) is the oracle for "nothing was changed": every refused attempt is
 * checked there, not only by the status the gateway answers.
 */

const CLUSTER = 'cairn-dev';
const SESSION_KEY = 's'.repeat(48);
type Reply = { status: number; json: Record<string, unknown> & { message?: string }; text: string };

describe('new endpoints under attack (real gateway, real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let writable: TestGateway;
  let readOnly: TestGateway;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['alice', 'victor', 'gus'] as const) tokens[user] = (await cluster.login(user)).idToken;
    readOnly = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_READ_ONLY: 'true' });
    // Started last: the log level and format are the process's (Nest's static logger), and the audit lines are read from here.
    logs = captureJsonLogs();
    writable = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    await writable?.close();
    await readOnly?.close();
    admin?.close();
    await cluster?.stop();
  });

  const call = async (test: TestGateway, method: string, path: string, options: { user?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user) headers['authorization'] = `Bearer ${tokens[options.user]}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(test.base + path, { method, headers, body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body) });
    const text = await res.text();
    let json: Reply['json'] = {};
    try {
      json = JSON.parse(text);
    } catch {
      json = {};
    }
    return { status: res.status, json, text };
  };
  /** Whether the API server holds the object (read as its admin). */
  const exists = async (path: string) => (await admin.json('GET', path).then(() => true, () => false)) as boolean;
  const configMap = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { by: 'attack' }, ...extra });
  const createPath = (resource = 'configmaps', namespace = 'team-a', group = 'core', version = 'v1') => `/api/v1/clusters/${CLUSTER}/resources/${group}/${version}/${resource}?namespace=${namespace}`;
  const runningPod = async (prefix: string) =>
    (await until(`a running ${prefix} pod`, async () => (await admin.get<{ items: Array<{ metadata: { name: string }; status?: { phase?: string } }> }>('/api/v1/namespaces/team-a/pods')).items.find((p) => p.metadata.name.startsWith(prefix) && p.status?.phase === 'Running'))).metadata.name;
  const aliceCookie = async () => {
    const now = Math.floor(Date.now() / 1000);
    const session: Session = { v: 1, issuedAt: now, oidc: { token: tokens['alice'] as string, expiresAt: now + 300, user: { name: 'alice@cairn.test' } } };
    return `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`;
  };

  describe('the read-only console', () => {
    const name = 'ro-bypass';
    const target = '/api/v1/namespaces/team-a/configmaps/ro-bypass';

    /** A POST of a new ConfigMap as alice to the read-only gateway, its path sent exactly as given (fetch would normalize `..`); answers the status (101 for an upgrade). */
    const rawPost = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: new URL(readOnly.base).port, path, method: 'POST', headers: { authorization: `Bearer ${tokens['alice']}`, 'content-type': 'application/json', ...headers } });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', (_res, socket) => {
          socket.destroy();
          resolve(101);
        });
        req.on('error', reject);
        req.end(JSON.stringify(configMap(name)));
      });

    it('refuses a create however its method is disguised (X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override) and nothing is stored', async () => {
      for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
        const res = await call(readOnly, 'POST', createPath(), { user: 'alice', body: configMap(name), headers: { [header]: 'GET' } });
        expect({ header, status: res.status }).toEqual({ header, status: 403 });
        expect(res.json.message).toContain('read-only');
      }
      expect(await exists(target)).toBe(false);
    });

    it('refuses (or does not find) a create reached by a trailing slash, double slashes, encoded segments or another case, and nothing is stored', async () => {
      const variants = [
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps/?namespace=team-a`,
        `//api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1//configmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/%63onfigmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps%2F?namespace=team-a`,
        `/API/V1/clusters/${CLUSTER}/resources/core/v1/configmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/./configmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/x/../configmaps?namespace=team-a`,
        `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps;x=y?namespace=team-a`,
      ];
      for (const path of variants) {
        const res = await call(readOnly, 'POST', path, { user: 'alice', body: configMap(name) });
        expect({ path, refused: [400, 403, 404].includes(res.status) }).toEqual({ path, refused: true });
      }
      expect(await exists(target)).toBe(false);
    });

    it('is not bypassed through the sign-in prefixes it exempts (/auth/.., /oidc-callback/%2e%2e/), sent raw as a hand-made client would', async () => {
      const rest = `api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps?namespace=team-a`;
      for (const path of [`/auth/../${rest}`, `/auth/%2e%2e/${rest}`, `/oidc-callback/../${rest}`, `/auth/..%2f${rest}`, `/auth//../${rest}`]) {
        const status = await rawPost(path);
        expect({ path, created: status === 201 || status === 200 }).toEqual({ path, created: false });
      }
      expect(await exists(target)).toBe(false);
    });

    it('refuses the debug endpoints, dry runs and a WebSocket upgrade on a write route; HEAD and OPTIONS change nothing', async () => {
      const pod = await runningPod('web-');
      const base = `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}`;
      expect((await call(readOnly, 'POST', `${base}/debug-containers`, { user: 'alice', body: { image: 'busybox:1.37' } })).status).toBe(403);
      expect((await call(readOnly, 'POST', `${base}/debug-copies`, { user: 'alice', body: { copyName: 'ro-copy', image: 'busybox:1.37' } })).status).toBe(403);
      expect((await call(readOnly, 'POST', `${createPath()}&dryRun=true`, { user: 'alice', body: configMap(name) })).status).toBe(403);
      for (const method of ['HEAD', 'OPTIONS']) {
        const res = await call(readOnly, method, createPath(), { user: 'alice' });
        expect({ method, ok: res.status < 200 || res.status >= 300 || res.text === '' }).toEqual({ method, ok: true });
      }
      const upgrade = await rawPost(createPath(), { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
      expect(upgrade).toBe(403);
      expect(await exists(target)).toBe(false);
      expect((await admin.get<{ spec: { ephemeralContainers?: unknown[] } }>(`/api/v1/namespaces/team-a/pods/${pod}`)).spec.ephemeralContainers ?? []).toEqual([]);
      expect(await exists('/api/v1/namespaces/team-a/pods/ro-copy')).toBe(false);
    });

    it('still answers reads: OpenAPI, the rules review and the console settings (which say read-only)', async () => {
      expect((await call(readOnly, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/core/v1`, { user: 'victor' })).status).toBe(200);
      expect((await call(readOnly, 'GET', `/api/v1/clusters/${CLUSTER}/rules-review?namespace=team-a`, { user: 'victor' })).status).toBe(200);
      const settings = await call(readOnly, 'GET', '/api/v1/console-settings');
      expect(settings.status).toBe(200);
      expect(settings.json).toMatchObject({ readOnly: true });
    });
  });

  describe('create never overwrites, never moves, never changes kind', () => {
    it('answers 409 AlreadyExists for a name that is taken, and the object keeps its data', async () => {
      await admin.json('POST', '/api/v1/namespaces/team-a/configmaps', { ...configMap('taken'), data: { owner: 'admin' } });
      const res = await call(writable, 'POST', createPath(), { user: 'alice', body: { ...configMap('taken'), data: { owner: 'alice' } } });
      expect(res.status).toBe(409);
      expect((await admin.get<{ data: Record<string, string> }>('/api/v1/namespaces/team-a/configmaps/taken')).data).toEqual({ owner: 'admin' });
    });

    it('has no PUT on a collection, and a PUT on the object without (or with a "0") resourceVersion is refused: nothing is overwritten', async () => {
      await admin.json('POST', '/api/v1/namespaces/team-a/configmaps', { ...configMap('put-target'), data: { owner: 'admin' } });
      const onCollection = await call(writable, 'PUT', createPath(), { user: 'alice', body: { ...configMap('put-target'), data: { owner: 'alice' } } });
      expect(onCollection.status).toBe(404);
      const objectPath = `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps/put-target?namespace=team-a`;
      for (const metadata of [{ name: 'put-target' }, { name: 'put-target', resourceVersion: '0' }, { name: 'put-target', resourceVersion: '' }]) {
        const res = await call(writable, 'PUT', objectPath, { user: 'alice', body: { ...configMap('put-target'), metadata, data: { owner: 'alice' } } });
        expect({ metadata, status: res.status }).toEqual({ metadata, status: 400 });
        expect(res.text).toContain('resourceVersion');
      }
      expect((await admin.get<{ data: Record<string, string> }>('/api/v1/namespaces/team-a/configmaps/put-target')).data).toEqual({ owner: 'admin' });
    });

    it('refuses a resourceVersion, a namespace in the body other than the query, and a namespaced kind with no namespace, saying what to change', async () => {
      const rv = await call(writable, 'POST', createPath(), { user: 'alice', body: configMap('with-rv', { metadata: { name: 'with-rv', resourceVersion: '1' } }) });
      expect(rv.status).toBe(400);
      expect(rv.text).toContain('resourceVersion');
      const moved = await call(writable, 'POST', createPath(), { user: 'alice', body: configMap('moved', { metadata: { name: 'moved', namespace: 'team-b' } }) });
      expect(moved.status).toBe(400);
      expect(moved.json.message).toContain('make them the same');
      expect(await exists('/api/v1/namespaces/team-b/configmaps/moved')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/moved')).toBe(false);
      const nowhere = await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps`, { user: 'alice', body: configMap('nowhere') });
      expect(nowhere.status).toBe(400);
      expect(nowhere.json.message).toBe('configmaps (ConfigMap, v1) are namespaced: give ?namespace=<namespace> to say where to create it.');
      const clusterWide = await call(writable, 'POST', createPath('clusterroles', 'team-a', 'rbac.authorization.k8s.io'), { user: 'alice', body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'placed' } } });
      expect(clusterWide.status).toBe(400);
      expect(clusterWide.json.message).toBe('clusterroles (ClusterRole, rbac.authorization.k8s.io/v1) are cluster-scoped: leave out ?namespace= and metadata.namespace.');
      const unknown = await call(writable, 'POST', createPath('widgets', 'team-a', 'nothing.example'), { user: 'alice', body: { apiVersion: 'nothing.example/v1', kind: 'Widget', metadata: { name: 'w' } } });
      expect(unknown.status).toBe(404);
      expect(unknown.json.message).toContain('does not serve widgets in nothing.example/v1');
    });

    it('refuses a body whose kind or apiVersion is not the kind of the address (a Secret posted as a ConfigMap), audited, and stores nothing', async () => {
      const from = logs.lines.length;
      const secret = await call(writable, 'POST', createPath(), { user: 'alice', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kind-swap' }, stringData: { a: 'b' } } });
      expect(secret.status).toBe(400);
      expect(secret.json.message).toBe('The body is a Secret (v1) but this address creates configmaps, whose kind is ConfigMap (v1): make them the same.');
      const version = await call(writable, 'POST', createPath(), { user: 'alice', body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'version-swap' } } });
      expect(version.status).toBe(400);
      expect(version.json.message).toBe('The body is a ConfigMap (apps/v1) but this address creates configmaps, whose kind is ConfigMap (v1): make them the same.');
      expect(await exists('/api/v1/namespaces/team-a/secrets/kind-swap')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/kind-swap')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/version-swap')).toBe(false);
      expect(logs.audits(from)).toEqual([
        expect.objectContaining({ action: 'create', who: 'alice@cairn.test', result: 'refused', status: 400, target: '/api/v1/namespaces/team-a/configmaps/kind-swap' }),
        expect.objectContaining({ action: 'create', who: 'alice@cairn.test', result: 'refused', status: 400, target: '/api/v1/namespaces/team-a/configmaps/version-swap' }),
      ]);
    });

    it('refuses a List (one object per create; Apply takes many), and stores none of its items', async () => {
      const list = await call(writable, 'POST', createPath(), { user: 'alice', body: { apiVersion: 'v1', kind: 'List', metadata: { name: 'a-list' }, items: [configMap('from-list')] } });
      expect(list.status).toBe(400);
      expect(list.json.message).toContain('The body is a List (v1)');
      expect(await exists('/api/v1/namespaces/team-a/configmaps/from-list')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/a-list')).toBe(false);
    });

    it('makes a fresh name from generateName each time (never one already there)', async () => {
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: { n: '1' } };
      const [one, two] = [await call(writable, 'POST', createPath(), { user: 'alice', body }), await call(writable, 'POST', createPath(), { user: 'alice', body })];
      expect([one.status, two.status]).toEqual([201, 201]);
      const names = [one, two].map((r) => (r.json['metadata'] as { name: string }).name);
      expect(new Set(names).size).toBe(2);
      for (const n of names) expect(await exists(`/api/v1/namespaces/team-a/configmaps/${n}`)).toBe(true);
    });

    it('is the API server\'s to refuse for victor (view) and in a namespace alice cannot edit', async () => {
      expect((await call(writable, 'POST', createPath(), { user: 'victor', body: configMap('by-victor') })).status).toBe(403);
      expect((await call(writable, 'POST', createPath('configmaps', 'team-b'), { user: 'alice', body: configMap('alice-in-b') })).status).toBe(403);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/by-victor')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-b/configmaps/alice-in-b')).toBe(false);
    });

    it('a dry-run delete stores nothing: the object is still there', async () => {
      await admin.json('POST', '/api/v1/namespaces/team-a/configmaps', configMap('keep-me'));
      const res = await call(writable, 'DELETE', `/api/v1/clusters/${CLUSTER}/resources/core/v1/configmaps/keep-me?namespace=team-a&dryRun=true`, { user: 'alice' });
      expect(res.status).toBe(200);
      expect(await exists('/api/v1/namespaces/team-a/configmaps/keep-me')).toBe(true);
    });
  });

  describe('dry runs store nothing, and a query a newcomer might guess is refused rather than taken as a real change', () => {
    type Deployment = { metadata: { name: string; generation: number; labels?: Record<string, string> }; spec: { replicas: number; template: { metadata?: { annotations?: Record<string, string> } } } };
    const firstDeployment = async () => {
      const found = (await admin.get<{ items: Deployment[] }>('/apis/apps/v1/namespaces/team-a/deployments')).items[0];
      if (!found) throw new Error('the seed has a Deployment in team-a');
      return found;
    };
    const deploymentPath = (name: string) => `/api/v1/clusters/${CLUSTER}/resources/apps/v1/deployments/${name}`;

    it('scale, restart, patch and delete with dryRun=true answer and leave the Deployment as it was (generation, replicas, labels)', async () => {
      const before = await firstDeployment();
      const name = before.metadata.name;
      const scaled = await call(writable, 'POST', `${deploymentPath(name)}/scale?namespace=team-a&dryRun=true`, { user: 'alice', body: { replicas: before.spec.replicas + 5 } });
      expect(scaled.status).toBe(200);
      const restarted = await call(writable, 'POST', `${deploymentPath(name)}/restart?namespace=team-a&dryRun=1`, { user: 'alice' });
      expect(restarted.status).toBe(200);
      const patched = await call(writable, 'PATCH', `${deploymentPath(name)}?namespace=team-a&dryRun=true`, { user: 'alice', body: { metadata: { labels: { 'dry-run': 'seen' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
      expect(patched.status).toBe(200);
      const deleted = await call(writable, 'DELETE', `${deploymentPath(name)}?namespace=team-a&dryRun=true`, { user: 'alice' });
      expect(deleted.status).toBe(200);
      const after = await admin.get<Deployment>(`/apis/apps/v1/namespaces/team-a/deployments/${name}`);
      // generation moves with any spec change (a restart's template annotation, a scale); status updates by the controllers do not move it.
      expect({ generation: after.metadata.generation, replicas: after.spec.replicas, label: after.metadata.labels?.['dry-run'] }).toEqual({ generation: before.metadata.generation, replicas: before.spec.replicas, label: undefined });
    });

    it("refuses dryRun=All (the API server's spelling), a repeated dryRun and a method override, changing nothing", async () => {
      const before = await firstDeployment();
      const name = before.metadata.name;
      for (const [q, message] of [
        ['dryRun=All', 'dryRun must be true or false'],
        ['dryRun=true&dryRun=false', 'dryRun was given more than once; give it once.'],
        ['dryRun=yes', 'dryRun must be true or false'],
      ]) {
        const res = await call(writable, 'POST', `${deploymentPath(name)}/scale?namespace=team-a&${q}`, { user: 'alice', body: { replicas: before.spec.replicas + 3 } });
        expect({ q, status: res.status }).toEqual({ q, status: 400 });
        expect(res.json.message).toContain(message);
      }
      // A GET is a GET, whatever header claims otherwise.
      const overridden = await call(writable, 'GET', `${deploymentPath(name)}?namespace=team-a`, { user: 'alice', headers: { 'x-http-method-override': 'DELETE' } });
      expect(overridden.status).toBe(200);
      const after = await admin.get<Deployment>(`/apis/apps/v1/namespaces/team-a/deployments/${name}`);
      expect({ generation: after.metadata.generation, replicas: after.spec.replicas }).toEqual({ generation: before.metadata.generation, replicas: before.spec.replicas });
    });
  });

  describe('the OpenAPI pass-through is no relay', () => {
    let small: TestGateway;
    afterAll(() => small?.close());

    it('answers a document past CAIRN_MAX_UPSTREAM_BODY_BYTES with a 502 naming the bound, never an unbounded relay', async () => {
      small = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_MAX_UPSTREAM_BODY_BYTES: '1Mi' });
      const res = await call(small, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/core/v1`, { user: 'victor' });
      expect(res.status).toBe(502);
      expect(res.json.message).toContain('larger than 1048576 bytes');
      expect(res.json.message).toContain('CAIRN_MAX_UPSTREAM_BODY_BYTES');
      // A small group's document is within the same bound, whole.
      const small2 = await call(small, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/scheduling.k8s.io/v1`, { user: 'victor' });
      expect(small2.status).toBe(200);
      expect(small2.text).toContain('io.k8s.api.scheduling.v1.PriorityClass');
    });

    it('relays no query: what follows ? is not sent on to the API server', async () => {
      const res = await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/core/v1?path=/api/v1/namespaces/team-a/secrets`, { user: 'victor' });
      expect({ status: res.status, openapi: res.json['openapi'], items: res.json['items'] }).toEqual({ status: 200, openapi: expect.stringMatching(/^3\./), items: undefined });
    });

    it('refuses path tricks in group and version (400) and reaches no other API server path', async () => {
      for (const [group, version] of [
        ['..', 'v1'],
        ['%2e%2e', 'v1'],
        ['core', '..'],
        ['core%2F..%2F..%2Fapi', 'v1'],
        ['apps', 'v1%2F..%2F..%2F..%2Fapi%2Fv1%2Fnamespaces%2Fteam-a%2Fsecrets'],
        ['apps', 'v1%3Fx=1'],
        ['CORE', 'V1'],
      ]) {
        const res = await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/${group}/${version}`, { user: 'victor' });
        expect({ group, version, refused: [400, 404].includes(res.status) }).toEqual({ group, version, refused: true });
        expect(res.json['items']).toBeUndefined();
      }
    });

    it('answers the real document for core/v1 and 404 for a group the cluster does not serve', async () => {
      const core = await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/core/v1`, { user: 'victor' });
      expect(core.status).toBe(200);
      expect(core.json['openapi']).toMatch(/^3\./);
      expect(core.text).toContain('io.k8s.api.core.v1.ConfigMap');
      expect((await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/openapi/nothing.example/v1`, { user: 'victor' })).status).toBe(404);
    });
  });

  describe('kubectl debug cannot be made to do more than kubectl debug', () => {
    it('refuses a privileged securityContext, hostPID, volumeMounts or env smuggled into the body (400), and adds nothing', async () => {
      const pod = await runningPod('web-');
      const before = (await admin.get<{ spec: { ephemeralContainers?: unknown[] } }>(`/api/v1/namespaces/team-a/pods/${pod}`)).spec.ephemeralContainers?.length ?? 0;
      const base = `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}`;
      for (const extra of [{ securityContext: { privileged: true } }, { hostPID: true }, { volumeMounts: [{ name: 'x', mountPath: '/host' }] }, { env: [{ name: 'A', value: 'b' }] }, { profile: 'sysadmin' }]) {
        const res = await call(writable, 'POST', `${base}/debug-containers`, { user: 'alice', body: { image: 'busybox:1.37', ...extra } });
        expect({ extra, status: res.status }).toEqual({ extra, status: 400 });
        const copy = await call(writable, 'POST', `${base}/debug-copies`, { user: 'alice', body: { copyName: 'smuggled-copy', image: 'busybox:1.37', ...extra } });
        expect({ extra, status: copy.status }).toEqual({ extra, status: 400 });
      }
      expect((await admin.get<{ spec: { ephemeralContainers?: unknown[] } }>(`/api/v1/namespaces/team-a/pods/${pod}`)).spec.ephemeralContainers?.length ?? 0).toBe(before);
      expect(await exists('/api/v1/namespaces/team-a/pods/smuggled-copy')).toBe(false);
    });

    it('a copy never takes a name already taken (409, the pod untouched), nor a name that is not a pod name (400)', async () => {
      const pod = await runningPod('web-');
      const other = (await admin.get<{ items: Array<{ metadata: { name: string; uid: string } }> }>('/api/v1/namespaces/team-a/pods')).items.find((p) => p.metadata.name !== pod);
      if (!other) throw new Error('the seed has a second pod in team-a');
      const res = await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}/debug-copies`, { user: 'alice', body: { copyName: other.metadata.name, image: 'busybox:1.37' } });
      expect(res.status).toBe(409);
      expect((await admin.get<{ metadata: { uid: string } }>(`/api/v1/namespaces/team-a/pods/${other.metadata.name}`)).metadata.uid).toBe(other.metadata.uid);
      // Past the 253 characters of a pod name is a bound crossed (413); the rest are no pod name (400).
      for (const [copyName, status] of [['../x', 400], ['UPPER', 400], ['', 400], ['a'.repeat(254), 413]] as const) {
        const res = await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}/debug-copies`, { user: 'alice', body: { copyName, image: 'busybox:1.37' } });
        expect({ copyName, status: res.status }).toEqual({ copyName, status });
        expect(res.json.message).toContain('must be a pod name');
      }
    });

    it('a pod in a namespace alice cannot edit is the API server\'s 403, and nothing is added there', async () => {
      const pods = await admin.get<{ items: Array<{ metadata: { name: string }; spec: { ephemeralContainers?: unknown[] } }> }>('/api/v1/namespaces/team-b/pods');
      const pod = pods.items[0];
      if (!pod) throw new Error('the seed has a pod in team-b');
      const res = await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/namespaces/team-b/pods/${pod.metadata.name}/debug-containers`, { user: 'alice', body: { image: 'busybox:1.37' } });
      expect(res.status).toBe(403);
      const copy = await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/namespaces/team-b/pods/${pod.metadata.name}/debug-copies`, { user: 'alice', body: { copyName: 'alice-copy-in-b', image: 'busybox:1.37' } });
      expect(copy.status).toBe(403);
      expect((await admin.get<{ spec: { ephemeralContainers?: unknown[] } }>(`/api/v1/namespaces/team-b/pods/${pod.metadata.name}`)).spec.ephemeralContainers?.length ?? 0).toBe(pod.spec.ephemeralContainers?.length ?? 0);
      expect(await exists('/api/v1/namespaces/team-b/pods/alice-copy-in-b')).toBe(false);
    });
  });

  describe('the rules review tells a user only their own rules', () => {
    it('answers gus, for a namespace he has no rights in, no rule of that namespace (only the cluster-wide discovery ones)', async () => {
      const res = await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/rules-review?namespace=team-b`, { user: 'gus' });
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.json);
      for (const resource of ['pods', 'secrets', 'deployments', 'configmaps']) expect(text).not.toContain(`"${resource}"`);
    });

    it('refuses a namespace that is no namespace name (400)', async () => {
      for (const ns of ['..', 'team-a/../kube-system', 'Team-A', '']) {
        expect((await call(writable, 'GET', `/api/v1/clusters/${CLUSTER}/rules-review?namespace=${encodeURIComponent(ns)}`, { user: 'gus' })).status).toBe(400);
      }
    });
  });

  describe('no credential, no cross-site request', () => {
    it('answers 401 to every new endpoint without a credential (console-settings excepted: the sign-in page reads it), and stores nothing', async () => {
      const pod = await runningPod('web-');
      const pb = `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}`;
      for (const [method, path, body] of [
        ['POST', createPath(), configMap('anon')],
        ['GET', `/api/v1/clusters/${CLUSTER}/openapi/core/v1`, undefined],
        ['POST', `${pb}/debug-containers`, { image: 'busybox:1.37' }],
        ['POST', `${pb}/debug-copies`, { copyName: 'anon-copy', image: 'busybox:1.37' }],
        ['GET', `/api/v1/clusters/${CLUSTER}/rules-review?namespace=team-a`, undefined],
      ] as const) {
        expect({ method, path, status: (await call(writable, method, path, { body })).status }).toEqual({ method, path, status: 401 });
      }
      expect(await exists('/api/v1/namespaces/team-a/configmaps/anon')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/pods/anon-copy')).toBe(false);
      const settings = await call(writable, 'GET', '/api/v1/console-settings');
      expect(settings.status).toBe(200);
      expect(settings.json).toMatchObject({ readOnly: false });
    });

    it('refuses a cross-site POST riding on the session cookie (no x-cairn-csrf, or another Origin), to create and debug, and stores nothing', async () => {
      const cookie = await aliceCookie();
      const pod = await runningPod('web-');
      // The cookie is good: the same request from the console creates.
      const own = await call(writable, 'POST', createPath(), { body: configMap('csrf-own'), headers: { cookie, 'x-cairn-csrf': '1', origin: writable.base } });
      expect(own.status).toBe(201);
      for (const headers of <Array<Record<string, string>>>[{ 'content-type': 'text/plain' }, { 'x-cairn-csrf': '1', origin: 'http://127.0.0.2:9' }, { 'x-cairn-csrf': '1', origin: 'null' }]) {
        expect((await call(writable, 'POST', createPath(), { body: JSON.stringify(configMap('csrf')), headers: { cookie, ...headers } })).status).toBe(403);
        expect((await call(writable, 'POST', `/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}/debug-copies`, { body: JSON.stringify({ copyName: 'csrf-copy', image: 'busybox:1.37' }), headers: { cookie, ...headers } })).status).toBe(403);
      }
      expect(await exists('/api/v1/namespaces/team-a/configmaps/csrf')).toBe(false);
      expect(await exists('/api/v1/namespaces/team-a/pods/csrf-copy')).toBe(false);
    });
  });
});
