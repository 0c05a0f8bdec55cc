import { createRolloutFixture, DevCluster, KubeApi, RolloutFixture, waitUntil } from '@cairn/kube-testenv';
import { revisionHistory, rollbackPlan, RolloutKind } from '@cairn/kube-model';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { captureJsonLogs } from '../testing/json-logs';

/**
 * A rollback as the console makes it, through the gateway's existing PATCH route with the
 * caller's own token against the real control plane: the plan is kube-model's
 * (`rollbackPlan`, checked against kubectl in rollout.kubectl.spec.ts), the dry-run preview and
 * the change are the API server's, RBAC decides who may, a stale plan is the API server's 409,
 * and every try leaves an audit line. The revisions are the controller-manager's, made by
 * changing images in team-a (where alice may edit).
 */
describe('rolling a workload back through the gateway (real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  let fixture: RolloutFixture;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};
  const namespace = 'team-a';

  beforeAll(async () => {
    logs = captureJsonLogs();
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
    fixture = await createRolloutFixture(admin, { namespace, prefix: `gw${process.pid}` });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    await test?.close();
    admin?.close();
    await cluster?.stop();
  });

  type Workload = { metadata: { name: string; resourceVersion: string }; spec: { template: { spec: { containers: Array<{ image: string }> } } } };
  const nameOf = (kind: RolloutKind) => ({ deployments: fixture.deployment, statefulsets: fixture.statefulSet, daemonsets: fixture.daemonSet })[kind];
  const read = (kind: RolloutKind) => admin.get<Workload>(`/apis/apps/v1/namespaces/${namespace}/${kind}/${nameOf(kind)}`);
  /** The plan to revision `revision`, from the workload and its ReplicaSets/ControllerRevisions as they are now. */
  async function planTo(kind: RolloutKind, revision: number, resourceVersion?: string) {
    const owner = await read(kind);
    const resource = kind === 'deployments' ? 'replicasets' : 'controllerrevisions';
    const items = (await admin.get<{ items: Array<{ metadata: { name: string } }> }>(`/apis/apps/v1/namespaces/${namespace}/${resource}?labelSelector=app%3D${nameOf(kind)}`)).items;
    const record = revisionHistory(kind, owner, items).find((r) => r.revision === revision);
    const plan = rollbackPlan(kind, owner, items.find((i) => i.metadata.name === record?.name), resourceVersion ?? owner.metadata.resourceVersion);
    if (plan.action !== 'patch') throw new Error(`expected a patch, got ${JSON.stringify(plan)}`);
    return plan;
  }
  const patch = (user: string, kind: RolloutKind, plan: { patchType: 'json' | 'strategic'; patch: unknown }, dryRun: boolean) =>
    fetch(`${test.base}/api/v1/clusters/cairn-dev/resources/apps/v1/${kind}/${nameOf(kind)}?namespace=${namespace}${dryRun ? '&dryRun=true' : ''}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': plan.patchType === 'json' ? 'application/json-patch+json' : 'application/strategic-merge-patch+json' },
      body: JSON.stringify(plan.patch),
    });

  it('is refused by the API server to a view user, previewed or not, and each refusal is audited', async () => {
    const plan = await planTo('deployments', 1);
    const from = logs.lines.length;
    expect((await patch('victor', 'deployments', plan, true)).status).toBe(403);
    expect((await patch('victor', 'deployments', plan, false)).status).toBe(403);
    expect(logs.audits(from)).toEqual([
      expect.objectContaining({ who: 'victor@cairn.test', action: 'patch (dry run)', result: 'refused', status: 403 }),
      expect.objectContaining({ who: 'victor@cairn.test', action: 'patch', result: 'refused', status: 403 }),
    ]);
    expect((await read('deployments')).spec.template.spec.containers[0]?.image).toBe(fixture.images[2]);
  });

  it.each(['deployments', 'statefulsets', 'daemonsets'] as const)('%s: an editor previews the rollback to revision 1 (nothing changes), then applies it; both audited', async (kind) => {
    const plan = await planTo(kind, 1);
    const from = logs.lines.length;
    const preview = await patch('alice', kind, plan, true);
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as Workload).spec.template.spec.containers[0]?.image).toBe(fixture.images[0]);
    expect((await read(kind)).spec.template.spec.containers[0]?.image).toBe(fixture.images[2]);

    const applied = await patch('alice', kind, plan, false);
    expect(applied.status).toBe(200);
    expect((await read(kind)).spec.template.spec.containers[0]?.image).toBe(fixture.images[0]);
    expect(logs.audits(from)).toEqual([
      expect.objectContaining({ who: 'alice@cairn.test', action: 'patch (dry run)', result: 'ok', target: expect.stringContaining(nameOf(kind)) }),
      expect.objectContaining({ who: 'alice@cairn.test', action: 'patch', result: 'ok', target: expect.stringContaining(nameOf(kind)) }),
    ]);
    // The controller-manager takes it from there: revision 1's template becomes the newest revision (4).
    await waitUntil(`${kind} ${nameOf(kind)} to record the rollback as revision 4`, async () => {
      const owner = await read(kind);
      const resource = kind === 'deployments' ? 'replicasets' : 'controllerrevisions';
      const items = (await admin.get<{ items: unknown[] }>(`/apis/apps/v1/namespaces/${namespace}/${resource}?labelSelector=app%3D${nameOf(kind)}`)).items;
      const current = revisionHistory(kind, owner, items).find((r) => r.current);
      return current?.revision === 4 && current.images[0] === fixture.images[0];
    });
  });

  it('a rollback planned before a colleague changed the Deployment is the API server\u2019s 409, and nothing is rolled back', async () => {
    const stale = await read('deployments');
    await admin.json('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${fixture.deployment}`, { metadata: { annotations: { 'cairn.test/colleague': 'was-here' } } }, 'application/merge-patch+json');
    const plan = await planTo('deployments', 3, stale.metadata.resourceVersion);
    const from = logs.lines.length;
    const res = await patch('alice', 'deployments', plan, false);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/modified/);
    expect(logs.audits(from)).toEqual([expect.objectContaining({ who: 'alice@cairn.test', action: 'patch', result: 'refused', status: 409 })]);
    expect((await read('deployments')).spec.template.spec.containers[0]?.image).toBe(fixture.images[0]);
  });
});
