import { DevCluster, DevClusterOptions } from '@cairn/kube-testenv';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from './gateway';
import { DiscoveryService } from './resources/discovery.service';
import { readGatewaySettings } from './settings/gateway-settings';

/**
 * Discovery, lists, details and apply against both API servers of the test environment: the
 * current release (aggregated discovery v2) and the older one (v1.29: aggregated discovery only
 * as v2beta1, a 406 for a client that asks for v2 alone), as clusters people run still are.
 * Every answer is the API server's own, for the user's own token.
 */
const SESSION_KEY = 'k'.repeat(48);
const V2_ONLY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

describe.each([
  { kubernetes: 'current', version: /^v1\.36\./, discovery: 'v2' },
  { kubernetes: 'older', version: /^v1\.29\./, discovery: 'v2beta1' },
] as Array<{ kubernetes: NonNullable<DevClusterOptions['kubernetes']>; version: RegExp; discovery: string }>)('the gateway against the $kubernetes kube-apiserver', ({ kubernetes, version, discovery }) => {
  let cluster: DevCluster;
  let gateway: NestFastifyApplication;
  let base: string;
  let dir: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await DevCluster.start({ kubernetes });
    for (const user of ['admin', 'alice'] as const) tokens[user] = (await cluster.login(user)).idToken;
    dir = mkdtempSync(join(tmpdir(), 'cairn-gw-versions-'));
    const settings = readGatewaySettings(
      { KUBECONFIG: cluster.info.kubeconfig, CAIRN_WEB_ROOT: dir, CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_LOG_LEVEL: 'error', CAIRN_IN_CLUSTER: 'false' },
      process.cwd(),
    );
    gateway = await createGateway({ ...settings, port: 0 });
    await gateway.listen(0, '127.0.0.1');
    const address = gateway.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 600_000);

  afterAll(async () => {
    await gateway?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as Record<string, unknown> & { message?: string }, text };
  };
  const clusterPath = '/api/v1/clusters/cairn-dev';

  it('runs the Kubernetes version it says, with the aggregated discovery that version has', async () => {
    const admin = cluster.adminApi();
    expect((await admin.json<{ gitVersion: string }>('GET', '/version')).gitVersion).toMatch(version);
    const asked = await admin.send('GET', '/apis', { accept: V2_ONLY });
    if (discovery === 'v2') expect(asked.status).toBe(200);
    else expect(asked.status).toBe(406); // what a v2-only client met on these servers
  });

  it('serves discovery: every kind (CRDs, several versions, cluster-scoped) from the aggregated form, and the legacy reader agrees kind for kind', async () => {
    const served = await cluster.adminApi().open('GET', '/apis', {
      accept: ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList', 'application/json'].join(','),
    });
    served.resume();
    expect(String(served.headers['content-type'])).toContain(`v=${discovery};as=APIGroupDiscoveryList`);
    const kinds = (await call('GET', `${clusterPath}/api-resources`, { token: tokens['admin'] })).json as unknown as Array<Record<string, unknown>>;
    const key = (r: Record<string, unknown>) => `${r['group']}/${r['version']}/${r['resource']}`;
    expect(kinds.length).toBeGreaterThan(40);
    expect(kinds).toEqual(expect.arrayContaining([expect.objectContaining({ group: 'apps', resource: 'deployments', kind: 'Deployment', namespaced: true, preferred: true })]));
    expect(kinds).toEqual(expect.arrayContaining([expect.objectContaining({ group: 'example.com', version: 'v1', resource: 'clusterprobes', kind: 'ClusterProbe', namespaced: false })]));
    expect(kinds.map(key)).toEqual(expect.arrayContaining(['example.com/v1/gadgets', 'example.com/v1/sensors', 'example.com/v1beta1/sensors']));
    expect(kinds.map(key)).not.toContain('example.com/v1alpha1/sensors');
    const admin = tokens['admin'] as string;
    const legacy = await gateway.get(DiscoveryService).legacyResources('cairn-dev', { token: admin, via: 'header', credential: admin, identity: 'test:admin', verified: true, source: '127.0.0.1' });
    const byKey = (list: Array<Record<string, unknown>>) => Object.fromEntries(list.map((r) => [key(r), { ...r, verbs: [...(r['verbs'] as string[])].sort(), subresources: [...(r['subresources'] as string[])].sort() }]));
    expect(byKey(legacy as unknown as Array<Record<string, unknown>>)).toEqual(byKey(kinds));
  });

  it('lists with the caller\u2019s RBAC: alice in team-a yes, team-b no, with the API server\u2019s reason', async () => {
    const allowed = await call('GET', `${clusterPath}/resources/apps/v1/deployments?namespace=team-a`, { token: tokens['alice'] });
    expect(allowed.status).toBe(200);
    expect((allowed.json['items'] as Array<{ metadata: { name: string } }>).map((d) => d.metadata.name).sort()).toEqual(['queue-worker', 'reports', 'web']);
    const refused = await call('GET', `${clusterPath}/resources/apps/v1/deployments?namespace=team-b`, { token: tokens['alice'] });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('User "alice@cairn.test" cannot list resource "deployments" in API group "apps" in the namespace "team-b"');
  });

  it('lists a custom resource as the API server\u2019s table: its printer columns, cluster-scoped too', async () => {
    const table = await call('GET', `${clusterPath}/resources/example.com/v1/clusterprobes?as=Table`, { token: tokens['admin'] });
    expect(table.status).toBe(200);
    const columns = (table.json['columnDefinitions'] as Array<{ name: string; priority?: number }>).map((c) => c.name);
    expect(columns).toEqual(['Name', 'Interval', 'Success Rate', 'Paused', 'Last Probe', 'Targets', 'First Target', 'Healthy', 'Latency', 'Owner', 'Since', 'Checksum']); // no Age: a CRD with printer columns gets only its own
    const rows = table.json['rows'] as Array<{ cells: unknown[]; object: { metadata: { name: string } } }>;
    const edge = rows.find((r) => r.object.metadata.name === 'edge-dns');
    // JSONPath into an array: the server prints the first match only (as kubectl get shows it).
    expect(edge?.cells[columns.indexOf('Targets')]).toBe('10.0.0.53');
    expect(edge?.cells[columns.indexOf('Interval')]).toBe(30);
    // The older version of a CRD is listed with that version's columns.
    const beta = await call('GET', `${clusterPath}/resources/example.com/v1beta1/sensors?namespace=team-b&as=Table`, { token: tokens['admin'] });
    expect((beta.json['columnDefinitions'] as Array<{ name: string }>).map((c) => c.name)).toEqual(['Name', 'Size']);
  });

  it('reads one object for its detail page, and refuses one the caller may not get', async () => {
    const web = await call('GET', `${clusterPath}/resources/apps/v1/deployments/web?namespace=team-a`, { token: tokens['alice'] });
    expect(web.status).toBe(200);
    expect(web.json).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a' } });
    const probe = await call('GET', `${clusterPath}/resources/example.com/v1/clusterprobes/edge-dns`, { token: tokens['admin'] });
    expect(probe.json).toMatchObject({ kind: 'ClusterProbe', spec: { intervalSeconds: 30 } });
    expect((await call('GET', `${clusterPath}/resources/apps/v1/deployments/api?namespace=team-b`, { token: tokens['alice'] })).status).toBe(403);
  });

  it('applies YAML after a server-side dry run (created, then unchanged), reading numbers as kubectl does', async () => {
    const yaml = (name: string) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, '  namespace: team-a', 'data:', '  greeting: hello', ''].join('\n');
    const dry = await call('POST', `${clusterPath}/apply?dryRun=true`, { token: tokens['alice'], body: { yaml: yaml('from-cairn') } });
    expect(dry.json).toEqual({ dryRun: true, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'from-cairn', namespace: 'team-a', result: 'created' }] });
    const real = await call('POST', `${clusterPath}/apply`, { token: tokens['alice'], body: { yaml: yaml('from-cairn') } });
    expect((real.json['objects'] as Array<{ result: string }>)[0]?.result).toBe('created');
    const again = await call('POST', `${clusterPath}/apply`, { token: tokens['alice'], body: { yaml: yaml('from-cairn') } });
    expect((again.json['objects'] as Array<{ result: string }>)[0]?.result).toBe('unchanged');
    expect((await call('POST', `${clusterPath}/apply`, { token: tokens['alice'], body: { yaml: yaml('x').replace('team-a', 'team-b') } })).status).toBe(403);

    // A manifest's octal modes: what Cairn stores equals what `kubectl apply --dry-run=server` would.
    const pod = [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: yaml-modes', '  namespace: team-a', 'spec:', '  containers:', '    - name: c', '      image: busybox:1.37',
      '  volumes:', '    - name: secret', '      secret: { secretName: db-credentials, defaultMode: 0400 }', '    - name: config', '      configMap: { name: settings, defaultMode: 0644 }', '',
    ].join('\n');
    const kubectl = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(cluster.info.binDir, 'kubectl'), ['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl: ${err}`))));
      child.stdin.end(pod);
    });
    type Pod = { spec: { volumes: Array<{ secret?: { defaultMode: number }; configMap?: { defaultMode: number } }> } };
    const modes = (p: Pod) => p.spec.volumes.map((v) => v.secret?.defaultMode ?? v.configMap?.defaultMode);
    expect(modes(JSON.parse(kubectl) as Pod)).toEqual([256, 420]);
    expect((await call('POST', `${clusterPath}/apply`, { token: tokens['admin'], body: { yaml: pod } })).status).toBe(200);
    try {
      expect(modes(await cluster.adminApi().json<Pod>('GET', '/api/v1/namespaces/team-a/pods/yaml-modes'))).toEqual([256, 420]);
    } finally {
      await cluster.adminApi().send('DELETE', '/api/v1/namespaces/team-a/pods/yaml-modes?gracePeriodSeconds=0');
    }
  });
});
