import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { kubectl, kubectlJson } from './support/kubectl';
import { Stage, startStage } from './support/stage';

/**
 * The resource map (issue 23, item 3): a namespace's objects and their links, live, with kube-model's
 * health rules, pods grouped under their owner, permission-aware, and a list on phones. What the map
 * draws is held against kubectl (the pods of a group are `kubectl get pods -l <selector>`, the
 * EndpointSlices `-l kubernetes.io/service-name=…`, the "may not list" kinds the API server's own
 * SubjectAccessReview), as admin, alice (edit in team-a) and victor (view, no Secrets); and a
 * namespace of 2 000 pods is drawn without a long task over 200 ms.
 */
describe('resource map', () => {
  let stage: Stage;
  let page: Page;
  const SCALE_NS = 'map-scale';
  const SCALE_PODS = 2000;

  type Named = { metadata: { name: string; labels?: Record<string, string> }; spec?: { replicas?: number } };

  beforeAll(async () => {
    // Room for the 2 000-pod namespace on the two kwok nodes.
    stage = await startStage({ cluster: { podsPerNode: 1100 } });
  }, 300_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `resource-map-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const graph = () => main().getByTestId('map-graph');
  const nodeIds = () => graph().locator('[data-node]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node') ?? ''));
  const edgeIds = () => graph().locator('[data-edge]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-edge') ?? ''));
  const node = (id: string) => graph().locator(`[data-node="${id}"]`);
  /** A pod group's card as one line, as its count reads in kubectl's terms: "… 2 pods: 2 Running". */
  const cardText = async (id: string) => (await node(id).innerText()).replace(/\s+/g, ' ').replace(/ (\d+) (pods?) (\d)/, ' $1 $2: $3');
  const live = () => main().getByTestId('map-status').filter({ hasText: '· live' }).waitFor({ timeout: 60_000 });
  const names = (list: { items: Named[] }) => list.items.map((i) => i.metadata.name).sort();

  /** The API server's own answer to "may `user` list `resource` in `namespace`?". */
  async function mayList(user: string, resource: string, namespace?: string): Promise<boolean> {
    const review = await stage.cluster.adminApi().json<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: `${user}@cairn.test`, resourceAttributes: { verb: 'list', resource, ...(namespace ? { namespace } : {}) } },
    });
    return review.status.allowed;
  }

  /** kubectl's STATUS column of the pods `args` select, as the map's group says it: "2 pods: 2 Running". */
  async function kubectlCounts(args: string[]): Promise<string> {
    const out = await kubectl(stage.cluster, ['get', 'pods', '--no-headers', ...args]);
    const counts = new Map<string, number>();
    for (const line of out.split('\n').filter(Boolean)) {
      const status = line.trim().split(/\s+/)[2] ?? '';
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s, n]) => `${n} ${s}`);
    return `${total} ${total === 1 ? 'pod' : 'pods'}: ${parts.join(', ')}`;
  }

  it('admin: team-a as kubectl links it (owners, Service → EndpointSlice → pods, Ingress → Service, volumes, ServiceAccount, Nodes), live; a group expands to kubectl\u2019s pods; keyboard; light and dark', async () => {
    const replicaSets = await kubectlJson<{ items: Named[] }>(stage.cluster, ['get', 'replicasets', '-n', 'team-a', '-l', 'app.kubernetes.io/name=web']);
    const current = replicaSets.items.find((rs) => (rs.spec?.replicas ?? 0) > 0)?.metadata.name as string;
    const slices = names(await kubectlJson<{ items: Named[] }>(stage.cluster, ['get', 'endpointslices', '-n', 'team-a', '-l', 'kubernetes.io/service-name=web']));
    const webPods = names(await kubectlJson<{ items: Named[] }>(stage.cluster, ['get', 'pods', '-n', 'team-a', '-l', 'app.kubernetes.io/name=web']));
    const webNodes = (await kubectl(stage.cluster, ['get', 'pods', '-n', 'team-a', '-l', 'app.kubernetes.io/name=web', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(/\s+/).filter(Boolean);
    expect(slices.length).toBeGreaterThan(0);
    expect(webPods).toHaveLength(2);

    page = await stage.signedIn('admin', { width: 1440, height: 1000 });
    await page.goto(`${stage.cairn.url}/workloads/map?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('heading', { name: 'Map of namespace team-a' }).waitFor();
    await live();
    const group = `Pods/ReplicaSet/${current}`;
    await eventually(nodeIds, (ids) => ids.includes(group) && ids.includes('PersistentVolumeClaim/reports'));
    const ids = await nodeIds();
    for (const id of ['Deployment/web', `ReplicaSet/${current}`, group, 'Service/web', ...slices.map((s) => `EndpointSlice/${s}`), 'Ingress/web', 'ConfigMap/web-config', 'Secret/db-credentials',
      'Deployment/reports', 'PersistentVolumeClaim/reports', 'StatefulSet/db', 'Deployment/queue-worker', 'CronJob/nightly-report', 'Job/migrate-schema', 'ServiceAccount/default', ...webNodes.map((n) => `Node/${n}`)]) {
      expect(ids).toContain(id);
    }
    // Old ReplicaSets (0 replicas) are not drawn.
    for (const rs of replicaSets.items.filter((r) => (r.spec?.replicas ?? 0) === 0)) expect(ids).not.toContain(`ReplicaSet/${rs.metadata.name}`);
    const edges = await edgeIds();
    for (const e of [`Deployment/web owns ReplicaSet/${current}`, `ReplicaSet/${current} owns ${group}`, ...slices.map((s) => `Service/web endpoints EndpointSlice/${s}`), ...slices.map((s) => `EndpointSlice/${s} targets ${group}`),
      'Ingress/web routes Service/web', `${group} mounts ConfigMap/web-config`, `${group} mounts Secret/db-credentials`, `${group} env ConfigMap/web-config`, `${group} runs as ServiceAccount/default`]) {
      expect(edges).toContain(e);
    }
    const reportsGroup = (await nodeIds()).find((id) => id.startsWith('Pods/ReplicaSet/reports-')) as string;
    expect(edges).toContain(`${reportsGroup} mounts PersistentVolumeClaim/reports`);
    // Health and counts as kubectl prints them.
    const phase = await kubectl(stage.cluster, ['get', 'pvc', 'reports', '-n', 'team-a', '-o', 'jsonpath={.status.phase}']);
    await node('PersistentVolumeClaim/reports').getByText(phase, { exact: true }).waitFor();
    const counts = await kubectlCounts(['-n', 'team-a', '-l', 'app.kubernetes.io/name=web']);
    await eventually(() => cardText(group), (t) => t.includes(counts));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'resource-map-team-a-light');

    // A group expands into kubectl's pods, and collapses again.
    await node(group).click();
    await eventually(() => node(group).getAttribute('aria-expanded'), (v) => v === 'true');
    await eventually(async () => (await nodeIds()).filter((id) => id.startsWith(`Pod/${current}-`)).map((id) => id.slice(4)).sort(), (p) => JSON.stringify(p) === JSON.stringify(webPods));

    // Live: a Service created now appears without a reload.
    await stage.cluster.adminApi().apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'map-live', namespace: 'team-a' }, spec: { selector: { 'app.kubernetes.io/name': 'reports' }, ports: [{ port: 80 }] } });
    await eventually(nodeIds, (list) => list.includes('Service/map-live'));

    // Dark theme: the same map, readable.
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect({ theme: 'dark', violations: await seriousViolations(page) }).toEqual({ theme: 'dark', violations: [] });
    await screenshot(page, 'resource-map-team-a-dark');
    await page.getByRole('button', { name: 'Use the light theme' }).click();

    // Keyboard: nodes are reached with Tab; Enter opens the object's page.
    const deployment = node('Deployment/web');
    await deployment.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-node'))).toBeTruthy();
    await deployment.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/workloads\/deployments\/team-a\/web/);
  });

  it('admin: a Deployment\u2019s Map link draws only what links to it: its ReplicaSet, pods, claim and ConfigMap', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/deployments/team-a/reports?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('toolbar', { name: 'Actions' }).getByRole('link', { name: 'Map', exact: true }).click();
    await page.waitForURL(/\/workloads\/map\?.*kind=Deployment.*name=reports|\/workloads\/map\?.*name=reports.*kind=Deployment/);
    await main().getByRole('heading', { name: 'Map of Deployment reports' }).waitFor();
    await live();
    const rs = (await kubectlJson<{ items: Named[] }>(stage.cluster, ['get', 'replicasets', '-n', 'team-a', '-l', 'app.kubernetes.io/name=reports'])).items.find((r) => (r.spec?.replicas ?? 0) > 0)?.metadata.name;
    await eventually(nodeIds, (ids) => ids.includes(`Pods/ReplicaSet/${rs}`) && ids.includes('PersistentVolumeClaim/reports'));
    const ids = await nodeIds();
    expect(ids).toEqual(expect.arrayContaining(['Deployment/reports', `ReplicaSet/${rs}`, 'ConfigMap/web-config', 'ServiceAccount/default']));
    expect(ids).not.toContain('Deployment/web');
    expect(ids).not.toContain('StatefulSet/db');
    // The claim's page is a click away.
    await node('PersistentVolumeClaim/reports').click();
    await page.waitForURL(/\/workloads\/persistentvolumeclaims\/team-a\/reports/);
  });

  it('alice (edit in team-a): the map of team-a; Nodes, which she may not list, are named in a note and drawn only as "not visible to you"', async () => {
    expect(await mayList('alice', 'nodes')).toBe(false);
    expect(await mayList('alice', 'secrets', 'team-a')).toBe(true);
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/map?cluster=cairn-dev&ns=team-a`);
    await live();
    await main().getByTestId('map-hidden-kinds').filter({ hasText: 'You may not list Nodes in team-a' }).waitFor();
    const webNode = (await kubectl(stage.cluster, ['get', 'pods', '-n', 'team-a', '-l', 'app.kubernetes.io/name=web', '-o', 'jsonpath={.items[0].spec.nodeName}'])).trim();
    await node(`Node/${webNode}`).getByText('not visible to you').waitFor();
    await node('Secret/db-credentials').waitFor();
    expect(await node('Secret/db-credentials').getAttribute('href')).toContain('/workloads/secrets/team-a/db-credentials');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('victor (view, no Secrets): Secrets and Nodes named as not listable; the pods\u2019 Secret is drawn by the name their spec gives, with no link; no action anywhere', async () => {
    expect(await mayList('victor', 'secrets', 'team-a')).toBe(false);
    expect(await mayList('victor', 'nodes')).toBe(false);
    expect(await mayList('victor', 'pods', 'team-a')).toBe(true);
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/map?cluster=cairn-dev&ns=team-a`);
    await live();
    await main().getByTestId('map-hidden-kinds').filter({ hasText: 'You may not list Secrets, Nodes in team-a' }).waitFor();
    const stub = node('Secret/db-credentials');
    await stub.getByText('not visible to you').waitFor();
    expect(await stub.evaluate((el) => el.tagName)).toBe('DIV');
    // Secrets no pod names are not on the map at all.
    expect(await nodeIds()).not.toContain('Secret/registry-auth');
    expect(await main().getByRole('button', { name: /Delete|Scale|Restart|Edit/ }).count()).toBe(0);
    await node('Deployment/web').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('phone (390 px): the map as a list by kind, each object with its links, no sideways scrolling', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/map?cluster=cairn-dev&ns=team-a`);
    await live();
    const list = main().getByTestId('map-list');
    await list.waitFor();
    expect(await graph().isVisible()).toBe(false);
    await list.getByRole('region', { name: 'Deployments' }).getByRole('link', { name: 'web', exact: true }).waitFor();
    await list.locator('[data-node="Ingress/web"]').getByText('routes Service web').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'resource-map-team-a-phone');
    await list.getByRole('region', { name: 'Deployments' }).getByRole('link', { name: 'web', exact: true }).click();
    await page.waitForURL(/\/workloads\/deployments\/team-a\/web/);
  });

  it(`${SCALE_PODS} pods in one namespace: one group with kubectl\u2019s counts, expanding draws at most 50, and no long task over 200 ms`, async () => {
    const admin = stage.cluster.adminApi();
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SCALE_NS } });
    await eventually(async () => (await admin.send('GET', `/api/v1/namespaces/${SCALE_NS}/serviceaccounts/default`)).status, (s) => s === 200);
    let next = 0;
    const worker = async () => {
      while (next < SCALE_PODS) {
        const i = next++;
        const pod = {
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: `scale-${String(i).padStart(4, '0')}`, namespace: SCALE_NS, labels: { app: 'scale' } },
          spec: { nodeName: `kwok-node-${(i % 2) + 1}`, containers: [{ name: 'app', image: 'registry.example.com/cairn/scale:1.0', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
        };
        // Server-side apply, again while a busy API server refuses a moment (429, a timeout); the last refusal fails the story.
        await eventually(() => admin.apply(pod).then(() => 'applied', (err: Error) => err.message), (r) => r === 'applied');
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    await admin.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'scale', namespace: SCALE_NS }, spec: { selector: { app: 'scale' }, ports: [{ port: 80 }] } });
    // kubectl's STATUS of every pod, once kwok has started them all.
    const expected = await eventually(() => kubectlCounts(['-n', SCALE_NS]), (t) => t === `${SCALE_PODS} pods: ${SCALE_PODS} Running`, 240_000);

    page = await stage.signedIn('admin', { width: 1440, height: 1000 });
    await page.addInitScript(() => {
      const tasks: Array<{ at: number; ms: number }> = [];
      (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) }))).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${stage.cairn.url}/workloads/map?cluster=cairn-dev&ns=${SCALE_NS}`);
    await live();
    await eventually(() => cardText('Pods/-'), (t) => t.includes(expected), 60_000);
    const shown = await page.evaluate(() => Math.round(performance.now()));
    expect(await nodeIds()).toEqual(expect.arrayContaining(['Pods/-', 'Service/scale', 'EndpointSlices/scale', 'Node/kwok-node-1', 'Node/kwok-node-2']));
    // The Service's EndpointSlices (kubectl's, one per 100 endpoints) are one node that leads to the one group.
    const slices = names(await kubectlJson<{ items: Named[] }>(stage.cluster, ['get', 'endpointslices', '-n', SCALE_NS, '-l', 'kubernetes.io/service-name=scale']));
    expect(slices.length).toBeGreaterThan(3);
    await eventually(() => node('EndpointSlices/scale').getAttribute('title'), (t) => t === slices.join(', '), 60_000);
    await node('EndpointSlices/scale').getByText(`${slices.length} EndpointSlices`).waitFor();
    expect(await edgeIds()).toEqual(expect.arrayContaining(['Service/scale endpoints EndpointSlices/scale', 'EndpointSlices/scale targets Pods/-']));
    const expanding = await page.evaluate(() => Math.round(performance.now()));
    await node('Pods/-').click();
    await eventually(async () => (await nodeIds()).filter((id) => id.startsWith('Pod/')).length, (n) => n === 50);
    await node('Pods/-').click();
    await eventually(async () => (await nodeIds()).filter((id) => id.startsWith('Pod/')).length, (n) => n === 0);
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: Array<{ at: number; ms: number }> }).__longTasks);
    console.log(`resource map, ${SCALE_PODS} pods: long tasks (start ms: duration ms) ${JSON.stringify(longTasks)}; the group shown by ${shown} ms, expanding from ${expanding} ms`);
    expect(longTasks.filter((t) => t.ms > 200)).toEqual([]);
    await screenshot(page, 'resource-map-2000-pods');
  }, 600_000);
});
