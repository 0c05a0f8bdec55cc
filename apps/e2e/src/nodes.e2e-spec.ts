import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { createDrainFixture } from '@cairn/kube-testenv';
import { Stage, startStage } from './support/stage';

/**
 * Node maintenance from a node's page: an admin cordons, labels and drains a node (the plan
 * first, with consent for the pod no controller recreates, then each pod's progress); an editor
 * of one namespace and a viewer (whose view role does not cover Nodes) are offered no node action. The node is the story's own (kwok
 * makes it Ready; a taint keeps every other pod off it), so other stories' seed stays as it is.
 */
const NODE = 'story-node';
const NS = 'node-story';
const TAINT = { key: 'cairn.test/story', value: 'true', effect: 'NoSchedule' };

describe('node maintenance', () => {
  let stage: Stage;
  let page: Page;

  type Pod = { metadata: { name: string; ownerReferences?: Array<{ kind: string }> }; status?: { phase?: string } };
  const podsOnNode = async () => (await stage.cluster.adminApi().get<{ items: Pod[] }>(`/api/v1/pods?fieldSelector=spec.nodeName=${NODE}`)).items;
  const nodeObject = () => stage.cluster.adminApi().get<{ metadata: { labels: Record<string, string> }; spec: { unschedulable?: boolean } }>(`/api/v1/nodes/${NODE}`);

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    stage = await startStage();
    const admin = stage.cluster.adminApi();
    // One web pod behind a budget that lets none go until the story relaxes it, a DaemonSet pod and a bare emptyDir pod.
    await createDrainFixture(admin, { node: NODE, namespace: NS, taintKey: TAINT.key, webReplicas: 1 });
  }, 360_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `nodes-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const nodePage = `/workloads/other/core/v1/nodes/_/${NODE}?cluster=cairn-dev`;

  it('an admin opens a node from the cluster, sees its pods, edits a taint and a label, cordons it, and drains it: consent for the bare pod, a budget that holds the web pod until relaxed, live', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    // From the cluster's overview, a node's name leads to its page.
    await page.goto(`${stage.cairn.url}/clusters/cairn-dev?cluster=cairn-dev`);
    await main().getByRole('link', { name: NODE, exact: true }).click();
    await main().getByRole('heading', { name: `Node ${NODE}` }).waitFor();
    const onNode = main().getByRole('region', { name: /Pods on this node/ });
    await onNode.getByRole('link', { name: 'scratch' }).waitFor();
    await onNode.getByRole('link', { name: /^agent-/ }).waitFor();

    await main().getByRole('textbox', { name: 'Label' }).fill('cairn.test/zone=a');
    await main().getByRole('button', { name: 'Set label' }).click();
    await main().getByRole('list', { name: 'Node labels' }).getByText('cairn.test/zone=a').waitFor();
    expect((await nodeObject()).metadata.labels['cairn.test/zone']).toBe('a');

    await main().getByRole('textbox', { name: 'Taint key' }).fill('cairn.test/maintenance');
    await main().getByRole('combobox', { name: 'Taint effect' }).selectOption('PreferNoSchedule');
    await main().getByRole('button', { name: 'Add taint' }).click();
    const taints = main().getByRole('list', { name: 'Taints' });
    await taints.getByText('cairn.test/maintenance:PreferNoSchedule').waitFor();
    await taints.getByRole('button', { name: 'Remove taint cairn.test/maintenance:PreferNoSchedule' }).click();
    await taints.getByText('cairn.test/maintenance:PreferNoSchedule').waitFor({ state: 'detached' });
    expect((await stage.cluster.adminApi().get<{ spec: { taints: unknown[] } }>(`/api/v1/nodes/${NODE}`)).spec.taints).toEqual([TAINT]);

    await main().getByRole('button', { name: 'Cordon', exact: true }).click();
    await main().getByText('Cordoned: no new pods are scheduled on this node.').waitFor();
    expect((await nodeObject()).spec.unschedulable).toBe(true);

    await main().getByRole('button', { name: 'Drain…' }).click();
    const dialog = main().getByRole('dialog', { name: `Drain ${NODE}` });
    await dialog.getByRole('list', { name: 'Pods left running' }).getByText(/^node-story\/agent-/).waitFor();
    await dialog.getByRole('list', { name: 'Pods to evict' }).getByText('node-story/scratch').waitFor();
    // The bare pod with emptyDir data needs both consents, each naming it.
    const force = dialog.getByRole('checkbox', { name: /Force: .*node-story\/scratch/ });
    const emptyDir = dialog.getByRole('checkbox', { name: /Delete emptyDir data: .*node-story\/scratch/ });
    await force.check();
    await emptyDir.check();
    await dialog.getByRole('button', { name: `Drain ${NODE}` }).click();
    const progress = dialog.getByRole('list', { name: 'Drain progress' });
    // The budget holds the web pod, and the page says which budget; relaxed, the drain goes on.
    const web = progress.getByRole('listitem').filter({ hasText: /node-story\/web-/ });
    await web.getByText('waiting', { exact: true }).waitFor();
    await web.getByText(/Waiting on budget web-budget/).waitFor();
    await stage.cluster.adminApi().json('PATCH', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web-budget`, { spec: { minAvailable: 0 } }, 'application/merge-patch+json');
    await dialog.getByText(/^Drained:/).waitFor({ timeout: 90_000 });
    await web.getByText('evicted', { exact: true }).waitFor();
    await progress.getByRole('listitem').filter({ hasText: 'node-story/scratch' }).getByText('evicted', { exact: true }).waitFor();
    await progress.getByRole('listitem').filter({ hasText: /node-story\/agent-/ }).getByText('skipped', { exact: true }).waitFor();
    expect((await podsOnNode()).map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet']);

    await dialog.getByRole('button', { name: 'Close' }).click();
    await main().getByRole('button', { name: 'Uncordon' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Uncordon' }).click();
    await main().getByRole('button', { name: 'Cordon', exact: true }).waitFor();
    expect((await nodeObject()).spec.unschedulable).toBeUndefined();
  });

  it('on a phone, the node page and its drain plan need no sideways scrolling', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(stage.cairn.url + nodePage);
    await main().getByRole('button', { name: 'Drain…' }).click();
    await main().getByRole('dialog', { name: `Drain ${NODE}` }).getByRole('button', { name: `Drain ${NODE}` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  // The built-in view ClusterRole does not cover Nodes (cluster-scoped): the API server refuses even reading one.
  it('a viewer is told plainly that the node is not theirs to read, and is offered no node action', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(stage.cairn.url + nodePage);
    await main().getByRole('heading', { name: `You may not read Node ${NODE} in this cluster` }).waitFor();
    for (const name of [/^Cordon$/, /^Uncordon$/, /^Drain/, /^Add taint$/, /^Set label$/, /^Remove /]) expect(await main().getByRole('button', { name }).count()).toBe(0);
  });

  it('a viewer who is also let read Nodes sees the node and its pods, and still no node action', async () => {
    const admin = stage.cluster.adminApi();
    await admin.json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'story-node-reader' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }] });
    await admin.json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'story-node-reader-victor' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'story-node-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'victor@cairn.test' }],
    });
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(stage.cairn.url + nodePage);
    await main().getByRole('region', { name: /Pods on this node/ }).getByRole('link', { name: /^agent-/ }).waitFor();
    await main().getByText('Your role may not cordon, drain, taint or label this node.').waitFor();
    for (const name of [/^Cordon$/, /^Uncordon$/, /^Drain/, /^Add taint$/, /^Set label$/, /^Remove /]) expect(await main().getByRole('button', { name }).count()).toBe(0);
  });

  it('an editor of one namespace may not read the node, and is offered no node action', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(stage.cairn.url + nodePage);
    await main().getByRole('heading', { name: `You may not read Node ${NODE} in this cluster` }).waitFor();
    for (const name of [/^Cordon$/, /^Uncordon$/, /^Drain/, /^Add taint$/, /^Set label$/]) expect(await main().getByRole('button', { name }).count()).toBe(0);
  });
});
