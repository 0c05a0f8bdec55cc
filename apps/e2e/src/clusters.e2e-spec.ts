import { readFileSync } from 'node:fs';
import { DevCluster, DevUserName } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';

/**
 * The clusters module against the real control plane: every cluster with whether it answers,
 * its version and who the user is there; one cluster's nodes, namespaces, workloads and
 * warnings; and clusters a user adds from their own kubeconfig, kept in the browser (seed 000).
 */
describe('clusters', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    // The dev cluster listens on loopback, which user-added clusters may reach only when allowed.
    stage = await startStage({ settings: { CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' } });
    ({ cluster, cairn } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  /** A browser tab of `user`, signed in (the session sealed as the auth service seals it). */
  const signedIn = (user: DevUserName) => stage.signedIn(user, { width: 1280, height: 900 });

  const main = () => page.getByRole('main');
  const row = (cluster: string) => main().locator(`tr[data-cluster="${cluster}"]`);
  const contextItem = (context: string) => main().locator(`li[data-context="${context}"]`);
  /** The overview's nodes, one row each (the header row has no cells). */
  const nodeRows = () => main().getByRole('table', { name: 'Nodes' }).getByRole('row').filter({ has: page.getByRole('cell') });

  const pasteKubeconfig = async (text: string) => {
    await main().getByRole('button', { name: 'Add a cluster' }).click();
    await main().getByLabel('Kubeconfig', { exact: true }).fill(text);
    await main().getByRole('button', { name: 'Check contexts' }).click();
  };

  it('an admin sees the dev cluster reachable, with its version and who they are there, and opens its two ready nodes', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/clusters`);
    await row('cairn-dev').getByText('Reachable', { exact: true }).waitFor();
    await row('cairn-dev').getByText(/^v1\.\d+\.\d+/).waitFor();
    await row('cairn-dev').getByText('admin@cairn.test').waitFor();
    // The ServiceAccount's context is a cluster of the console too; the admin's session has no credential there.
    await row('cairn-dev-deployer').getByText('Reachable', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await row('cairn-dev').getByRole('link', { name: 'cairn-dev' }).click();
    await main().getByRole('heading', { level: 1, name: 'cairn-dev' }).waitFor();
    const nodes = nodeRows();
    await nodes.nth(2).waitFor();
    expect(await nodes.count()).toBe(3);
    // The seed's lost node, cordoned, reports Ready Unknown: kubectl says NotReady,SchedulingDisabled.
    expect((await nodes.locator('cairn-status').allTextContents()).map((t) => t.trim())).toEqual(['Ready', 'Ready', 'NotReady,SchedulingDisabled']);
    expect(await nodes.locator('[role=cell]:first-child').allTextContents()).toEqual([expect.stringContaining('kwok-node-1'), expect.stringContaining('kwok-node-2'), expect.stringContaining('lost-node')]);
    await main().getByRole('list', { name: 'Namespaces' }).getByRole('link', { name: 'tenant-1' }).waitFor();
    // The seeded trouble shows, in kubectl's words: pods that fail (pod-states has more than fit, so the rest are counted), and warnings.
    const health = main().locator('section[aria-labelledby="health-title"]');
    await health.locator('li', { has: page.getByRole('link', { name: 'init-crash-looping' }) }).getByText('Init:CrashLoopBackOff').waitFor({ timeout: 60_000 });
    await health.getByRole('link', { name: /^and \d+ more$/ }).waitFor();
    await main().locator('section[aria-labelledby="warnings-title"] tbody').getByText(/BackOff|FailedScheduling/).first().waitFor({ timeout: 60_000 });
    expect(page.url()).toMatch(/\/clusters\/cairn-dev\?cluster=cairn-dev/);
    expect(await page.getByRole('combobox', { name: 'Cluster' }).inputValue()).toBe('cairn-dev');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect({ theme: 'dark', violations: await seriousViolations(page) }).toEqual({ theme: 'dark', violations: [] });
    await screenshot(page, 'clusters-overview-dark');

    // The internal IP is a column to choose; the choice is kept for every cluster's nodes.
    await main().getByRole('button', { name: 'Columns' }).click();
    await main().getByRole('group', { name: 'Columns shown' }).getByRole('checkbox', { name: 'Internal IP' }).check();
    await page.keyboard.press('Escape');
    await main().getByRole('table', { name: 'Nodes' }).getByRole('columnheader', { name: 'Internal IP' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('cairn.columns.nodes'))).toBe('{"internal-ip":true}');
  });

  it('adds a cluster from a pasted kubeconfig, keeps it in the browser across a reload, renames it and removes it', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/clusters`);
    await row('cairn-dev').getByText('Reachable', { exact: true }).waitFor();
    await pasteKubeconfig(readFileSync(cluster.info.kubeconfig, 'utf8'));

    // Each context is checked by the gateway, then asked who the user would be there.
    await contextItem('cairn-dev').getByText('you are cairn-dev-admin').waitFor();
    await contextItem('cairn-dev-deployer').getByText('you are system:serviceaccount:team-a:deployer').waitFor();
    await main().getByText('Contexts in this file: 2 answering').waitFor();
    await contextItem('cairn-dev-deployer').getByRole('checkbox').uncheck();
    await contextItem('cairn-dev').getByLabel('Name in Cairn').fill('my-dev');
    await screenshot(page, 'clusters-add-checked');
    await main().getByRole('button', { name: 'Add 1 cluster' }).click();
    await main().getByRole('status').filter({ hasText: 'Added my-dev.' }).waitFor();
    // The top bar offers it at once, by the name given, without a reload.
    await page.getByRole('combobox', { name: 'Cluster' }).locator('option', { hasText: 'my-dev (added)' }).waitFor({ state: 'attached' });
    await row('user:my-dev').getByText('Reachable', { exact: true }).waitFor();
    await row('user:my-dev').getByText('cairn-dev-admin').waitFor();
    await row('user:my-dev').getByText('Added in this browser').waitFor();

    // Kept in IndexedDB, not on the server: a reload finds it, and the top bar offers it.
    await page.reload();
    await row('user:my-dev').getByText('Reachable', { exact: true }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Cluster' }).locator('option').allTextContents()).toContain('my-dev (added)');
    const stored = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('cairn');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('user-clusters').objectStore('user-clusters').getAll();
            all.onsuccess = () => resolve((all.result as Array<{ name: string; entry: string }>).map((c) => `${c.name}:${c.entry.length > 100}`));
          };
        }),
    );
    expect(stored).toEqual(['my-dev:true']);
    await screenshot(page, 'clusters-home-with-added');

    // Its overview works through the entry sent with each request, as the kubeconfig's own user.
    await row('user:my-dev').getByRole('link', { name: 'my-dev' }).click();
    await main().getByRole('heading', { level: 1, name: /my-dev/ }).waitFor();
    await main().locator('.facts').getByText('cairn-dev-admin').waitFor();
    await nodeRows().locator('cairn-status').getByText('Ready', { exact: true }).nth(1).waitFor();
    await main().getByRole('link', { name: 'All clusters' }).click();

    await row('user:my-dev').getByRole('button', { name: 'Rename my-dev' }).click();
    await main().getByLabel('New name for my-dev').fill('dev copy');
    await main().getByLabel('New name for my-dev').press('Enter');
    await main().getByRole('alert').filter({ hasText: 'Use letters, digits' }).waitFor();
    await main().getByLabel('New name for my-dev').fill('dev-copy');
    await main().getByLabel('New name for my-dev').press('Enter');
    await main().getByRole('status').filter({ hasText: 'Renamed my-dev to dev-copy.' }).waitFor();
    await row('user:dev-copy').getByText('Reachable', { exact: true }).waitFor();
    expect(await row('user:my-dev').count()).toBe(0);

    // Removing asks first, in a dialog (in the overlay at the end of <body>, not in the main region).
    const remove = row('user:dev-copy').getByRole('button', { name: 'Remove dev-copy' });
    await remove.click();
    const confirm = page.getByRole('dialog', { name: 'Remove dev-copy from this browser?' });
    await confirm.getByText('Only this browser forgets it').waitFor();
    await screenshot(page, 'clusters-remove-dialog');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction((button) => button === document.activeElement, await remove.elementHandle(), { timeout: 5_000 });
    await row('user:dev-copy').waitFor();
    await remove.press('Enter');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await confirm.waitFor({ state: 'detached' });
    await main().getByRole('status').filter({ hasText: 'Removed dev-copy from this browser.' }).waitFor();
    await page.reload();
    await row('cairn-dev').getByText('Reachable', { exact: true }).waitFor();
    expect(await row('user:dev-copy').count()).toBe(0);
  });

  it('refuses a context whose user runs a program for its credential, and a file that is not a kubeconfig, saying why', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/clusters`);
    const exec = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: eks, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: aws, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}}}]',
      'contexts: [{name: eks, context: {cluster: eks, user: aws}}]',
    ].join('\n');
    await pasteKubeconfig(exec);
    await contextItem('eks').getByText(/Refused: context "eks": its user runs a program on the server to get a credential/).waitFor();
    expect(await contextItem('eks').getByRole('checkbox').isDisabled()).toBe(true);
    expect(await main().getByRole('button', { name: 'Add 0 clusters' }).isDisabled()).toBe(true);
    await screenshot(page, 'clusters-add-exec-refused');

    await main().getByLabel('Kubeconfig', { exact: true }).fill('{{{');
    await main().getByRole('button', { name: 'Check contexts' }).click();
    await main().getByRole('alert').filter({ hasText: 'This is not a kubeconfig: it is not valid YAML' }).waitFor();
  });

  it('a tenant who may not list nodes or namespaces sees why, and her own namespaces and their workloads once she names them', async () => {
    page = await signedIn('tina');
    await page.goto(`${cairn.url}/clusters/cairn-dev?cluster=cairn-dev`);
    await main().getByRole('heading', { level: 1, name: 'cairn-dev' }).waitFor();
    await main().locator('.facts').getByText('tina@cairn.test').waitFor();
    const nodesRefused = main().locator('section[aria-labelledby="nodes-title"]').getByRole('alert').filter({ hasText: /cannot list resource "nodes"/ });
    await nodesRefused.getByRole('heading', { name: 'You may not list Nodes in this cluster' }).waitFor();
    const namespacesRefused = main().locator('section[aria-labelledby="namespaces-title"]').getByRole('alert').filter({ hasText: /cannot list resource "namespaces"/ });
    await namespacesRefused.getByRole('heading', { name: 'You may not list Namespaces in this cluster' }).waitFor();
    await namespacesRefused.getByText('Add the namespaces you work in to the settings below').waitFor();
    await screenshot(page, 'clusters-tenant-refused');

    await main().getByLabel('Your namespaces').fill('tenant-1, tenant-2');
    await main().getByLabel('Default namespace').fill('tenant-1');
    await main().getByRole('button', { name: 'Save settings' }).click();
    await main().getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const namespaces = main().getByRole('list', { name: 'Your namespaces' });
    await namespaces.getByRole('link', { name: 'tenant-2' }).waitFor();
    expect(await namespaces.getByRole('listitem').allTextContents()).toEqual(['tenant-1', 'tenant-2']);
    const health = main().locator('section[aria-labelledby="health-title"]');
    await health.getByText('In your namespaces tenant-1, tenant-2').waitFor();
    await health.getByRole('heading', { name: /^Deployments: \d of 2 ready$/ }).waitFor({ timeout: 60_000 });
    // The failing backup Job's pods are hers to see.
    await health.getByRole('link', { name: /^backup-/ }).first().waitFor({ timeout: 60_000 });
    expect(page.url()).toContain('ns=tenant-1');

    // The settings are this browser's: they are there after a reload.
    await page.reload();
    await main().getByRole('list', { name: 'Your namespaces' }).getByRole('link', { name: 'tenant-1' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
