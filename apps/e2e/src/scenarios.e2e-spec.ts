import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { DEV_OIDC_PROVIDER_LIST, DevOidcProvider, waitUntil } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import type { ConsoleUnderTest } from './support/console-under-test';
import { signInAtProvider, Stage, startStage } from './support/stage';

/**
 * The acceptance scenarios of DESIGN.md, as the people in the seeds live them: the whole
 * stack (real control plane, auth service, gateway, shell, remotes) started by the run, in
 * Debian's Chromium, once with each OpenID provider (the dev provider, then Keycloak, both
 * trusted by the one cluster's API server; a console each). Each scenario's key screen is
 * saved to dist/e2e-screenshots/scenario-*.png (`scenario-*-keycloak.png` with Keycloak). Scenarios 5 and 6 (remotes down, broken, or added at
 * run time) are in run-time-remotes.e2e-spec.ts and team-remote.e2e-spec.ts.
 */
let stage: Stage;

beforeAll(async () => {
  // Loopback is where the dev cluster is; user-added clusters may point there, nowhere else.
  stage = await startStage({ oidc: true, settings: { CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' }, cluster: { keycloak: true } });
}, 300_000);

afterAll(() => stage?.stop());

describe.each<[string, DevOidcProvider]>(DEV_OIDC_PROVIDER_LIST.map((p) => [p.title, p]))('acceptance scenarios with %s', (title, provider) => {
  let cairn: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    cairn = await stage.consoleFor(provider.name);
  }, 120_000);

  /** A screenshot's name: `scenario-<name>`, with `-keycloak` for the Keycloak run. */
  const shot = (name: string) => `scenario-${name}${provider.name === 'dev' ? '' : `-${provider.name}`}`;

  afterEach(async () => {
    await screenshot(page, shot(`${expect.getState().currentTestName?.replace(`acceptance scenarios with ${title} `, '').replace(/\W+/g, '-')}`));
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const url = (path: string) => `${cairn.url}${path}`;

  /** Signs in at the provider's own login form, as a person does. */
  async function signInWithProvider(user: string, path: string): Promise<void> {
    // The provider's certificate comes from the dev cluster's CA, which this browser does not know.
    const context = await stage.browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page = await context.newPage();
    await page.goto(url(`/sign-in?returnTo=${encodeURIComponent(path)}`));
    await page.getByRole('link', { name: `Sign in with ${provider.buttonName}` }).click();
    await signInAtProvider(page, provider, user);
    await page.waitForURL(url(`${path.split('?')[0]}**`));
  }

  it('1: a user signs in through OIDC, sees the clusters, scales a deployment from 2 to 3 and watches the third pod arrive, then reads its logs as they stream', async () => {
    // The other provider's run scaled web to 3: back to the seed's 2 replicas first.
    const admin = stage.cluster.adminApi();
    try {
      await admin.json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: 2 } }, 'application/merge-patch+json');
      await waitUntil('team-a/web to run 2 pods', async () => {
        const pods = await admin.get<{ items: unknown[] }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
        const web = await admin.get<{ status?: { availableReplicas?: number; replicas?: number } }>('/apis/apps/v1/namespaces/team-a/deployments/web');
        return pods.items.length === 2 && web.status?.availableReplicas === 2 && web.status.replicas === 2;
      });
    } finally {
      admin.close();
    }
    await signInWithProvider('alice', '/clusters');
    await main().getByText('cairn-dev').first().waitFor();
    await main().getByText('alice@cairn.test').first().waitFor();
    await screenshot(page, shot('1-clusters'));

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Workloads' }).click();
    await main().getByRole('heading', { name: 'Workloads', level: 1 }).waitFor();
    const namespace = page.getByRole('combobox', { name: 'Namespace' });
    await namespace.fill('team-a');
    await namespace.press('Enter');
    await main().getByRole('link', { name: 'Deployments', exact: true }).click();
    await main().getByRole('row').filter({ hasText: '2/2 ready' }).getByRole('link', { name: 'web', exact: true }).click();
    await main().getByRole('heading', { name: 'Pods (2)' }).waitFor();
    await main().getByRole('button', { name: 'One replica more' }).click();
    await main().getByRole('status').filter({ hasText: 'Scaled web to 3 replicas.' }).waitFor();
    // No reload: the watch stream brings the third pod, then its readiness.
    await main().getByRole('heading', { name: 'Pods (3)' }).waitFor();
    await main().getByText('3/3 ready').waitFor();
    await screenshot(page, shot('1-scaled'));

    await main().getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(/\/logs\?.*workload=apps%2Fv1%2Fdeployments%2Fweb|\/logs\?.*workload=apps\/v1\/deployments\/web/);
    const status = page.getByRole('status').first();
    await status.filter({ hasText: 'Following' }).waitFor();
    const count = async () => Number(/([\d,]+) lines?/.exec((await status.textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);
    await page.locator('cairn-log-viewport .line').first().waitFor();
    const before = await count();
    // New lines arrive while the page is open: the count in the status line goes up.
    expect(await eventually(count, (n) => n > before)).toBeGreaterThan(before);
    await screenshot(page, shot('1-logs'));
  });

  it('2: a read-only user sees workloads, is told plainly that Secrets are not for her, and is offered no change anywhere', async () => {
    await signInWithProvider('victor', '/workloads/deployments?cluster=cairn-dev&ns=team-a');
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();

    await page.goto(url('/workloads/other/core/v1/secrets?cluster=cairn-dev&ns=team-a'));
    const refusal = main().getByRole('alert');
    await refusal.getByText('You may not list secrets in team-a').waitFor();
    expect(await refusal.textContent()).toContain('cannot list resource "secrets" in API group "" in the namespace "team-a"');
    await screenshot(page, shot('2-secrets-refused'));

    for (const path of ['/workloads/deployments/team-a/web', '/workloads/cronjobs/team-a/nightly-report', '/workloads/statefulsets/team-a/db']) {
      await page.goto(url(`${path}?cluster=cairn-dev`));
      await main().getByText(/^Read only: your role may not change this/).waitFor();
      for (const action of ['Scale', 'Restart', 'Suspend', 'Run now', 'Delete']) expect(await main().getByRole('button', { name: new RegExp(`^${action}`) }).count()).toBe(0);
      await main().getByRole('tab', { name: 'YAML' }).click();
      await main().locator('pre.yaml').waitFor();
      expect(await main().getByRole('button', { name: 'Edit' }).count()).toBe(0);
    }
  });

  it('3: a tenant who may not list namespaces types hers and gets a working console for it', async () => {
    await signInWithProvider('tina', '/workloads?cluster=cairn-dev');
    await page.getByText('You may not list namespaces here: type yours').waitFor();
    const namespace = page.getByRole('combobox', { name: 'Namespace' });
    await namespace.fill('tenant-2');
    await namespace.press('Enter');
    await page.waitForURL(/ns=tenant-2/);
    expect(new URL(page.url()).searchParams.get('ns')).toBe('tenant-2');
    // Problems first, in her namespace only: the failed backup job.
    const problems = main().locator('.problems li');
    await problems.filter({ hasText: 'Job backup' }).waitFor();
    const listed = await problems.allInnerTexts();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((text) => !text.includes('tenant-2'))).toEqual([]);
    await main().getByRole('link', { name: 'Deployments', exact: true }).click();
    await main().getByRole('row').getByRole('link', { name: 'blog', exact: true }).click();
    await main().getByRole('heading', { name: 'Deployment blog' }).waitFor();
    // She may act on it: the action is offered and enabled (a viewer gets neither, scenario 2).
    const restart = main().getByRole('button', { name: 'Restart' });
    await restart.waitFor();
    expect(await restart.isEnabled()).toBe(true);
    await screenshot(page, shot('3-tenant-deployment'));
    // Another tenant's namespace stays closed, and says why, in the API server's words.
    await page.goto(url('/workloads/deployments?cluster=cairn-dev&ns=team-a'));
    const closed = main().getByRole('alert').filter({ hasText: 'You may not list Deployments in team-a' });
    await closed.waitFor();
    expect(await closed.textContent()).toContain('cannot list resource "deployments"');
    expect(await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).count()).toBe(0);
  });

  it('4: a user pastes a kubeconfig; the cluster appears, works, survives a reload, and the server keeps nothing (it cannot use it without the browser\u2019s entry); an exec plugin or a forbidden address is refused', async () => {
    await signInWithProvider('alice', '/clusters');
    const row = (cluster: string) => main().locator(`tr[data-cluster="${cluster}"]`);
    const contextItem = (context: string) => main().locator(`li[data-context="${context}"]`);
    const paste = async (text: string) => {
      await main().getByRole('button', { name: 'Add a cluster' }).click();
      await main().getByLabel('Kubeconfig', { exact: true }).fill(text);
      await main().getByRole('button', { name: 'Check contexts' }).click();
    };
    await paste(readFileSync(stage.cluster.info.kubeconfig, 'utf8'));
    await contextItem('cairn-dev-deployer').getByText('you are system:serviceaccount:team-a:deployer').waitFor();
    // Each context ticks itself when it answers: seen answering, then unticked.
    await contextItem('cairn-dev').getByText('you are cairn-dev-admin').waitFor();
    await contextItem('cairn-dev').getByRole('checkbox').uncheck();
    await contextItem('cairn-dev-deployer').getByLabel('Name in Cairn').fill('lab');
    await main().getByRole('button', { name: 'Add 1 cluster' }).click();
    await row('user:lab').getByText('Reachable', { exact: true }).waitFor();
    await screenshot(page, shot('4-added'));

    // It works: its workloads, with the kubeconfig's own credentials.
    await page.goto(url('/workloads/deployments?cluster=user%3Alab&ns=team-a'));
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();
    // It survives a reload: the browser keeps it (IndexedDB).
    await page.reload();
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();
    // The server kept nothing: asked with this very session, it does not know the cluster, and
    // cannot reach it unless the browser sends the entry again with the request.
    const fromServer = await page.evaluate(async () => {
      const clusters = ((await (await fetch('api/v1/clusters')).json()) as Array<{ name: string }>).map((c) => c.name);
      const bare = await fetch('api/v1/clusters/user%3Alab/resources/apps/v1/deployments?namespace=team-a');
      return { clusters, status: bare.status, message: ((await bare.json()) as { message: string }).message };
    });
    expect(fromServer).toEqual({ clusters: ['cairn-dev', 'cairn-dev-deployer'], status: 400, message: expect.stringContaining('send its kubeconfig entry in the x-cairn-cluster header') });

    await page.goto(url('/clusters'));
    const refused = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: eks, cluster: {server: "https://127.0.0.1:6443"}}, {name: metadata, cluster: {server: "https://169.254.169.254"}}]',
      'users: [{name: aws, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}}}, {name: plain, user: {token: abc}}]',
      'contexts: [{name: eks, context: {cluster: eks, user: aws}}, {name: cloud-metadata, context: {cluster: metadata, user: plain}}]',
    ].join('\n');
    await paste(refused);
    await contextItem('eks').getByText(/Refused: context "eks": its user runs a program on the server to get a credential/).waitFor();
    await contextItem('cloud-metadata').getByText('Not reachable').waitFor();
    expect(await contextItem('cloud-metadata').textContent()).toContain('Cairn will not connect to https://169.254.169.254: 169.254.169.254 is a link-local address (cloud metadata services live there)');
    expect(await contextItem('cloud-metadata').getByRole('checkbox').isChecked()).toBe(false);
    expect(await main().getByRole('button', { name: 'Add 0 clusters' }).isDisabled()).toBe(true);
    await screenshot(page, shot('4-refused'));
  });

  it('7: a session whose token expired is renewed without the user noticing, and signing out ends it', async () => {
    await signInWithProvider('alice', '/workloads/deployments?cluster=cairn-dev&ns=team-a');
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();

    // Time passes: the ID token in the session expires (the refresh token is still good).
    const box = new SealedBox([cairn.sessionKey], SESSION_PURPOSE);
    const cookies = await page.context().cookies(cairn.url);
    const sealed = cookies.find((c) => c.name === SESSION_COOKIE)?.value as string;
    const session = (await box.open<Session>(sealed)) as Session;
    const expired: Session = { ...session, oidc: { ...(session.oidc as NonNullable<Session['oidc']>), expiresAt: Math.floor(Date.now() / 1000) - 60 } };
    await page.context().addCookies([{ name: SESSION_COOKIE, value: await box.seal(expired, { ttlSeconds: 3600 }), url: cairn.url }]);

    const refreshes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/auth/refresh')) refreshes.push(r.status());
    });
    await page.goto(url('/workloads/deployments?cluster=cairn-dev&ns=team-a'));
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();
    expect(await main().getByRole('alert').count()).toBe(0);
    expect(refreshes).toContain(200);
    const renewed = await box.open<Session>((await page.context().cookies(cairn.url)).find((c) => c.name === SESSION_COOKIE)?.value as string);
    expect(renewed?.oidc?.expiresAt).toBeGreaterThan(Date.now() / 1000);

    await page.getByRole('button', { name: 'alice@cairn.test' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(url('/sign-in?signedOut=1'));
    await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
    await screenshot(page, shot('7-signed-out'));
    const after = await page.evaluate(async () => (await fetch('api/v1/clusters/cairn-dev/whoami')).status);
    expect(after).toBe(401);
  });

  it('7: a session the provider will not renew ends, and the shell says so with a way to sign in again', async () => {
    await signInWithProvider('alice', '/workloads/deployments?cluster=cairn-dev&ns=team-a');
    await main().getByRole('row').getByRole('link', { name: 'web', exact: true }).waitFor();
    // The ID token ran out ten minutes ago (past the auth service's two minutes' grace for a
    // renewal raced by another tab), and the refresh token is one the provider does not know.
    const box = new SealedBox([cairn.sessionKey], SESSION_PURPOSE);
    const sealed = (await page.context().cookies(cairn.url)).find((c) => c.name === SESSION_COOKIE)?.value as string;
    const session = (await box.open<Session>(sealed)) as Session;
    const dead: Session = { ...session, oidc: { ...(session.oidc as NonNullable<Session['oidc']>), expiresAt: Math.floor(Date.now() / 1000) - 600, refreshToken: 'a-refresh-token-the-provider-never-issued' } };
    await page.context().addCookies([{ name: SESSION_COOKIE, value: await box.seal(dead, { ttlSeconds: 3600 }), url: cairn.url }]);
    const refreshes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/auth/refresh')) refreshes.push(r.status());
    });
    await page.goto(url('/workloads/deployments?cluster=cairn-dev&ns=team-a'));
    const ended = page.getByRole('alert').filter({ hasText: 'Your session has ended.' });
    await ended.waitFor();
    expect(refreshes).toContain(401);
    expect(refreshes).not.toContain(200);
    expect(await ended.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toMatch(/^\/sign-in\?returnTo=/);
    expect(await page.evaluate(async () => ((await (await fetch('auth/session')).json()) as { signedIn: boolean }).signedIn)).toBe(false);
    await screenshot(page, shot('7-session-ended'));
  });
});
