import { DEV_OIDC_PROVIDER_LIST, DevCluster, DevOidcProvider } from '@cairn/kube-testenv';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import type { ConsoleUnderTest } from './support/console-under-test';
import { signInAtProvider, Stage, startStage } from './support/stage';

/**
 * Signing in as people do (seeds 001-003): through the organisation's OpenID provider (the
 * real login forms of the dev provider and of Keycloak: every story runs against both, on one
 * cluster whose API server trusts both), or with a ServiceAccount's bearer token; and signing out.
 */
let stage: Stage;

beforeAll(async () => {
  stage = await startStage({ oidc: true, cluster: { keycloak: true } });
}, 300_000);

afterAll(() => stage?.stop());

describe.each<[string, DevOidcProvider]>(DEV_OIDC_PROVIDER_LIST.map((p) => [p.title, p]))('signing in and out with %s', (title, provider) => {
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ cluster, browser } = stage);
    cairn = await stage.consoleFor(provider.name);
  }, 120_000);

  beforeEach(async () => {
    // The dev provider's certificate comes from the cluster's own CA, which this browser does not know.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true });
    page = await context.newPage();
  });

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? `story-${title}`);
    await context.close();
  });

  const userMenu = () => page.locator('cairn-user-menu');

  it('alice signs in with the provider, lands where she was going, sees what RBAC allows, and signs out', async () => {
    await page.goto(`${cairn.url}/workloads/pods`);
    // Once the page has settled (the shell adds the cluster to the address), Sign in returns to it.
    await page.waitForFunction(() => {
      const link = document.querySelector<HTMLAnchorElement>('a.sign-in');
      return link !== null && new URL(link.href).searchParams.get('returnTo') === '/workloads/pods?cluster=cairn-dev';
    });
    await userMenu().getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/workloads/pods?cluster=cairn-dev');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: `Sign in with ${provider.buttonName}` }).click();

    // The provider's own login form.
    await page.waitForURL(`${cluster.issuer(provider.name)}/**`);
    await screenshot(page, `sign-in-${provider.name}-login-form`);
    await signInAtProvider(page, provider, 'alice');

    await page.waitForURL(`${cairn.url}/workloads/pods**`);
    await userMenu().getByRole('button', { name: 'alice@cairn.test' }).waitFor();
    await screenshot(page, `sign-in-${provider.name}-signed-in`);
    const cookies = await context.cookies(cairn.url);
    expect(cookies.find((c) => c.name === 'cairn_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookies.some((c) => c.name === 'cairn_signin')).toBe(false);
    // The session cookie is the browser's; scripts on the page cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('cairn_session');

    const whoami = await page.evaluate(async () => (await fetch('api/v1/clusters/cairn-dev/whoami')).json());
    expect(whoami.username).toBe('alice@cairn.test');
    const teamB = await page.evaluate(async () => (await fetch('api/v1/clusters/cairn-dev/resources/core/v1/pods?namespace=team-b')).status);
    expect(teamB).toBe(403);
    // Home: her cluster's card names her as the API server knows her, from this provider's token.
    await page.goto(`${cairn.url}/`);
    await page.getByRole('main').getByText('You are alice@cairn.test').first().waitFor();
    await screenshot(page, `sign-in-${provider.name}-home`);

    await userMenu().getByRole('button', { name: 'alice@cairn.test' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    // RP-initiated logout at the provider, then back to the console's sign-in page.
    await page.waitForURL(`${cairn.url}/sign-in?signedOut=1`);
    await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
    expect((await context.cookies(cairn.url)).some((c) => c.name === 'cairn_session')).toBe(false);
  });

  it('a ServiceAccount token is checked by the cluster: a wrong one is refused with the command to get one, the right one signs in', async () => {
    await page.goto(`${cairn.url}/sign-in?returnTo=%2Fworkloads`);
    await page.getByRole('main').getByLabel('Cluster').selectOption('cairn-dev');
    await page.getByLabel('Bearer token').fill('not-a-token');
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept this token' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'did not accept' }).textContent()).toContain('kubectl create token');

    await page.getByLabel('Bearer token').fill(cluster.info.serviceAccount.token);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.waitForURL(`${cairn.url}/workloads**`);
    await userMenu().getByRole('button', { name: 'system:serviceaccount:team-a:deployer' }).waitFor();
    const whoami = await page.evaluate(async () => (await fetch('api/v1/clusters/cairn-dev/whoami')).json());
    expect(whoami.username).toBe('system:serviceaccount:team-a:deployer');
  });

  it('a provider that refuses the password keeps the user at its form, and the console stays signed out', async () => {
    await page.goto(`${cairn.url}/sign-in`);
    await page.getByRole('link', { name: `Sign in with ${provider.buttonName}` }).click();
    await signInAtProvider(page, provider, 'alice', 'wrong');
    await page.getByText(provider.loginForm.refusal).waitFor();
    expect(page.url().startsWith(cluster.issuer(provider.name))).toBe(true);
    expect((await context.cookies(cairn.url)).some((c) => c.name === 'cairn_session')).toBe(false);
  });
});
