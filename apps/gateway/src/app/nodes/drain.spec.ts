import { createDrainFixture, DevCluster, KubeApi } from '@cairn/kube-testenv';
import type { DrainEvent } from '@cairn/api-contracts';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { captureJsonLogs } from '../testing/json-logs';
import { until } from '../testing/until';

/**
 * Draining a node against the real control plane, on a node of the test's own (kwok makes it
 * Ready) that nothing else schedules onto (a taint only the test's pods tolerate): the
 * API server's authorization and the disruption controller decide, not the gateway.
 */

const NODE = `drain-test-${process.pid}`;
const NS = `drain-test-${process.pid}`;

describe('draining a node (real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};

  const podsOnNode = async () =>
    (await admin.get<{ items: Array<{ metadata: { name: string; uid: string; ownerReferences?: Array<{ kind: string }> }; status?: { phase?: string } }> }>(`/api/v1/pods?fieldSelector=spec.nodeName=${NODE}`)).items;

  /** Starts a drain; its lines arrive in `events` while it runs, `ended` resolves when the stream closes. */
  async function drain(user: string, body: Record<string, unknown>) {
    const abort = new AbortController();
    const res = await fetch(`${test.base}/api/v1/clusters/cairn-dev/nodes/${NODE}/drain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const events: DrainEvent[] = [];
    const ended = (async () => {
      if (!res.ok || !res.body) return await res.text();
      const decoder = new TextDecoder();
      let rest = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        rest += decoder.decode(chunk, { stream: true });
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as DrainEvent);
      }
      return '';
    })().catch(() => '');
    return { status: res.status, events, ended, abort, done: () => events.find((e) => e.type === 'done') as Extract<DrainEvent, { type: 'done' }> | undefined };
  }

  beforeAll(async () => {
    logs = captureJsonLogs();
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });

    // Two web pods behind a budget of 2, a DaemonSet pod and a bare emptyDir pod, on a node of its own.
    await createDrainFixture(admin, { node: NODE, namespace: NS, taintKey: 'cairn.test/drain', webReplicas: 2 });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    await test?.close();
    admin?.close();
    await cluster?.stop();
  });

  it('is refused by the API server to a view user and an editor of one namespace, and nothing is cordoned', async () => {
    for (const user of ['victor', 'alice']) {
      const from = logs.lines.length;
      const refused = await drain(user, { force: true });
      expect(refused.status).toBe(403);
      expect(await refused.ended).toContain('refused');
      expect(logs.audits(from)).toEqual([expect.objectContaining({ action: 'drain', result: 'refused', status: 403, who: `${user}@cairn.test` })]);
    }
    const node = await admin.get<{ spec: { unschedulable?: boolean } }>(`/api/v1/nodes/${NODE}`);
    expect(node.spec.unschedulable).toBeUndefined();
  });

  it('cordons first, skips the DaemonSet pod, and evicts nothing while a pod with no controller and emptyDir data lacks consent', async () => {
    const before = await podsOnNode();
    const run = await drain('admin', {});
    expect(run.status).toBe(200);
    await run.ended;
    expect(run.events[0]).toEqual({ type: 'cordoned', node: NODE, already: false });
    const plan = run.events.find((e) => e.type === 'plan') as Extract<DrainEvent, { type: 'plan' }>;
    expect(plan.skipped).toEqual([{ namespace: NS, name: expect.stringMatching(/^agent-/), reason: 'DaemonSet' }]);
    expect(plan.evict.map((p) => p.name).sort()).toEqual([...before.filter((p) => p.metadata.name.startsWith('web-')).map((p) => p.metadata.name), 'scratch'].sort());
    expect(plan.needsConsent).toEqual([{ namespace: NS, name: 'scratch', concerns: ['emptyDir data', 'no controller'] }]);
    expect(run.done()).toMatchObject({ result: 'refused', pods: [{ namespace: NS, name: 'scratch' }] });
    expect(run.done()?.message).toContain('--force');
    expect(run.events.some((e) => e.type === 'pod')).toBe(false);
    expect((await podsOnNode()).map((p) => p.metadata.uid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());
    expect((await admin.get<{ spec: { unschedulable?: boolean } }>(`/api/v1/nodes/${NODE}`)).spec.unschedulable).toBe(true);
  });

  it('waits on the disruption budget, times out saying what to do, then drains once the budget is relaxed', async () => {
    // With consent the bare pod goes; the budget holds both web pods until the deadline.
    const short = await drain('admin', { force: true, deleteEmptyDirData: true, timeoutSeconds: 4 });
    await short.ended;
    expect(short.events[0]).toMatchObject({ type: 'cordoned', already: true });
    expect(short.events).toContainEqual({ type: 'pod', namespace: NS, name: 'scratch', state: 'evicted' });
    const waiting = short.events.filter((e) => e.type === 'pod' && e.state === 'waiting');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0]).toMatchObject({ budget: 'web-budget', message: expect.stringContaining('Waiting on budget web-budget') });
    expect(short.done()).toMatchObject({ result: 'timed out' });
    expect(short.done()?.message).toContain('relax the budget');
    expect((await podsOnNode()).filter((p) => p.metadata.name.startsWith('web-'))).toHaveLength(2);

    const from = logs.lines.length;
    const run = await drain('admin', { force: true, deleteEmptyDirData: true, timeoutSeconds: 120 });
    expect(run.status).toBe(200);
    await until('a web pod waiting on the budget', async () => run.events.find((e) => e.type === 'pod' && e.state === 'waiting' && e.budget === 'web-budget'));
    // One drain of a node at a time.
    const second = await drain('admin', { force: true });
    expect(second.status).toBe(409);
    expect(await second.ended).toContain('already being drained');

    await admin.json('PATCH', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web-budget`, { spec: { minAvailable: 0 } }, 'application/merge-patch+json');
    await until('the drain to end', async () => run.done(), 120_000);
    expect(run.done()).toMatchObject({ result: 'drained' });
    const evicted = run.events.filter((e) => e.type === 'pod' && e.state === 'evicted').map((e) => (e as { name: string }).name);
    expect(evicted).toHaveLength(2);
    const left = await podsOnNode();
    expect(left.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet']);
    await until('the audit line of the end', async () => logs.audits(from).find((a) => a['result'] === 'drained'));
    expect(logs.audits(from).filter((a) => a['action'] === 'drain' && a['who'] === 'admin@cairn.test')).toEqual([
      expect.objectContaining({ result: 'started', target: expect.stringContaining(`/api/v1/nodes/${NODE}`) }),
      expect.objectContaining({ result: 'drained' }),
    ]);
  });

  it('stops when the caller goes away', async () => {
    await admin.json('PATCH', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web-budget`, { spec: { minAvailable: 2 } }, 'application/merge-patch+json');
    await admin.json('PATCH', `/api/v1/nodes/${NODE}`, { spec: { unschedulable: false } }, 'application/merge-patch+json');
    await until('both web pods back on the node, counted by the budget', async () => {
      const pods = (await podsOnNode()).filter((p) => p.metadata.name.startsWith('web-') && p.status?.phase === 'Running');
      const pdb = await admin.get<{ status?: { currentHealthy?: number } }>(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web-budget`);
      return pods.length === 2 && pdb.status?.currentHealthy === 2 ? true : undefined;
    });
    const from = logs.lines.length;
    const run = await drain('admin', { timeoutSeconds: 120 });
    await until('a web pod waiting on the budget', async () => run.events.find((e) => e.type === 'pod' && e.state === 'waiting'));
    run.abort.abort();
    await until('the audit line of the cancelled drain', async () => logs.audits(from).find((a) => a['result'] === 'cancelled'));
    // The slot is free again.
    const again = await drain('admin', { timeoutSeconds: 1 });
    expect(again.status).toBe(200);
    await again.ended;
    expect(again.done()?.result).toBe('timed out');
  });
});
