import { DevCluster, KubeApi, kubectlOut } from '@cairn/kube-testenv';
import type { MetricsReply, UsageSample } from '@cairn/api-contracts';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { until } from '../testing/until';

/**
 * Cairn's pod and node usage against `kubectl top` on the real dev cluster (metrics-server
 * behind the API server's aggregation layer, scraping kwok's emulated kubelets). metrics-server
 * keeps one sample per scrape (10 s): a comparison counts when kubectl printed the same before
 * and after Cairn's answer, so all three saw the same scrape.
 */

type Row = string[];
const rows = (out: string): Row[] => out.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));

describe('metrics (kubectl top) against the real cluster', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  const tokens: Record<string, string> = {};

  const get = async (user: string, path: string) => {
    const res = await fetch(`${test.base}/api/v1/clusters/cairn-dev/metrics/${path}`, { headers: { authorization: `Bearer ${tokens[user]}` } });
    return { status: res.status, body: (await res.json()) as MetricsReply & { message?: string } };
  };
  const items = (body: MetricsReply): UsageSample[] => {
    if (!body.served) throw new Error(`metrics not served: ${body.message}`);
    return body.items;
  };

  /** kubectl's rows and Cairn's, taken when no scrape fell between them. */
  async function sameMoment(kubectlArgs: string[], cairnPath: string): Promise<{ kubectl: Row[]; cairn: UsageSample[] }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await kubectlOut(cluster, kubectlArgs);
      const cairn = items((await get('admin', cairnPath)).body);
      const after = await kubectlOut(cluster, kubectlArgs);
      if (before === after) return { kubectl: rows(before), cairn };
    }
    throw new Error('metrics-server scraped between every kubectl run and Cairn\u2019s answer (5 tries)');
  }

  beforeAll(async () => {
    cluster = await DevCluster.start({ metrics: true });
    admin = cluster.adminApi();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig);
    await cluster.waitForMetrics(5, 120_000);
  }, 420_000);

  afterAll(async () => {
    admin?.close();
    await test?.close();
    await cluster?.stop();
  });

  it('gives every pod of every namespace the CPU and memory kubectl top pods -A prints', async () => {
    const { kubectl, cairn } = await sameMoment(['top', 'pods', '-A', '--no-headers'], 'pods');
    expect(kubectl.length).toBeGreaterThanOrEqual(5);
    const byKey = new Map(cairn.map((s) => [`${s.namespace}/${s.name}`, s]));
    for (const [namespace, name, cpu, memory] of kubectl) {
      const sample = byKey.get(`${namespace}/${name}`);
      expect({ namespace, name, cpu: sample?.cpu, memory: sample?.memory }).toEqual({ namespace, name, cpu, memory });
      expect(sample?.cpuMillicores).toBe(parseInt(cpu as string, 10));
      expect(sample?.memoryMiB).toBe(parseInt(memory as string, 10));
    }
    expect(cairn.length).toBe(kubectl.length);
  });

  it('gives every node the CPU, memory and shares of allocatable kubectl top nodes prints', async () => {
    const { kubectl, cairn } = await sameMoment(['top', 'nodes', '--no-headers'], 'nodes');
    const measured = kubectl.filter((r) => r[1] !== '<unknown>');
    expect(measured.map((r) => r[0])).toEqual(expect.arrayContaining(['kwok-node-1', 'kwok-node-2']));
    for (const [name, cpu, cpuPercent, memory, memoryPercent] of measured) {
      const sample = cairn.find((s) => s.name === name);
      expect({ name, cpu: sample?.cpu, cpuPercent: sample?.cpuPercent, memory: sample?.memory, memoryPercent: sample?.memoryPercent }).toEqual({ name, cpu, cpuPercent, memory, memoryPercent });
    }
  });

  it('answers one pod and one node by name, as kubectl top pod/node NAME', async () => {
    // A web pod metrics-server has sampled: a pod started after its last scrape has no sample yet
    // and kubectl top pod NAME says NotFound for it (seen in CI on a just-restarted replica).
    const web = await until('a sample of a team-a web pod', async () => {
      const sampled = await admin.get<{ items: Array<{ metadata: { name: string } }> }>('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods');
      return sampled.items.map((p) => p.metadata.name).find((n) => n.startsWith('web-'));
    }, 60_000);
    const pod = await sameMoment(['top', 'pod', '-n', 'team-a', web, '--no-headers'], `pods?namespace=team-a&name=${web}`);
    expect(pod.cairn.map((s) => [s.name, s.cpu, s.memory])).toEqual(pod.kubectl.map((r) => [r[0], r[1], r[2]]));
    const node = await sameMoment(['top', 'node', 'kwok-node-1', '--no-headers'], 'nodes?name=kwok-node-1');
    expect(node.cairn.map((s) => [s.name, s.cpu, s.cpuPercent, s.memory, s.memoryPercent])).toEqual(node.kubectl);
    // A pod metrics-server has no sample of (yet): no numbers, not an error.
    const none = await get('admin', 'pods?namespace=team-a&name=no-such-pod');
    expect(none).toEqual({ status: 200, body: { served: true, items: [] } });
  });

  it('reads as the caller: alice sees team-a pods but no nodes, victor nodes without shares he may read', async () => {
    const alicePods = await get('alice', 'pods?namespace=team-a');
    expect(alicePods.status).toBe(200);
    expect(items(alicePods.body).length).toBeGreaterThan(0);
    expect((await get('alice', 'pods?namespace=team-b')).status).toBe(403);
    const aliceNodes = await get('alice', 'nodes');
    expect(aliceNodes.status).toBe(403);
    expect(aliceNodes.body.message).toMatch(/cannot list resource "nodes" in API group "metrics.k8s.io"/);
    const victorNodes = await get('victor', 'nodes');
    expect(victorNodes.status).toBe(200);
    // view reads metrics of nodes but not the Node objects: usage without kubectl's shares of allocatable.
    const node = items(victorNodes.body).find((s) => s.name === 'kwok-node-1');
    expect(node?.cpu).toMatch(/^\d+m$/);
    expect(node?.cpuPercent).toBeUndefined();
  });

  it('refuses a bad query naming the rule', async () => {
    const res = await get('admin', 'pods?name=web');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/name needs namespace/);
    expect((await get('admin', 'pods?namespaces=team-a')).status).toBe(400);
  });

  it('crossing CAIRN_MAX_UPSTREAM_BODY_BYTES is a 502 naming the bound, not a partial list', async () => {
    const small = await gatewayFor(cluster.info.kubeconfig, { CAIRN_MAX_UPSTREAM_BODY_BYTES: '1024' });
    try {
      const res = await fetch(`${small.base}/api/v1/clusters/cairn-dev/metrics/pods`, { headers: { authorization: `Bearer ${tokens['admin']}` } });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { message: string }).message).toMatch(/CAIRN_MAX_UPSTREAM_BODY_BYTES/);
    } finally {
      await small.close();
    }
  });

  it('says so, without numbers, when metrics.k8s.io is unavailable or not served at all', async () => {
    const path = '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io';
    // Put back as DevCluster registered it, whatever happens below.
    const saved = await admin.get<{ metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> }>(path);
    try {
      // Registered, but pointing where nothing answers: the aggregator's 503.
      await admin.json('PATCH', path, { spec: { service: { port: 1 } } }, 'application/merge-patch+json');
      const unavailable = await until('the APIService to be unavailable', async () => {
        const r = await get('admin', 'pods?namespace=team-a');
        return r.body.served === false ? r : undefined;
      });
      expect(unavailable.status).toBe(200);
      expect(unavailable.body).toEqual({ served: false, message: expect.stringMatching(/registers metrics.k8s.io but its server is unavailable.*check metrics-server/) });
      // Not registered at all: the API server does not know the group.
      await admin.send('DELETE', path);
      const missing = await until('metrics.k8s.io to be gone', async () => {
        const r = await get('admin', 'nodes');
        return r.body.served === false && /does not serve/.test(r.body.message) ? r : undefined;
      });
      expect(missing.body).toEqual({ served: false, message: expect.stringMatching(/does not serve metrics.k8s.io .*install metrics-server/) });
      const alice = await get('alice', 'pods?namespace=team-a');
      expect(alice.body.served).toBe(false);
    } finally {
      await admin.send('DELETE', path).catch(() => undefined);
      await admin.create({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: saved.metadata.name, labels: saved.metadata.labels }, spec: saved.spec });
    }
  });
});
