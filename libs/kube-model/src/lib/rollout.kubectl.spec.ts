import { createRolloutFixture, DevCluster, KubeApi, kubectl, RolloutFixture, waitUntil } from '@cairn/kube-testenv';
import { asObject, Json } from './json-shape';
import { REVISION_ANNOTATION, revisionHistory, rollbackPlan, RolloutKind, rolloutProgress } from './rollout';

/**
 * kubectl is the oracle for the rollout rules: `kubectl rollout history` for the revisions,
 * `kubectl rollout undo --to-revision` (run for real, on the same object, after Cairn's plan was
 * dry-run on the API server) for what a rollback changes, its refusals and skips, and
 * `kubectl rollout status --watch=false` for the progress message. The revisions are the
 * controller-manager's own, made by changing each workload's image (createRolloutFixture).
 */
describe('rollout rules against kubectl', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let fixture: RolloutFixture;
  const namespace = 'rollout-model';

  beforeAll(async () => {
    cluster = await DevCluster.start({ seed: true });
    admin = cluster.adminApi();
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    fixture = await createRolloutFixture(admin, { namespace, prefix: 'r' });
  }, 420_000);

  afterAll(() => cluster?.stop());

  const run = async (args: string[]) => {
    const result = await kubectl(cluster.info, args);
    return { ...result, out: result.stdout + result.stderr };
  };
  const names = (): Record<RolloutKind, string> => ({ deployments: fixture.deployment, statefulsets: fixture.statefulSet, daemonsets: fixture.daemonSet });
  const kindArg: Record<RolloutKind, string> = { deployments: 'deployment', statefulsets: 'statefulset', daemonsets: 'daemonset' };
  const path = (kind: RolloutKind, name = names()[kind]) => `/apis/apps/v1/namespaces/${namespace}/${kind}/${name}`;
  const read = (kind: RolloutKind) => admin.get<Record<string, Json>>(path(kind));
  /** The ReplicaSets or ControllerRevisions of the workload's namespace matching its selector, as the console lists them. */
  const candidates = async (kind: RolloutKind, owner: Json) => {
    const selector = Object.entries(asObject(asObject(asObject(asObject(owner)['spec'])['selector'])['matchLabels'])).map(([k, v]) => `${k}=${String(v)}`).join(',');
    const resource = kind === 'deployments' ? 'replicasets' : 'controllerrevisions';
    return (await admin.get<{ items: Json[] }>(`/apis/apps/v1/namespaces/${namespace}/${resource}?labelSelector=${encodeURIComponent(selector)}`)).items;
  };
  const history = async (kind: RolloutKind) => {
    const owner = await read(kind);
    return { owner, revisions: revisionHistory(kind, owner, await candidates(kind, owner)) };
  };
  /** `kubectl rollout history` as [revision, change-cause] rows, `<none>` as undefined. */
  const kubectlHistory = async (kind: RolloutKind) => {
    const { code, out } = await run(['rollout', 'history', '-n', namespace, `${kindArg[kind]}/${names()[kind]}`]);
    expect(code).toBe(0);
    return out
      .split('\n')
      .map((line) => /^(\d+)\s+(.*?)\s*$/.exec(line))
      .filter((m): m is RegExpExecArray => Boolean(m))
      .map((m) => [Number(m[1]), m[2] === '<none>' ? undefined : m[2]]);
  };

  it.each(['deployments', 'statefulsets', 'daemonsets'] as const)('%s: the history is the one kubectl rollout history prints, images and the current revision included', async (kind) => {
    const { revisions } = await history(kind);
    expect(revisions.map((r) => [r.revision, r.changeCause]).reverse()).toEqual(await kubectlHistory(kind));
    expect(revisions.map((r) => r.revision)).toEqual([3, 2, 1]);
    // kubectl rollout history --revision=n prints the template's image: the same as ours.
    for (const r of revisions) {
      const { out } = await run(['rollout', 'history', '-n', namespace, `${kindArg[kind]}/${names()[kind]}`, `--revision=${r.revision}`]);
      expect(out).toMatch(new RegExp(`Image:\\s+${String(r.images[0]).replace(/[.]/g, '\\.')}\\n`));
      expect(r.images).toEqual([fixture.images[r.revision - 1]]);
      expect(r.template).not.toHaveProperty(['metadata', 'labels', 'pod-template-hash']);
      expect(r.template).not.toHaveProperty('$patch');
    }
    expect(revisions.filter((r) => r.current).map((r) => r.revision)).toEqual([3]);
  });

  it.each(['deployments', 'statefulsets', 'daemonsets'] as const)('%s: the rollback to revision 1, dry-run on the API server, is what kubectl rollout undo --to-revision=1 then stores', async (kind) => {
    const { owner, revisions } = await history(kind);
    const target = (await candidates(kind, owner)).find((c) => asObject(asObject(c)['metadata'])['name'] === revisions.find((r) => r.revision === 1)?.name);
    const plan = rollbackPlan(kind, owner, target, String(asObject(owner['metadata'])['resourceVersion']));
    expect(plan.action).toBe('patch');
    if (plan.action !== 'patch') return;
    const contentType = plan.patchType === 'json' ? 'application/json-patch+json' : 'application/strategic-merge-patch+json';
    const preview = await admin.json<Record<string, Json>>('PATCH', `${path(kind)}?dryRun=All`, plan.patch, contentType);
    // The dry run stored nothing.
    expect(asObject((await read(kind))['spec'])['template']).toEqual(asObject(owner['spec'])['template']);

    const undo = await run(['rollout', 'undo', '-n', namespace, `${kindArg[kind]}/${names()[kind]}`, '--to-revision=1']);
    expect(undo.code).toBe(0);
    expect(undo.out).toContain('rolled back');
    const after = await read(kind);
    expect(asObject(preview['spec'])['template']).toEqual(asObject(after['spec'])['template']);
    expect(asObject(preview['spec'])).toEqual(asObject(after['spec']));
    // Annotations too, but for the revision number the Deployment controller writes after the change.
    const annotations = (o: Record<string, Json>) => ({ ...asObject(asObject(o['metadata'])['annotations']), [REVISION_ANNOTATION]: undefined });
    expect(annotations(preview)).toEqual(annotations(after));
    expect(asObject(after['spec'])['template']).toMatchObject({ spec: { containers: [{ image: fixture.images[0] }] } });
  });

  it.each(['deployments', 'statefulsets', 'daemonsets'] as const)('%s: a rollback to the revision it already runs is skipped, as kubectl skips it', async (kind) => {
    // After the rollback above, revision 1's template is current again (the controllers renumber it 4).
    let owner: Record<string, Json> = {};
    let current: ReturnType<typeof revisionHistory>[number] | undefined;
    await waitUntil('the rollout to settle', async () => {
      const h = await history(kind);
      owner = h.owner;
      current = h.revisions.find((r) => r.current);
      return current?.revision === 4;
    });
    const target = (await candidates(kind, owner)).find((c) => asObject(asObject(c)['metadata'])['name'] === current?.name);
    expect(rollbackPlan(kind, owner, target)).toEqual({ action: 'skip', reason: 'the current template already matches revision 4' });
    const undo = await run(['rollout', 'undo', '-n', namespace, `${kindArg[kind]}/${names()[kind]}`, '--to-revision=4']);
    expect(undo.out).toContain('skipped rollback (current template already matches revision 4)');
  });

  it('a paused Deployment is not rolled back, as kubectl refuses it; its progress waits, as kubectl rollout status says', async () => {
    expect((await run(['rollout', 'pause', '-n', namespace, `deployment/${fixture.deployment}`])).code).toBe(0);
    expect((await run(['set', 'image', '-n', namespace, `deployment/${fixture.deployment}`, `app=${fixture.images[2]}`])).code).toBe(0);
    const owner = await read('deployments');
    const { revisions } = await history('deployments');
    const target = (await candidates('deployments', owner)).find((c) => asObject(asObject(c)['metadata'])['name'] === revisions.find((r) => r.revision === 2)?.name);
    const plan = rollbackPlan('deployments', owner, target);
    expect(plan).toEqual({ action: 'refuse', reason: 'you cannot roll back a paused Deployment; resume it first and try again' });
    const undo = await run(['rollout', 'undo', '-n', namespace, `deployment/${fixture.deployment}`, '--to-revision=2']);
    expect(undo.code).not.toBe(0);
    expect(undo.out).toContain('you cannot rollback a paused deployment; resume it first');

    // Paused with a changed template: the rollout stands still, so kubectl's answer and ours are about the same state.
    await waitUntil('the rollout to settle', async () => asObject((await read('deployments'))['status'])['observedGeneration'] === asObject((await read('deployments'))['metadata'])['generation']);
    const status = await run(['rollout', 'status', '-n', namespace, `deployment/${fixture.deployment}`, '--watch=false']);
    const progress = rolloutProgress('deployments', await read('deployments'));
    expect(progress.message).toBe(status.stdout.trim());
    expect(progress).toMatchObject({ paused: true, done: false, failed: false, desired: 2, updated: 0 });
    expect(progress.message).toBe(`Waiting for deployment "${fixture.deployment}" rollout to finish: 0 out of 2 new replicas have been updated...`);
    expect(progress.progressing?.reason).toBe('DeploymentPaused');

    expect((await run(['rollout', 'resume', '-n', namespace, `deployment/${fixture.deployment}`])).code).toBe(0);
    await waitUntil('the rollout to settle', async () => rolloutProgress('deployments', await read('deployments')).done);
    const done = await run(['rollout', 'status', '-n', namespace, `deployment/${fixture.deployment}`, '--watch=false']);
    expect(rolloutProgress('deployments', await read('deployments')).message).toBe(done.stdout.trim());
    expect(done.stdout.trim()).toBe(`deployment "${fixture.deployment}" successfully rolled out`);
  });

  it.each(['statefulsets', 'daemonsets'] as const)('%s: a finished rollout reads as kubectl rollout status prints it', async (kind) => {
    await waitUntil('the rollout to settle', async () => rolloutProgress(kind, await read(kind)).done);
    const status = await run(['rollout', 'status', '-n', namespace, `${kindArg[kind]}/${names()[kind]}`, '--watch=false']);
    expect(status.code).toBe(0);
    expect(rolloutProgress(kind, await read(kind)).message).toBe(status.stdout.trim());
  });

  it('a rollback planned from a copy read before a colleague changed the object is a 409 Conflict from the API server, and changes nothing', async () => {
    const owner = await read('deployments');
    const { revisions } = await history('deployments');
    const target = (await candidates('deployments', owner)).find((c) => asObject(asObject(c)['metadata'])['name'] === revisions.find((r) => !r.current)?.name);
    const plan = rollbackPlan('deployments', owner, target, String(asObject(owner['metadata'])['resourceVersion']));
    expect(plan.action).toBe('patch');
    if (plan.action !== 'patch') return;
    expect((await run(['annotate', '-n', namespace, `deployment/${fixture.deployment}`, 'cairn.test/colleague=was-here'])).code).toBe(0);
    const before = await read('deployments');
    const res = await admin.send('PATCH', path('deployments'), { body: JSON.stringify(plan.patch), contentType: 'application/json-patch+json' });
    expect(res.status).toBe(409);
    expect(res.body).toContain('the object has been modified');
    expect(asObject((await read('deployments'))['spec'])).toEqual(asObject(before['spec']));
  });
});
