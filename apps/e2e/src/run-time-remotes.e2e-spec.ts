import type { Browser, Page } from 'playwright-core';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, startConsole, ConsoleUnderTest } from './support/console-under-test';
import { launchBrowser, recordRequests, screenshot } from './support/browser';

/**
 * The console's modules are separate builds that the shell finds at run time in the
 * gateway's manifest. A team's remote that is down must not take the console with it.
 */
describe('micro-frontends loaded at run time', () => {
  let cairn: ConsoleUnderTest;
  let browser: Browser;
  let page: Page;
  let requests: string[];
  let oldRemote: Server;

  beforeAll(async () => {
    // A team registered its remote, but the server that should serve it is not running.
    const nobodyListens = await freePort();
    // Another team's remote is up, but was built against an older Angular.
    oldRemote = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify({ name: 'team-quotas', exposes: [{ key: './routes', outFileName: 'routes.js' }], shared: [{ packageName: '@angular/core', version: '21.2.4', requiredVersion: '21.2.4', singleton: true, strictVersion: true, outFileName: 'core.js' }] }));
    });
    await new Promise<void>((listening) => oldRemote.listen(0, '127.0.0.1', listening));
    const oldPort = (oldRemote.address() as AddressInfo).port;
    cairn = await startConsole([
      {
        name: 'team-costs',
        remoteEntry: `http://127.0.0.1:${nobodyListens}/remoteEntry.json`,
        exposedModule: './routes',
        route: 'costs',
        label: 'Costs',
      },
      {
        name: 'team-quotas',
        remoteEntry: `http://127.0.0.1:${oldPort}/remoteEntry.json`,
        exposedModule: './routes',
        route: 'quotas',
        label: 'Quotas',
      },
    ]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await cairn?.stop();
    oldRemote?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    requests = recordRequests(page);
  });

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.close();
  });

  const pageHeading = () => page.locator('main h1').first();
  const navigation = () => page.getByRole('navigation', { name: 'Console' });

  it('sends a signed-out visitor of / to the sign-in page, in the layout with one navigation entry per module, fetching no module', async () => {
    await page.goto(`${cairn.url}/`);
    await page.waitForURL(`${cairn.url}/sign-in`);
    await navigation().getByRole('link').first().waitFor();
    expect(await navigation().getByRole('link').allInnerTexts()).toEqual(['Clusters', 'Logs', 'Workloads', 'Costs', 'Quotas']);
    expect(await pageHeading().innerText()).toBe('Sign in to Cairn');
    // Back leaves the console instead of bouncing between / and the sign-in page.
    await page.goBack();
    expect(page.url()).not.toBe(`${cairn.url}/`);
    expect(requests.filter((path) => path.startsWith('/remotes/'))).toEqual([]);
  });

  it.each([
    ['Clusters', 'mfe-clusters', '/clusters', 'No clusters yet'],
    ['Logs', 'mfe-logs', '/logs', 'to read the logs of its pods'],
    ['Workloads', 'mfe-workloads', '/workloads', 'No cluster is selected'],
  ])('opens %s, rendered by code the %s remote serves itself', async (label, remote, path, text) => {
    await page.goto(`${cairn.url}/`);
    // Signed out, / ends on the sign-in page: clicked before that (a slow machine), the module's page would be replaced by it.
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await navigation().getByRole('link', { name: label }).click();
    await page.getByText(text).waitFor();
    expect(new URL(page.url()).pathname).toBe(path);
    expect(await pageHeading().innerText()).toBe(label);
    expect(requests).toContain(`/remotes/${remote}/remoteEntry.json`);
    expect(requests.some((p) => p.startsWith(`/remotes/${remote}/`) && p.endsWith('.js'))).toBe(true);
  });

  it('shows an error panel where a module that is down would be, and the rest of the console keeps working', async () => {
    await page.goto(`${cairn.url}/`);
    // Signed out, / ends on the sign-in page: clicked before that, the module's page would be replaced by it.
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await navigation().getByRole('link', { name: 'Costs' }).click();
    const panel = page.getByRole('alert');
    await panel.waitFor();
    expect(await panel.locator('h1').innerText()).toBe('Costs could not be loaded');
    expect(await panel.innerText()).toContain('The rest of the console still works');
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    await screenshot(page, 'remote-down-error-panel');

    await navigation().getByRole('link', { name: 'Workloads' }).click();
    await page.getByRole('link', { name: 'StatefulSets' }).click();
    await page.getByText('Replicas with stable names and their own storage.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/workloads/statefulsets');
  });

  it('refuses a module built against another major version of Angular, saying so, instead of breaking the page', async () => {
    await page.goto(`${cairn.url}/`);
    // Signed out, / ends on the sign-in page: clicked before that, the module's page would be replaced by it.
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await navigation().getByRole('link', { name: 'Quotas' }).click();
    const panel = page.getByRole('alert');
    await panel.waitFor();
    expect(await panel.locator('h1').innerText()).toBe('Quotas could not be loaded');
    expect(await panel.innerText()).toContain('it was built against @angular/core 21.2.4 (this console provides 22.1.8)');
    await navigation().getByRole('link', { name: 'Logs' }).click();
    await page.locator('main h1', { hasText: 'Logs' }).waitFor();
  });

  it('opens a shared deep link directly, including one with a dot in it', async () => {
    for (const [path, text] of [
      ['/workloads/cronjobs', 'Jobs started on a schedule.'],
      ['/workloads/coredns.v2', '"coredns.v2" is not a workload kind'],
    ] as const) {
      const answer = await page.goto(`${cairn.url}${path}`);
      // The gateway answers the deep link with the shell's page itself (not a 404, not a redirect) ...
      expect({ status: answer?.status(), type: answer?.headers()['content-type'] }).toEqual({ status: 200, type: expect.stringContaining('text/html') });
      // ... and the shell routes it, staying on that address.
      await page.getByText(text).waitFor();
      expect(new URL(page.url()).pathname).toBe(path);
    }
  });

  it('works on a phone: the navigation opens as a drawer from the menu button', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${cairn.url}/clusters`);
      await phone.getByText('No clusters yet').waitFor();
      await phone.getByRole('button', { name: 'Menu' }).tap();
      await phone.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Logs' }).tap();
      await phone.getByRole('heading', { name: 'No cluster is selected' }).waitFor();
      expect(await phone.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded')).toBe('false');
      await screenshot(phone, 'phone-drawer');
    } finally {
      await phone.close();
    }
  });
});
