import type { Page, Response } from 'playwright-core';
import { gatewayServiceAccountDir } from '@cairn/kube-testenv';
import { screenshot } from './support/browser';
import { kubectl } from './support/kubectl';
import { Stage, startStage } from './support/stage';

/**
 * Tenants find their namespaces (issue 24 item 2). The console's administrator turned on
 * discovery by label (CAIRN_NAMESPACE_DISCOVERY=labelled): tenant-1, tenant-2 and team-b carry
 * the label; tina, who may not list namespaces, is offered her two without typing them and
 * never sees team-b's name; alice, who has rights in none of them, works as before (she types
 * team-a); admin and victor, who may list namespaces, get the cluster's own list.
 */
describe('tenants find their namespaces', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage({
      settings: async (cluster) => ({
        CAIRN_SERVICE_ACCOUNT_DIR: await gatewayServiceAccountDir(cluster),
        CAIRN_NAMESPACE_DISCOVERY: 'labelled',
        CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: 'cairn-dev',
      }),
    });
  }, 480_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    if (!page || page.isClosed()) return;
    await screenshot(page, `tenant-namespaces-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const picker = () => page.getByRole('combobox', { name: 'Namespace' }).or(page.getByRole('textbox', { name: 'Namespace' }));
  const offered = () => page.locator('#cairn-namespaces option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Every JSON body the page received from the gateway (not the endless watch stream), to prove a name never reached the browser. */
  const bodies = (p: Page) => {
    const seen: Promise<string>[] = [];
    p.on('response', (res: Response) => {
      if (new URL(res.url()).pathname.startsWith('/api/') && (res.headers()['content-type'] ?? '').includes('application/json')) seen.push(res.text().catch(() => ''));
    });
    return async () => (await Promise.all(seen)).join('\n');
  };
  const podNames = async (namespace: string) => (await kubectl(stage.cluster, ['get', 'pods', '-n', namespace, '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();

  it('tina signs in: the picker offers tenant-1 and tenant-2 only, and she opens the pods of tenant-1 without typing', async () => {
    page = await stage.signedIn('tina', { width: 1280, height: 900 });
    const received = bodies(page);
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev`);
    await until('the picker to offer tina\u2019s namespaces', async () => (await offered()).length > 0);
    expect(await offered()).toEqual(['tenant-1', 'tenant-2']);
    await page.getByText('You may not list namespaces: pick one of the 2 found for you, or type another.').waitFor();
    expect(await picker().getAttribute('placeholder')).toBe('Pick your namespace');
    await page.screenshot({ path: '/tmp/tenancy-tina-picker.png' });

    // She picks tenant-1 from the list (no typing of her own), and sees its pods as kubectl lists them.
    await picker().click();
    await picker().fill('tenant-1');
    await picker().press('Enter');
    await picker().blur();
    await until('the URL to carry tenant-1', async () => new URL(page.url()).searchParams.get('ns') === 'tenant-1');
    const expected = await podNames('tenant-1');
    expect(expected.length).toBeGreaterThan(0);
    for (const name of expected) await main().getByRole('link', { name, exact: true }).waitFor();
    const rows = main().getByRole('row').filter({ has: page.getByRole('link') });
    const names = (await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('a')?.textContent?.trim() ?? ''))).sort();
    expect(names).toEqual(expected);
    await page.screenshot({ path: '/tmp/tenancy-tina-pods.png' });

    // team-b carries the label too, but tina has no rights there: its name never reached her browser.
    const all = await received();
    expect(all).toContain('"namespaces":["tenant-1","tenant-2"]');
    expect(all).not.toContain('team-b');
  });

  it('tina on a phone: her home card looks in tenant-1 and tenant-2 without her giving them', async () => {
    page = await stage.signedIn('tina', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/`);
    const card = main().locator('cairn-cluster-card[data-cluster="cairn-dev"]');
    await card.getByText('You are tina@cairn.test').waitFor();
    await card.getByText('Needs attention in tenant-1, tenant-2', { exact: false }).waitFor({ timeout: 60_000 });
    expect(await card.getByText('You may not list workloads across this cluster.', { exact: false }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: '/tmp/tenancy-tina-home-phone.png', fullPage: true });
  });

  it('alice (edit in team-a, none of the labelled namespaces) is unaffected: nothing is offered, she types team-a and sees its pods', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev`);
    await page.getByText('You may not list namespaces here: type yours', { exact: false }).waitFor();
    expect(await offered()).toEqual([]);
    expect(await picker().getAttribute('placeholder')).toBe('Type your namespace');
    await picker().fill('team-a');
    await picker().press('Enter');
    await until('the URL to carry team-a', async () => new URL(page.url()).searchParams.get('ns') === 'team-a');
    for (const name of await podNames('team-a')) await main().getByRole('link', { name, exact: true }).waitFor();
    expect(await offered()).toEqual(['team-a']);
    await page.screenshot({ path: '/tmp/tenancy-alice-pods.png' });
  });

  it.each(['admin', 'victor'] as const)('%s may list namespaces: the picker offers the cluster\u2019s own list, as kubectl prints it', async (user) => {
    page = await stage.signedIn(user, { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev`);
    const expected = (await kubectl(stage.cluster, ['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();
    await until('the picker to offer the namespaces', async () => (await offered()).length >= expected.length);
    expect(await offered()).toEqual(expected);
    expect(await page.getByText('You may not list namespaces here', { exact: false }).count()).toBe(0);
    expect(await picker().getAttribute('placeholder')).toBe('All namespaces');
  });
});
