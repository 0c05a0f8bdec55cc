import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { freePort } from './support/console-under-test';
import { eventually } from './support/eventually';
import { kubectl, kubectlJson } from './support/kubectl';
import { Stage, startStage } from './support/stage';

/**
 * The home page (issue 23, items 1 and 7): every cluster a signed-in person has is a card with
 * its reachability, version, who they are there and what needs attention there (kube-model's
 * one rule, the workloads overview's), each problem a link to its object; their last places.
 * Checked against kubectl for admin, alice (edit in team-a), victor (view) and tina (a tenant
 * who may not list namespaces); an unreachable cluster added in the browser keeps its error on
 * its own card.
 */
describe('home', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    // Loopback allowed for user-added clusters: the unreachable one below is a closed port on 127.0.0.1.
    stage = await startStage({ settings: { CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' } });
    // The seed's backup Job in tenant-2 fails on purpose, once its retry is used up: the stories need it failed.
    await eventually(() => failedJobs('tenant-2'), (names) => names.includes('backup'), 180_000);
  }, 480_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    // A story that failed before opening its page has none to show.
    if (!page || page.isClosed()) return;
    await screenshot(page, `home-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const card = (cluster: string) => main().locator(`cairn-cluster-card[data-cluster="${cluster}"]`);
  const problems = (cluster: string) => card(cluster).getByRole('list', { name: /^Problems in / });

  type Pod = { metadata: { name: string; namespace: string } };
  type Job = { metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } };

  /** The Jobs kubectl lists as failed in `namespace`. */
  const failedJobs = async (namespace: string) =>
    (await kubectlJson<{ items: Job[] }>(stage.cluster, ['get', 'jobs', '-n', namespace])).items.filter((j) => j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')).map((j) => j.metadata.name);

  /** The crash-looping worker's pod, as kubectl names it (the seed's Deployment queue-worker in team-a). */
  async function crashLoopingPod(): Promise<string> {
    const pods = await kubectlJson<{ items: Pod[] }>(stage.cluster, ['get', 'pods', '-n', 'team-a', '-l', 'app.kubernetes.io/name=queue-worker']);
    const names = pods.items.map((p) => p.metadata.name);
    expect(names).toHaveLength(1);
    // kubectl's own table says it crash-loops (or just failed, between two back-offs), with restarts.
    const row = await eventually(() => kubectl(stage.cluster, ['get', 'pod', '-n', 'team-a', names[0], '--no-headers']), (line) => /CrashLoopBackOff|Error/.test(line), 60_000);
    expect(row).toMatch(/\s[1-9]\d* \(/);
    return names[0];
  }

  it('admin: the dev cluster as kubectl sees it (version, who), the crash-looping pod and the failed Jobs as problems, a link to the pod, and it as a last place', async () => {
    const worker = await crashLoopingPod();
    const version = (await kubectlJson<{ serverVersion: { gitVersion: string } }>(stage.cluster, ['version'])).serverVersion.gitVersion;
    expect(await failedJobs('tenant-2')).toEqual(['backup']);

    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/`);
    await main().getByRole('heading', { name: 'Your clusters' }).waitFor();
    const dev = card('cairn-dev');
    await dev.getByText('Reachable', { exact: true }).waitFor();
    await dev.getByText(version, { exact: true }).waitFor();
    await dev.getByText('You are admin@cairn.test').waitFor();
    await problems('cairn-dev').getByRole('link', { name: `Pod ${worker}` }).waitFor({ timeout: 60_000 });
    await problems('cairn-dev').getByRole('link', { name: 'Job backup' }).first().waitFor();
    await dev.getByText('in any namespace', { exact: false }).first().waitFor();
    // The admin may list everything: no namespace to add.
    expect(await dev.getByRole('button').count()).toBe(0);
    // The kubeconfig's other context is a card of its own.
    await card('cairn-dev-deployer').getByText('Reachable', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'home-admin-desktop');

    await problems('cairn-dev').getByRole('link', { name: `Pod ${worker}` }).click();
    await page.waitForURL((url) => url.pathname === `/workloads/pods/team-a/${worker}` && url.searchParams.get('cluster') === 'cairn-dev');
    await main().getByRole('heading', { name: `Pod ${worker}` }).waitFor();

    // Back home: the pod is the first of the last places, and it leads there again.
    await page.getByRole('link', { name: 'Cairn', exact: true }).click();
    const places = main().getByRole('region', { name: 'Your last places' });
    const first = places.getByRole('listitem').first();
    await first.getByText(`/workloads/pods/team-a/${worker}`, { exact: false }).waitFor();
    await first.getByRole('link').click();
    await main().getByRole('heading', { name: `Pod ${worker}` }).waitFor();
  });

  it('the last places are bounded: after more pages than kept, the oldest are gone and the count stays at the bound', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    const kinds = ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'pods', 'services', 'configmaps', 'secrets'];
    for (const kind of kinds) {
      await page.goto(`${stage.cairn.url}/workloads/${kind}?cluster=cairn-dev&ns=team-a`);
      // Recorded in this browser once the page has been reached.
      await page.waitForFunction((path) => (localStorage.getItem('cairn.recentPlaces') ?? '').includes(`"${path}?`), `/workloads/${kind}`);
    }
    await page.goto(`${stage.cairn.url}/`);
    const items = main().getByRole('region', { name: 'Your last places' }).getByRole('listitem');
    await items.first().waitFor();
    // MAX_RECENT_PLACES (8): the newest first, the two oldest pushed out.
    expect(await items.count()).toBe(8);
    expect(await items.first().innerText()).toContain('/workloads/secrets');
    expect(await main().getByRole('region', { name: 'Your last places' }).innerText()).not.toContain('/workloads/deployments');
  });

  it('alice (edit in team-a, may not list across the cluster): her card asks for her namespace, then shows team-a problems only; no other action', async () => {
    const worker = await crashLoopingPod();
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/`);
    const dev = card('cairn-dev');
    await dev.getByText('You are alice@cairn.test').waitFor();
    await dev.getByText('You may not list workloads across this cluster.', { exact: false }).waitFor();
    await dev.getByRole('textbox', { name: 'Your namespace' }).fill('Team A');
    await dev.getByRole('button', { name: 'Add' }).click();
    await dev.getByRole('alert').filter({ hasText: '"Team A" is not a namespace name' }).waitFor();
    await dev.getByRole('textbox', { name: 'Your namespace' }).fill('team-a');
    await dev.getByRole('button', { name: 'Add' }).click();
    await dev.getByText('Needs attention in team-a').waitFor();
    await problems('cairn-dev').getByRole('link', { name: `Pod ${worker}` }).waitFor({ timeout: 60_000 });
    // Only team-a: the failing pods of pod-states and tenant-2's Job are not hers to see.
    expect(await problems('cairn-dev').innerText()).not.toMatch(/pod-states|tenant-/);
    // The namespace is remembered in this browser: a reload shows the same, and the namespace picker offers it.
    await page.reload();
    await problems('cairn-dev').getByRole('link', { name: `Pod ${worker}` }).waitFor({ timeout: 60_000 });
    expect(await main().getByRole('button', { name: /scale|restart|delete/i }).count()).toBe(0);
  });

  it('victor (view everywhere): every namespace\u2019s problems, and no action anywhere on the page', async () => {
    const worker = await crashLoopingPod();
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/`);
    const dev = card('cairn-dev');
    await dev.getByText('You are victor@cairn.test').waitFor();
    await problems('cairn-dev').getByRole('link', { name: `Pod ${worker}` }).waitFor({ timeout: 60_000 });
    await problems('cairn-dev').getByRole('link', { name: 'Job backup' }).first().waitFor();
    expect(await main().getByRole('button').count()).toBe(0);
  });

  it('tina (admin in tenant-1 and tenant-2, may not list namespaces): her cluster card, and the failed backup Job of the namespaces she gives, as kubectl lists them', async () => {
    expect(await failedJobs('tenant-1')).toEqual([]);
    expect(await failedJobs('tenant-2')).toEqual(['backup']);

    page = await stage.signedIn('tina', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/`);
    const dev = card('cairn-dev');
    await dev.getByText('Reachable', { exact: true }).waitFor();
    await dev.getByText('You are tina@cairn.test').waitFor();
    await dev.getByText('You may not list workloads across this cluster.', { exact: false }).waitFor();
    for (const ns of ['tenant-1', 'tenant-2']) {
      // "Your namespace" first, "Another namespace" once she has given one.
      await dev.getByRole('textbox', { name: /^(Your|Another) namespace$/ }).fill(ns);
      await dev.getByRole('button', { name: 'Add' }).click();
    }
    await dev.getByText('Needs attention in tenant-1, tenant-2').waitFor();
    // What kubectl lists as failed there: tenant-2's backup; tenant-1 has none.
    const items = problems('cairn-dev').getByRole('listitem');
    await items.filter({ has: page.getByRole('link', { name: 'Job backup' }) }).waitFor({ timeout: 60_000 });
    const texts = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(texts.filter((t) => t.includes('Job backup'))).toEqual([expect.stringMatching(/^Failed Job backup tenant-2/)]);
    expect(texts.filter((t) => / tenant-1/.test(t))).toEqual([]);
    // On a phone nothing needs sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'home-tina-phone');
    // The namespace picker knows them now.
    expect(await page.locator('#cairn-namespaces option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['tenant-1', 'tenant-2']);
  });

  it('a cluster added in the browser that does not answer shows its error on its own card; the other cards work', async () => {
    const port = await freePort();
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: gone\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: someone\n  user:\n    token: not-a-real-token',
      'contexts:',
      '- name: gone\n  context:\n    cluster: gone\n    user: someone',
    ].join('\n');
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/clusters?cluster=cairn-dev`);
    await main().getByRole('button', { name: 'Add a cluster' }).click();
    await main().getByLabel('Kubeconfig', { exact: true }).fill(kubeconfig);
    await main().getByRole('button', { name: 'Check contexts' }).click();
    // Not answering, so not chosen by itself: the user adds it all the same (it may be down for now).
    await main().getByText('1 not answering', { exact: false }).waitFor();
    await main().locator('li[data-context="gone"]').getByRole('checkbox').check();
    await main().getByRole('button', { name: 'Add 1 cluster' }).click();
    await main().locator('tr[data-cluster="user:gone"]').waitFor();

    await page.getByRole('link', { name: 'Cairn', exact: true }).click();
    const gone = card('user:gone');
    await gone.getByRole('heading', { name: 'gone (added)' }).waitFor();
    await gone.getByText('Not reachable', { exact: true }).waitFor();
    await gone.getByRole('alert').first().waitFor();
    expect(await gone.getByRole('alert').first().innerText()).toMatch(/127\.0\.0\.1|refused|connect/i);
    // The configured cluster is untouched by its neighbour's failure.
    await card('cairn-dev').getByText('You are admin@cairn.test').waitFor();
    await problems('cairn-dev').getByRole('link').first().waitFor({ timeout: 60_000 });
  });

  it('a signed-out visitor of / still goes to the sign-in page', async () => {
    page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.cairn.url}/`);
    await page.waitForURL(`${stage.cairn.url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
  });
});
