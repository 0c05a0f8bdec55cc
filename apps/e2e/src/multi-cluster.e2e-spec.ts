import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DEV_IMPERSONATOR, DevCluster, DevUserName, kubectlOut } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { screenshot } from './support/browser';
import { freePort } from './support/console-under-test';
import { eventually } from './support/eventually';
import { Stage, startStage } from './support/stage';

/**
 * Several clusters at once (issue 23 item 7): one kind listed from the clusters a person
 * chooses, with a Cluster column. Two real dev clusters with different objects: `cairn-dev` (the
 * stage's, trusting its provider; also reached by impersonation as `cairn-dev-impersonated`) and
 * `second`, a dev cluster of its own, reached by impersonation (its API server trusts another
 * provider, so the console acts for the person with Impersonate-* headers; its RBAC is the same
 * seed's). What each cluster's rows must be is what `kubectl get` prints on that cluster.
 */
describe('multi-cluster lists', () => {
  let stage: Stage;
  let second: DevCluster;
  let page: Page;
  let scratch: string;
  const IMPERSONATED = DEV_IMPERSONATOR.context;

  /** The second cluster as a configured context named `second`, reached by impersonation. */
  const secondKubeconfig = (cluster: DevCluster): string => {
    const source = cluster.info.impersonation;
    if (!source) throw new Error('the second dev cluster has no impersonation kubeconfig');
    const config = parse(readFileSync(source.kubeconfig, 'utf8')) as { clusters: Array<{ name: string }>; contexts: Array<{ name: string; context: { cluster: string; user: string } }>; users: Array<{ name: string }>; 'current-context': string };
    config.clusters[0]!.name = 'second';
    config.users[0]!.name = 'second-impersonator';
    config.contexts[0] = { name: 'second', context: { cluster: 'second', user: 'second-impersonator' } };
    config['current-context'] = 'second';
    const file = join(scratch, 'second.kubeconfig');
    writeFileSync(file, stringify(config));
    return file;
  };

  /** A CRD `<plural>.multi.cairn.test` whose printer columns are `columns` (JSONPath into spec). */
  const widgetCrd = (columns: string[], plural = 'widgets', kind = 'Widget') =>
    stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.multi.cairn.test` },
      spec: {
        group: 'multi.cairn.test',
        scope: 'Namespaced',
        names: { plural, singular: kind.toLowerCase(), kind },
        versions: [
          {
            name: 'v1', served: true, storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: Object.fromEntries(columns.map((c) => [c.toLowerCase(), { type: 'string' }])) } } } },
            additionalPrinterColumns: [...columns.map((c) => ({ name: c, type: 'string', jsonPath: `.spec.${c.toLowerCase()}` })), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
          },
        ],
      },
    });
  const widget = (name: string, spec: Record<string, string>) => stringify({ apiVersion: 'multi.cairn.test/v1', kind: 'Widget', metadata: { name, namespace: 'team-a' }, spec });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'multicluster-e2e-'));
    stage = await startStage({
      settings: async (first) => {
        // A second dev cluster: its own etcd, API server, nodes and provider (in its own temp dir).
        second = await DevCluster.start();
        const impersonation = first.info.impersonation;
        if (!impersonation) throw new Error('the dev cluster has no impersonation kubeconfig');
        return {
          KUBECONFIG: [first.info.kubeconfig, impersonation.kubeconfig, secondKubeconfig(second)].join(delimiter),
          CAIRN_IMPERSONATE_CLUSTERS: `${IMPERSONATED},second`,
          // Clusters added in the browser below listen on loopback.
          CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32',
        };
      },
    });
    // Different objects in each: a Deployment only the second has, and Widgets whose printer columns differ.
    await kubectlOut(second, ['create', 'deployment', 'only-in-second', '-n', 'team-a', '--image=registry.example/only:1', '--replicas=1']);
    await kubectlOut(stage.cluster, ['apply', '-f', '-'], widgetCrd(['Size', 'Colour']));
    await kubectlOut(second, ['apply', '-f', '-'], widgetCrd(['Size', 'Owner']));
    // A kind only the second cluster serves.
    await kubectlOut(second, ['apply', '-f', '-'], widgetCrd(['Size'], 'sprockets', 'Sprocket'));
    for (const c of [stage.cluster, second]) await kubectlOut(c, ['wait', '--for=condition=Established', 'crd/widgets.multi.cairn.test', '--timeout=60s']);
    await kubectlOut(stage.cluster, ['apply', '-f', '-'], widget('red-one', { size: 'L', colour: 'red' }));
    await kubectlOut(second, ['apply', '-f', '-'], widget('owned-one', { size: 'S', owner: 'team-b' }));
  }, 420_000);

  afterAll(async () => {
    await stage?.stop();
    await second?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  afterEach(async () => {
    if (!page) return;
    await screenshot(page, `multi-cluster-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const signedIn = (user: DevUserName, viewport = { width: 1400, height: 1600 }) => stage.signedIn(user, viewport);
  /** The line under the table that says what one cluster gave. */
  const part = (cluster: string) => main().locator(`.parts-list li[data-cluster="${cluster}"]`);
  /** Every row of the table as [name, cluster, …cells]. */
  const tableRows = async () =>
    Promise.all((await main().getByRole('row').all()).slice(1).map(async (row) => (await row.locator('[role=cell]').allTextContents()).map((c) => c.trim())));
  /** The names kubectl lists on a cluster. */
  const kubectlNames = async (cluster: DevCluster, args: string[]) => (await kubectlOut(cluster, ['get', ...args, '-o', 'name'])).split('\n').filter(Boolean).map((n) => n.replace(/^[^/]+\//, '')).sort();
  /** The names the merged table shows for one cluster (by its Cluster cell). */
  const namesFrom = (rows: string[][], cluster: string) => rows.filter((r) => r[1] === cluster).map((r) => r[0] ?? '').sort();

  it('admin chooses a second cluster in the Deployments toolbar: both clusters\' rows as kubectl lists them, live, each linking to its own cluster', async () => {
    page = await signedIn('admin');
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'web', exact: true }).waitFor();
    await main().getByText('Clusters', { exact: true }).click();
    // Choosing navigates at once (the list becomes the merged one): a click, not a check that waits for this box to stay ticked.
    await main().locator('label[data-cluster="second"]').getByRole('checkbox').click();
    await page.waitForURL((url) => url.searchParams.get('clusters') === 'cairn-dev,second');
    await part('second').getByText(/\d+ Deployments?\b/).waitFor({ timeout: 60_000 });
    await part('cairn-dev').getByText(/\d+ Deployments?\b/).waitFor();
    await main().getByRole('link', { name: 'only-in-second', exact: true }).waitFor();

    const [onFirst, onSecond] = await Promise.all([kubectlNames(stage.cluster, ['deployments', '-n', 'team-a']), kubectlNames(second, ['deployments', '-n', 'team-a'])]);
    expect(onSecond).toContain('only-in-second');
    expect(onFirst).not.toContain('only-in-second');
    const rows = await eventually(tableRows, (r) => r.length === onFirst.length + onSecond.length);
    expect(namesFrom(rows, 'cairn-dev')).toEqual(onFirst);
    expect(namesFrom(rows, 'second')).toEqual(onSecond);
    expect(await main().getByRole('row').first().locator('[role=columnheader]').nth(1).innerText()).toMatch(/^Cluster/);
    await screenshot(page, 'multicluster-deployments-desktop');

    // Live, per cluster: a Deployment created on the second cluster arrives with its Cluster cell.
    await kubectlOut(second, ['create', 'deployment', 'arrives-live', '-n', 'team-a', '--image=registry.example/live:1']);
    await main().getByRole('link', { name: 'arrives-live', exact: true }).waitFor({ timeout: 30_000 });
    expect(namesFrom(await tableRows(), 'second')).toEqual(await kubectlNames(second, ['deployments', '-n', 'team-a']));

    // Filtering works across every cluster's rows (the Cluster column included).
    await main().getByRole('searchbox').fill('second');
    await eventually(tableRows, (r) => r.length > 0 && r.every((row) => row[1] === 'second'));
    await main().getByRole('searchbox').fill('');

    // A row opens its own cluster's page, and the top bar follows.
    await main().getByRole('link', { name: 'only-in-second', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/workloads/deployments/team-a/only-in-second' && url.searchParams.get('cluster') === 'second');
    await main().getByRole('heading', { name: 'Deployment only-in-second' }).waitFor();
    expect(await page.getByLabel('Cluster', { exact: true }).inputValue()).toBe('second');
  });

  it('admin lists Widgets whose printer columns differ: the union by name, said so, each cell as kubectl prints it on its cluster', async () => {
    page = await signedIn('admin');
    await page.goto(`${stage.cairn.url}/workloads/other/multi.cairn.test/v1/widgets?cluster=cairn-dev&ns=team-a&clusters=cairn-dev,second,${IMPERSONATED}`);
    const note = main().getByRole('note');
    await note.waitFor({ timeout: 60_000 });
    expect(await note.innerText()).toContain('cairn-dev prints no Owner');
    expect(await note.innerText()).toContain('second prints no Colour');
    const headers = (await main().getByRole('row').first().locator('[role=columnheader]').allTextContents()).map((h) => h.replace(/[▲▼]/, '').trim());
    expect(headers).toEqual(expect.arrayContaining(['Name', 'Cluster', 'Size', 'Colour', 'Owner']));
    const column = (name: string) => headers.indexOf(name);
    // The same API server reached twice (directly and by impersonation) is two rows of the same object: row identity is cluster/namespace/name.
    const rows = await eventually(tableRows, (r) => r.length === 3 && r.every((row) => row[column('Size')] !== ''));
    const oracle = async (cluster: DevCluster, name: string, path: string) => kubectlOut(cluster, ['get', 'widget', name, '-n', 'team-a', '-o', `jsonpath={${path}}`]);
    const byCluster = (c: string) => rows.find((r) => r[1] === c) ?? [];
    expect(byCluster('cairn-dev')[0]).toBe('red-one');
    expect(byCluster(IMPERSONATED)[0]).toBe('red-one');
    expect(byCluster('cairn-dev')[column('Size')]).toBe(await oracle(stage.cluster, 'red-one', '.spec.size'));
    expect(byCluster('cairn-dev')[column('Colour')]).toBe(await oracle(stage.cluster, 'red-one', '.spec.colour'));
    expect(byCluster('cairn-dev')[column('Owner')]).toBe('');
    expect(byCluster('second')[0]).toBe('owned-one');
    expect(byCluster('second')[column('Owner')]).toBe(await oracle(second, 'owned-one', '.spec.owner'));
    expect(byCluster('second')[column('Colour')]).toBe('');
    await screenshot(page, 'multicluster-widgets-desktop');

    // A kind one cluster does not serve: that cluster says so, the other's rows show.
    await kubectlOut(second, ['wait', '--for=condition=Established', 'crd/sprockets.multi.cairn.test', '--timeout=60s']);
    await kubectlOut(second, ['apply', '-f', '-'], stringify({ apiVersion: 'multi.cairn.test/v1', kind: 'Sprocket', metadata: { name: 'lonely', namespace: 'team-a' }, spec: { size: 'M' } }));
    await page.goto(`${stage.cairn.url}/workloads/other/multi.cairn.test/v1/sprockets?cluster=second&ns=team-a&clusters=second,cairn-dev`);
    await part('cairn-dev').getByText('does not serve sprockets (multi.cairn.test/v1)').waitFor({ timeout: 60_000 });
    await main().getByRole('link', { name: 'lonely', exact: true }).waitFor();
  });

  it('admin merges a cluster added from a kubeconfig and one whose server is stopped: the stopped one says why, the others\' rows still show', async () => {
    page = await signedIn('admin');
    // The second cluster's admin context, added in this browser (its client certificate travels per request, as for any added cluster).
    const admin = parse(readFileSync(second.info.kubeconfig, 'utf8')) as { contexts: Array<{ name: string; context: { cluster: string; user: string } }>; 'current-context': string };
    const adminContext = admin.contexts.find((c) => c.name === 'cairn-dev');
    if (!adminContext) throw new Error('no cairn-dev context in the second cluster\'s kubeconfig');
    admin.contexts = [{ ...adminContext, name: 'second-added' }];
    admin['current-context'] = 'second-added';
    const port = await freePort();
    const gone = [
      'apiVersion: v1', 'kind: Config', 'clusters:',
      `- name: gone\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:', '- name: someone\n  user:\n    token: not-a-real-token',
      'contexts:', '- name: gone\n  context:\n    cluster: gone\n    user: someone',
    ].join('\n');
    for (const [kubeconfig, context] of [[stringify(admin), 'second-added'], [gone, 'gone']] as const) {
      await page.goto(`${stage.cairn.url}/clusters?cluster=cairn-dev`);
      await main().getByRole('button', { name: 'Add a cluster' }).click();
      await main().getByLabel('Kubeconfig', { exact: true }).fill(kubeconfig);
      await main().getByRole('button', { name: 'Check contexts' }).click();
      const item = main().locator(`li[data-context="${context}"]`);
      await item.waitFor({ timeout: 30_000 });
      if (!(await item.getByRole('checkbox').isChecked())) await item.getByRole('checkbox').check();
      await main().getByRole('button', { name: 'Add 1 cluster' }).click();
      await main().locator(`tr[data-cluster="user:${context}"]`).waitFor();
    }

    // Six clusters now (four configured, two added): the home page offers the first five in one list, the bound named when an address asks for all six.
    await page.goto(`${stage.cairn.url}/?cluster=cairn-dev`);
    const across = main().locator('p.across');
    await across.getByText('the first 5 of your 6 clusters', { exact: false }).waitFor({ timeout: 30_000 });
    await across.getByRole('link', { name: 'Pods', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/workloads/pods' && (url.searchParams.get('clusters') ?? '').split(',').length === 5);
    const all = ['cairn-dev', 'cairn-dev-deployer', IMPERSONATED, 'second', 'user:second-added', 'user:gone'];
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a&clusters=${all.join(',')}`);
    await main().getByText('at most 5 clusters are listed together (MAX_MERGED_CLUSTERS): user:gone left out', { exact: false }).waitFor();

    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a&clusters=cairn-dev,user:second-added,user:gone`);
    await main().locator('.parts-list li.error[data-cluster="user:gone"]').waitFor({ timeout: 60_000 });
    expect(await part('user:gone').innerText()).toMatch(/gone \(added\): .*(127\.0\.0\.1|refused|connect|reach)/i);
    await part('user:second-added').getByText(/\d+ Pods?\b/).waitFor({ timeout: 60_000 });
    await part('cairn-dev').getByText(/\d+ Pods?\b/).waitFor();
    // Each cluster's rows are what kubectl lists there (read together, as pods of the Deployments made above may still be arriving).
    const seen = await eventually(
      async () => ({ rows: await tableRows(), first: await kubectlNames(stage.cluster, ['pods', '-n', 'team-a']), second: await kubectlNames(second, ['pods', '-n', 'team-a']) }),
      (s) => namesFrom(s.rows, 'cairn-dev').join() === s.first.join() && namesFrom(s.rows, 'second-added (added)').join() === s.second.join(),
      30_000,
    );
    expect(seen.second.length).toBeGreaterThan(0);
    expect(seen.rows.filter((r) => r[1] === 'gone (added)')).toEqual([]);
    expect(await main().getByText('1 failed: see below', { exact: false }).count()).toBe(1);
    await screenshot(page, 'multicluster-failing-desktop');
  });

  it('victor (view), then on a phone: team-a pods from both clusters as kubectl lists them, no action; Secrets refused per cluster, never a whole-page error', async () => {
    page = await signedIn('victor');
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a&clusters=cairn-dev,second`);
    await part('second').getByText(/\d+ Pods?\b/).waitFor({ timeout: 60_000 });
    await part('cairn-dev').getByText(/\d+ Pods?\b/).waitFor();
    await eventually(
      async () => ({ rows: await tableRows(), first: await kubectlNames(stage.cluster, ['pods', '-n', 'team-a']), second: await kubectlNames(second, ['pods', '-n', 'team-a']) }),
      (s) => namesFrom(s.rows, 'cairn-dev').join() === s.first.join() && namesFrom(s.rows, 'second').join() === s.second.join(),
      30_000,
    );
    // No actions: nothing to select, nothing to change.
    expect(await main().getByRole('checkbox', { name: /^Select / }).count()).toBe(0);
    // The same address opened on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await part('second').getByText(/\d+ Pods?\b/).waitFor({ timeout: 60_000 });
    await main().getByRole('link', { name: /^db-0$/ }).first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'multicluster-victor-phone');

    await page.goto(`${stage.cairn.url}/workloads/secrets?cluster=cairn-dev&ns=team-a&clusters=cairn-dev,second`);
    for (const c of ['cairn-dev', 'second']) await part(c).getByText(/may not list Secrets/i).waitFor({ timeout: 60_000 });
    await main().getByText('No Secrets could be listed from these clusters: see why below.').waitFor();
    expect(await main().getByRole('searchbox').count()).toBe(1);
    await screenshot(page, 'multicluster-victor-secrets-phone');
  });
});
