import { DevCluster } from './cluster';
import { KubeApi } from './kube-api';
import { kubectlOut } from './kubectl';
import { USAGE_CPU_ANNOTATION, USAGE_MEMORY_ANNOTATION } from './metrics-server';
import { waitUntil } from './wait-until';

/**
 * metrics.k8s.io in the development cluster is served for real: the API server's aggregation
 * layer proxies to metrics-server, which scrapes kwok's emulated kubelets; the oracle is the
 * cluster's own kubectl (`kubectl top`).
 */

/** `kubectl top` output as rows of columns (header left out). */
const rows = (out: string) => out.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));

describe('metrics.k8s.io in the development cluster', () => {
  let cluster: DevCluster;
  let admin: KubeApi;

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await DevCluster.start({ metrics: true, log: (line) => process.stderr.write(`${line}\n`) });
    admin = cluster.adminApi();
    process.stderr.write(`metrics spec: cluster with metrics up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    // A pod whose emulated usage we choose (kwok's usage annotations), next to the seed's.
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'metrics-probe', namespace: 'team-a', annotations: { [USAGE_CPU_ANNOTATION]: '250m', [USAGE_MEMORY_ANNOTATION]: '300Mi' } },
      spec: { containers: [{ name: 'probe', image: 'busybox' }], nodeName: 'kwok-node-1' },
    });
    const t1 = Date.now();
    await cluster.waitForMetrics(5, 120_000);
    await waitUntil('metrics for team-a/metrics-probe', async () => (await admin.send('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/metrics-probe')).status === 200);
    process.stderr.write(`metrics spec: first pod and node metrics ${((Date.now() - t1) / 1000).toFixed(1)} s later\n`);
  }, 420_000);

  afterAll(async () => {
    admin?.close();
    await cluster?.stop();
  });

  it('serves the APIService through the aggregation layer (Available)', async () => {
    const service = await admin.get<{ spec: { service: { name: string } }; status: { conditions: Array<{ type: string; status: string }> } }>('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io');
    expect(service.spec.service.name).toBe('metrics-server');
    expect(service.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'True' })]));
    expect(cluster.info.metricsServer?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('kubectl top pods -n team-a prints the usage kwok emulates', async () => {
    // metrics-server lists a pod only once two scrapes have given its CPU counter a rate: on a slow
    // machine the seed's second web pod can be a scrape behind the pods waited for above.
    await waitUntil('metrics for both of team-a\'s web pods', async () => {
      const list = await admin.get<{ items: Array<{ metadata: { name: string } }> }>('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods');
      return list.items.filter((p) => p.metadata.name.startsWith('web-')).length === 2;
    }, 60_000);
    const out = await kubectlOut(cluster, ['top', 'pods', '-n', 'team-a']);
    process.stderr.write(`kubectl top pods -n team-a:\n${out}`);
    const probe = rows(out).find((r) => r[0] === 'metrics-probe');
    expect(probe).toBeDefined();
    const [, cpu, memory] = probe as string[];
    // A working-set gauge: exact. CPU: the rate of a cumulative counter between two scrapes.
    expect(memory).toBe('300Mi');
    expect(cpu).toMatch(/^\d+m$/);
    expect(Math.abs(parseInt(cpu as string, 10) - 250)).toBeLessThanOrEqual(25);
    // The seed's web pods: two containers at the default 2m / 8Mi each.
    const web = rows(out).filter((r) => r[0]?.startsWith('web-'));
    expect(web.length).toBe(2);
    for (const [, , mem] of web) expect(mem).toBe('16Mi');
  }, 90_000);

  it('kubectl top nodes prints each kwok node with the sum of its pods and its share of capacity', async () => {
    const out = await kubectlOut(cluster, ['top', 'nodes']);
    process.stderr.write(`kubectl top nodes:\n${out}`);
    const nodes = rows(out).filter((r) => r[0]?.startsWith('kwok-node-'));
    expect(nodes.map((r) => r[0]).sort()).toEqual(['kwok-node-1', 'kwok-node-2']);
    const node1 = nodes.find((r) => r[0] === 'kwok-node-1') as string[];
    // NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%): at least the probe's 250m and 300Mi run there.
    expect(node1[1]).toMatch(/^\d+m$/);
    expect(parseInt(node1[1] as string, 10)).toBeGreaterThanOrEqual(225);
    expect(node1[3]).toMatch(/^\d+Mi$/);
    expect(parseInt(node1[3] as string, 10)).toBeGreaterThanOrEqual(300);
    expect(node1[2]).toMatch(/^\d+%$/);
  });

  it('follows RBAC: view may read pod and node metrics, alice only team-a pods, gus nothing to list', async () => {
    const victor = cluster.tokenApi((await cluster.login('victor')).idToken);
    const alice = cluster.tokenApi((await cluster.login('alice')).idToken);
    const gus = cluster.tokenApi((await cluster.login('gus')).idToken);
    expect((await victor.send('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).status).toBe(200);
    expect((await alice.send('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods')).status).toBe(200);
    expect((await alice.send('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team-b/pods')).status).toBe(403);
    expect((await alice.send('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).status).toBe(403);
    expect((await gus.send('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods')).status).toBe(403);
    for (const api of [victor, alice, gus]) api.close();
  });
});
