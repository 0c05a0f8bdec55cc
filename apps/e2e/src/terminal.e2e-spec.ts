import { readFileSync } from 'node:fs';
import { kubectlOut, waitUntil } from '@cairn/kube-testenv';
import { stringify } from 'yaml';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { Stage, startStage } from './support/stage';
import { typeAndRead } from './support/terminal';

/**
 * A terminal in a pod's container: the gateway opens the API server's exec with the signed-in
 * user's own token, and the dev cluster's kwok runs the command as a real local process, so
 * what is typed is answered by a real shell. Offered only to who may `create pods/exec`.
 */
describe('a terminal in a pod', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    // The dev cluster listens on loopback, where user-added clusters may go only when allowed.
    stage = await startStage({ settings: { CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' } });
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `terminal-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const webPod = async () => (await stage.cluster.adminApi().get<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb')).items[0]?.metadata.name ?? '';
  const screenText = () => main().locator('.xterm-rows').innerText();

  it('alice (edit in team-a) opens a shell on web, types a command and reads its output, then sees the exit code', async () => {
    const pod = await webPod();
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev`);
    await main().getByRole('tab', { name: 'Terminal' }).click();
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    expect(page.url()).toContain('view=exec');
    await typeAndRead(page, 'echo cairn-$((6 * 7))', 'cairn-42');
    await typeAndRead(page, 'exit 3', '');
    await main().getByRole('status').filter({ hasText: 'exited with code 3' }).waitFor({ timeout: 20_000 });
    // Reconnect: a new shell in the same place.
    await main().getByRole('button', { name: 'Reconnect' }).click();
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    await typeAndRead(page, 'echo again-$((1 + 1))', 'again-2');
    expect(await screenText()).not.toContain('cairn-42');
  });

  it('a deep link opens the terminal on the chosen container; on a phone the key row\'s Ctrl makes the next key Ctrl+C', async () => {
    const pod = await webPod();
    page = await stage.signedIn('alice', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=exec&container=log-shipper`);
    await main().getByRole('status').filter({ hasText: 'Connected to log-shipper.' }).waitFor({ timeout: 20_000 });
    const keys = main().getByRole('group', { name: 'Terminal keys' });
    await keys.getByRole('button', { name: 'Escape' }).waitFor();
    await main().locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('sleep 100');
    await keys.getByRole('button', { name: 'Control (for the next key)' }).click();
    await main().locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('c');
    await typeAndRead(page, 'echo after-$((2 + 3))', 'after-5');
  });

  it('alice attaches to the web container\'s main process and reads its output as it comes', async () => {
    const pod = await webPod();
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=exec&container=web`);
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    await main().getByRole('combobox', { name: 'Shell' }).selectOption({ label: 'Attach to the main process' });
    await main().getByRole('button', { name: 'Reconnect' }).click();
    await main().getByRole('status').filter({ hasText: "Attached to web's main process" }).waitFor({ timeout: 20_000 });
    // The dev cluster's web container logs a request a second; attached, they appear as they come.
    await page.waitForFunction(() => /HTTP\/1\.1" \d{3}/.test((document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: 20_000 });
  });

  it('victor (view) sees no Terminal, not even from a deep link', async () => {
    const pod = await webPod();
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=exec&container=web`);
    await main().getByRole('tab', { name: 'YAML' }).waitFor();
    await main().getByRole('heading', { name: 'Facts' }).waitFor();
    expect(await main().getByRole('tab', { name: 'Terminal' }).count()).toBe(0);
    expect(await main().locator('.xterm').count()).toBe(0);
  });

  it('admin has the Terminal too', async () => {
    const pod = await webPod();
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=exec`);
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    await typeAndRead(page, 'echo admin-$((3 * 3))', 'admin-9');
  });

  /**
   * alice adds a cluster from a kubeconfig, as the clusters page offers: by default the dev
   * cluster's own (its `cairn-dev` context, the admin's client certificate) as `mine`.
   */
  const addDevCluster = async (options: { kubeconfig?: string; context?: string; who?: string; name?: string; others?: string[] } = {}) => {
    const { kubeconfig = readFileSync(stage.cluster.info.kubeconfig, 'utf8'), context: chosen = 'cairn-dev', who = 'cairn-dev-admin', name = 'mine', others = ['cairn-dev-deployer'] } = options;
    await page.goto(`${stage.cairn.url}/clusters`);
    await main().getByRole('button', { name: 'Add a cluster' }).click();
    await main().getByLabel('Kubeconfig', { exact: true }).fill(kubeconfig);
    await main().getByRole('button', { name: 'Check contexts' }).click();
    const context = (name: string) => main().locator(`li[data-context="${name}"]`);
    await context(chosen).getByText(`you are ${who}`).waitFor();
    // As a person does: each other context's answer seen (it ticks itself when it answers), then unticked.
    for (const other of others) {
      await context(other).getByText('you are ').waitFor();
      await context(other).getByRole('checkbox').uncheck();
    }
    await context(chosen).getByLabel('Name in Cairn').fill(name);
    await main().getByRole('button', { name: 'Add 1 cluster' }).click();
    await main().getByRole('status').filter({ hasText: `Added ${name}.` }).waitFor();
  };

  it('a cluster added from a kubeconfig (kept in the browser) has the Terminal too: its entry travels with the WebSocket, never stored', async () => {
    const pod = await webPod();
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await addDevCluster();
    const upgrades: string[] = [];
    page.on('websocket', (ws) => upgrades.push(new URL(ws.url()).pathname));
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=user:mine&view=exec`);
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    await typeAndRead(page, 'echo added-$((5 * 5))', 'added-25');
    expect(upgrades).toEqual([`/api/v1/clusters/user%3Amine/namespaces/team-a/pods/${pod}/exec`]);
  });

  it('on a cluster added from a kubeconfig, a debug container is added (the API client\'s header) and attached to (the entry subprotocol), then a shell opened in it', async () => {
    const pod = await webPod();
    page = await stage.signedIn('alice', { width: 390, height: 844 });
    await addDevCluster();
    const upgrades: string[] = [];
    page.on('websocket', (ws) => upgrades.push(new URL(ws.url()).pathname.split('/').slice(-1)[0] ?? ''));
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=user:mine&view=debug`);
    const form = main().getByRole('region', { name: 'Add a debug container' });
    await form.getByRole('combobox', { name: 'Target container' }).selectOption('web');
    await form.getByRole('textbox', { name: 'Command' }).fill('sh');
    await form.getByRole('button', { name: 'Add and attach' }).click();
    await page.waitForURL(/view=exec/, { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('cluster')).toBe('user:mine');
    const container = new URL(page.url()).searchParams.get('container') ?? '';
    expect(container).toMatch(/^debugger-[a-z0-9]{5}$/);
    await main().getByRole('status').filter({ hasText: `Attached to ${container}` }).waitFor({ timeout: 20_000 });
    // What kubectl says was added, as the admin's certificate (the entry's credential) added it.
    const added = JSON.parse((await kubectlOut(stage.cluster, ['get', 'pod', '-n', 'team-a', pod, '-o', 'jsonpath={.spec.ephemeralContainers}'])) || '[]') as Array<Record<string, unknown>>;
    expect(added.find((c) => c['name'] === container)).toMatchObject({ image: 'busybox:1.37', targetContainerName: 'web', command: ['sh'], stdin: true, tty: true });
    // The debug container is already the one chosen (choosing it again would attach again).
    expect(await main().getByRole('combobox', { name: 'Container' }).inputValue()).toBe(container);
    await main().getByRole('combobox', { name: 'Shell' }).selectOption('/bin/sh');
    await main().getByRole('button', { name: 'Reconnect' }).click();
    await main().getByRole('status').filter({ hasText: `Connected to ${container}.` }).waitFor({ timeout: 20_000 });
    await typeAndRead(page, 'echo debug-added-$((6 * 7))', 'debug-added-42');
    expect(upgrades).toEqual(['attach', 'exec']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/attack-debug-user-cluster-phone.png', fullPage: true });
  });

  it("a cluster added with a token that is revoked afterwards: its pod page and its card say to add it again, and alice's console session goes on", async () => {
    const pod = await webPod();
    const admin = stage.cluster.adminApi();
    await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'short-lived', namespace: 'team-a' } });
    const { status } = await admin.json<{ status: { token: string } }>('POST', '/api/v1/namespaces/team-a/serviceaccounts/short-lived/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'dev', cluster: { server: stage.cluster.info.server, 'certificate-authority-data': Buffer.from(stage.cluster.info.ca).toString('base64') } }],
      users: [{ name: 'short-lived', user: { token: status.token } }],
      contexts: [{ name: 'short', context: { cluster: 'dev', user: 'short-lived' } }],
    });
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await addDevCluster({ kubeconfig, context: 'short', who: 'system:serviceaccount:team-a:short-lived', name: 'short', others: [] });
    // The token is revoked: its ServiceAccount deleted, and the API server refuses it (401).
    await admin.json('DELETE', '/api/v1/namespaces/team-a/serviceaccounts/short-lived');
    await waitUntil('the API server to refuse the token', async () => (await stage.cluster.tokenApi(status.token).send('GET', '/api/v1/namespaces/team-a/pods')).status === 401, 30_000);

    // The pod's page says why, and offers no action (its access reviews could not be answered); the module keeps working.
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=user:short&view=exec`);
    await main().getByText('did not accept the credential in its kubeconfig entry').first().waitFor({ timeout: 20_000 });
    await main().getByRole('heading', { name: 'Cluster short no longer accepts the credential you added it with' }).waitFor();
    // Not a matter of roles: nothing says so, and nobody is sent to the cluster's administrators.
    expect(await main().getByText('does not allow this').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: '/tmp/attack-revoked-user-cluster-pod.png', fullPage: true });
    expect(await main().getByText('stopped working').count()).toBe(0);
    expect(await main().getByRole('tab', { name: 'Terminal' }).count()).toBe(0);
    await page.goto(`${stage.cairn.url}/clusters`);
    await main().getByText('did not accept the credential in its kubeconfig entry').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: '/tmp/attack-revoked-user-cluster.png', fullPage: true });
    // Still signed in to the console: no "session has ended", and the configured cluster works.
    expect(await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).count()).toBe(0);
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=exec`);
    await main().getByRole('status').filter({ hasText: 'Connected to web.' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).count()).toBe(0);
  });
});
