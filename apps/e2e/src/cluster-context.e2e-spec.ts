import type { DevUserName } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { ConsoleUnderTest, startConsole } from './support/console-under-test';
import { Stage, startStage } from './support/stage';

/**
 * Choosing where to work: the cluster and the namespace, kept in the URL so a view can be
 * shared, and usable by a tenant who may not list namespaces (seed 002).
 */
describe('cluster and namespace context', () => {
  let stage: Stage;
  let cairn: ConsoleUnderTest;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
    ({ cairn, browser } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  /** A browser tab of `user`, signed in (the session sealed as the auth service seals it). */
  const signedIn = (user: DevUserName) => stage.signedIn(user);

  const namespaceField = () => page.getByRole('combobox', { name: 'Namespace' });

  it('an admin picks a namespace from the cluster\u2019s list, and the link to share says where they are', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads`);
    await page.getByRole('combobox', { name: 'Cluster' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Cluster' }).inputValue()).toBe('cairn-dev');
    const options = await page.locator('#cairn-namespaces option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['team-a', 'team-b', 'tenant-1', 'tenant-2']));
    await namespaceField().fill('team-b');
    await namespaceField().press('Enter');
    await page.waitForURL(/ns=team-b/);
    expect(page.url()).toContain('cluster=cairn-dev');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(/\/logs\?.*ns=team-b/);
  });

  it('a tenant who may not list namespaces types hers, and finds it again after a reload', async () => {
    page = await signedIn('tina');
    await page.goto(`${cairn.url}/workloads?cluster=cairn-dev`);
    await page.getByText('You may not list namespaces here: type yours').waitFor();
    await namespaceField().fill('tenant-1');
    await namespaceField().press('Enter');
    await page.waitForURL(/ns=tenant-1/);
    await page.goto(`${cairn.url}/workloads?cluster=cairn-dev`);
    await page.getByText('You may not list namespaces here: type yours').waitFor();
    const options = await page.locator('#cairn-namespaces option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['tenant-1']);
  });

  it('a tenant at "all namespaces" gets one calm state that opens hers; a namespace that is not hers says so', async () => {
    page = await signedIn('tina');
    await page.goto(`${cairn.url}/workloads?cluster=cairn-dev`);
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'You can\u2019t list workloads across the whole cluster'.replace('\u2019', "'") }).waitFor();
    // Not six refusals, a "0/0 healthy" or "no warnings" that read as good news.
    expect(await main.getByText('cannot list').count()).toBe(0);
    expect(await main.getByText('healthy').count()).toBe(0);
    await main.getByLabel('Namespace').fill('tenant-1');
    await main.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(/ns=tenant-1/);
    await main.getByRole('heading', { name: 'Needs attention' }).waitFor();
    // The top bar's picker has it at once, without a reload.
    expect(await page.locator('#cairn-namespaces option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['tenant-1']);
    await page.goto(`${cairn.url}/workloads?cluster=cairn-dev&ns=nope`);
    await main.getByRole('heading', { name: 'nope: not found, or not yours' }).waitFor();
    await main.getByRole('button', { name: 'tenant-1' }).click();
    await page.waitForURL(/ns=tenant-1/);
    // "n" jumps to the namespace field with its text selected: typing replaces it ("/" is global search).
    await main.getByRole('heading', { name: 'Needs attention' }).click();
    await page.keyboard.press('n');
    await page.keyboard.type('tenant-2');
    await page.keyboard.press('Enter');
    await page.waitForURL(/ns=tenant-2/);
  });

  it('someone without a session is offered to sign in', async () => {
    page = await browser.newPage();
    await page.goto(`${cairn.url}/workloads`);
    // The link comes back to this page once the router has settled on it.
    await page.locator('cairn-user-menu a[href^="/sign-in?returnTo=%2Fworkloads"]', { hasText: 'Sign in' }).waitFor();
    // Before signing in, the console names its clusters but not where they are.
    const clusters = (await (await page.request.get(`${cairn.url}/api/v1/clusters`)).json()) as Array<Record<string, unknown>>;
    expect(clusters).toEqual([{ name: 'cairn-dev', source: 'kubeconfig' }, { name: 'cairn-dev-deployer', source: 'kubeconfig', namespace: 'team-a' }]);
  });

  it('a console with no cluster configured (no KUBECONFIG, not in a pod) says so to a signed-in person, and offers to add their own', async () => {
    // The same built gateway and auth service, started as a shared console for people who bring their clusters.
    const bare = await startConsole([], { KUBECONFIG: '', CAIRN_IN_CLUSTER: 'false' });
    try {
      const tokens = await stage.cluster.login('alice');
      const now = Math.floor(Date.now() / 1000);
      const session: Session = { v: 1, issuedAt: now, oidc: { token: tokens.idToken, expiresAt: now + tokens.expiresIn, user: { name: 'alice@cairn.test', email: 'alice@cairn.test' } } };
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addCookies([{ name: SESSION_COOKIE, value: await new SealedBox([bare.sessionKey], SESSION_PURPOSE).seal(session, { ttlSeconds: 3600 }), url: bare.url }]);
      page = await context.newPage();
      await page.goto(`${bare.url}/`);
      await page.locator('cairn-context-bar').getByText('No cluster configured').waitFor();
      expect(await page.getByRole('combobox', { name: 'Cluster' }).count()).toBe(0);
      // The gateway itself: no cluster, and ready all the same (people add their own).
      expect(await (await page.request.get(`${bare.url}/api/v1/clusters`)).json()).toEqual([]);
      expect((await page.request.get(`${bare.url}/readyz`)).status()).toBe(200);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Clusters' }).click();
      const main = page.getByRole('main');
      await main.getByRole('heading', { name: 'No clusters yet' }).waitFor();
      expect(await main.getByText('You can add your own from a kubeconfig').count()).toBe(1);
      await main.getByRole('button', { name: 'Add a cluster' }).waitFor();
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Workloads' }).click();
      await main.getByRole('heading', { name: 'No cluster is selected' }).waitFor();
      expect(await page.locator('cairn-context-bar').innerText()).toContain('No cluster configured');
    } finally {
      await bare.stop();
    }
  });

  it('has no serious accessibility problems on the home page and a module page, in both themes', async () => {
    page = await signedIn('admin');
    for (const path of ['/', '/workloads/deployments']) {
      await page.goto(`${cairn.url}${path}`);
      await page.getByRole('combobox', { name: 'Cluster' }).waitFor();
      await page.locator('main h1').first().waitFor();
      expect({ path, theme: 'light', violations: await seriousViolations(page) }).toEqual({ path, theme: 'light', violations: [] });
    }
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect({ theme: 'dark', violations: await seriousViolations(page) }).toEqual({ theme: 'dark', violations: [] });
  });
});
