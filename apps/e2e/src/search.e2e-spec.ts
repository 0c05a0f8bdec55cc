import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { kubectl } from './support/kubectl';
import { seriousViolations } from './support/accessibility';
import { Stage, startStage } from './support/stage';

/**
 * Global search: Ctrl-K (or `/`) from anywhere opens it; objects of every kind by name, label
 * selector or kind, from every cluster, as the gateway finds them with the user's own
 * credentials, each a link to its page; fully usable with the keyboard; recent searches kept in
 * the browser. What it finds is held to kubectl.
 */
describe('global search', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
  }, 360_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    const name = `search-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`;
    await screenshot(page, name);
    await page.screenshot({ path: `/tmp/${name}.png` });
    await page.context().close();
  });

  const dialog = () => page.getByRole('dialog', { name: 'Search every cluster' });
  const field = () => dialog().getByRole('combobox', { name: 'Search every cluster' });
  const results = () => dialog().getByRole('listbox', { name: 'Search every cluster' });
  /**
   * The names of one kind's results in one cluster, as shown: the group is named "<Kind> · <cluster> · <count>" when
   * results came from several clusters, else "<Kind> · <count>" with the cluster in each result's detail.
   */
  const namesIn = async (kind: string, cluster: string) => {
    const several = results().getByRole('group', { name: new RegExp(`^${kind} · ${cluster} · `) });
    const options = (await several.count()) ? several.getByRole('option') : results().getByRole('group', { name: new RegExp(`^${kind} · \\d`) }).getByRole('option').filter({ hasText: cluster });
    return (await options.locator('.cairn-palette-label').allTextContents()).sort();
  };
  /** Where the active option leads (the combobox points at it with aria-activedescendant). */
  const active = () => page.evaluate(() => {
    const id = document.activeElement?.getAttribute('aria-activedescendant');
    return (id && document.getElementById(id)?.getAttribute('href')) || '';
  });
  /** The search requests the page sends, by query. */
  const recordSearches = (p: Page) => {
    const asked: string[] = [];
    p.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/search') asked.push(url.searchParams.get('q') ?? '');
    });
    return asked;
  };
  /** The shell is up: its search button is drawn. */
  const shellReady = () => page.getByRole('button', { name: 'Search every cluster' }).waitFor();
  const finished = () => dialog().getByRole('status').filter({ hasText: /\d+ found(?! so far)/ }).waitFor();

  it('an admin, keyboard only, finds a deployment by name and opens it; Tab stays in the dialog, Escape leaves it; the search is remembered, and can be forgotten', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev`);
    await shellReady();
    await page.keyboard.press('Control+K');
    await field().waitFor();
    expect(await field().evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('kind:deploy WEB');
    await finished();
    // Both configured clusters are the dev cluster: each says what is there, under its own name.
    expect(await namesIn('Deployment', 'cairn-dev')).toEqual(['web']);
    const kubectlWeb = (await kubectl(stage.cluster, ['get', 'deployments.apps', '-A', '-o', 'name'])).split('\n').filter((l) => l.includes('web'));
    expect(kubectlWeb).toEqual(['deployment.apps/web']);
    expect(await seriousViolations(page)).toEqual([]);

    // Focus is trapped: Tab goes round the dialog's own controls.
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog().evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await field().focus();
    const web = '/workloads/other/apps/v1/deployments/team-a/web?cluster=cairn-dev';
    const seen: string[] = [];
    for (let i = 0; i < 6 && seen.at(-1) !== web; i++) {
      const before = await active();
      await page.keyboard.press('ArrowDown');
      // The view is updated after the key (zoneless change detection): read it once it has moved.
      await page.waitForFunction((prev) => {
        const id = document.activeElement?.getAttribute('aria-activedescendant');
        return ((id && document.getElementById(id)?.getAttribute('href')) || '') !== prev;
      }, before);
      seen.push(await active());
    }
    expect({ active: seen.at(-1), options: await results().getByRole('option').evaluateAll((os) => os.map((o) => o.getAttribute('href'))) }).toEqual({ active: web, options: expect.arrayContaining([web]) });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/workloads\/other\/apps\/v1\/deployments\/team-a\/web\?cluster=cairn-dev$/);
    await page.getByRole('main').getByRole('heading', { name: 'Deployment web' }).waitFor();
    expect(await dialog().count()).toBe(0);

    // "/" from the page opens it again, with the search just made among the recent ones; Escape closes it.
    await page.getByRole('main').getByRole('heading', { name: 'Deployment web' }).click();
    await page.keyboard.press('/');
    const recent = results().getByRole('group', { name: 'Recent searches' });
    await recent.waitFor();
    expect(await recent.getByRole('option').allTextContents()).toEqual(['kind:deploy WEB']);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('cairn.recentSearches'))) ?? '[]')).toEqual(['kind:deploy WEB']);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    await page.keyboard.press('Control+K');
    await dialog().getByRole('button', { name: 'Clear recent searches' }).click();
    await recent.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => localStorage.getItem('cairn.recentSearches'))).toBeNull();
  });

  it('an admin searches by label selector and gets what kubectl get -l lists, grouped by kind', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/?cluster=cairn-dev`);
    await page.getByRole('button', { name: 'Search every cluster' }).click();
    await field().fill('app.kubernetes.io/name in (shop, blog) tier!=db');
    await finished();
    for (const [kind, resource] of [['Deployment', 'deployments.apps'], ['ReplicaSet', 'replicasets.apps'], ['Pod', 'pods']] as const) {
      const printed = (await kubectl(stage.cluster, ['get', resource, '-A', '-l', 'app.kubernetes.io/name in (shop,blog),tier!=db', '-o', 'name'])).split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('/') + 1));
      expect(printed.length).toBeGreaterThan(0);
      expect(await namesIn(kind, 'cairn-dev')).toEqual(printed.sort());
    }
    // A selector the API server would refuse is explained, not run.
    const asked = recordSearches(page);
    await field().fill('app=-shop');
    await dialog().getByRole('status').filter({ hasText: 'Not a search Cairn can run: label value "-shop" may hold only' }).waitFor();
    expect(await results().getByRole('option').count()).toBe(0);
    expect(asked).toEqual([]);
  });

  it('alice, an editor of team-a, finds only what she may list: team-a, and the rest skipped and counted', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev&ns=team-a`);
    await shellReady();
    await page.keyboard.press('Control+K');
    await page.keyboard.type('web');
    await finished();
    await dialog().getByRole('status').filter({ hasText: /kinds or namespaces skipped \(you may not list them\)/ }).waitFor();
    const details = await results().locator('.cairn-palette-detail').allTextContents();
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((d) => d === 'team-a')).toBe(true);
    // The deployment, its pods and its service: what kubectl lists in team-a.
    for (const [kind, resource] of [['Deployment', 'deployments.apps'], ['Pod', 'pods'], ['Service', 'services']] as const) {
      const printed = (await kubectl(stage.cluster, ['get', resource, '-n', 'team-a', '-o', 'name'])).split('\n').filter((l) => l.includes('web')).map((l) => l.slice(l.indexOf('/') + 1));
      expect(await namesIn(kind, 'cairn-dev')).toEqual(printed.sort());
    }
    // Nothing of team-b, where a deployment's pods are just as findable by name to an admin.
    expect(await results().getByText('team-b').count()).toBe(0);
  });

  it('victor, who may view everything but Secrets, finds ConfigMaps but no Secret, and is told what was skipped', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev`);
    await shellReady();
    await page.keyboard.press('Control+K');
    await page.keyboard.type('kind:secrets,cm shop');
    await finished();
    // The admin's kubectl sees a Secret by that name too (shop-payment-key); victor's search must not.
    expect(await kubectl(stage.cluster, ['get', 'secrets', '-A', '-o', 'name'])).toContain('secret/shop-payment-key');
    const printed = (await kubectl(stage.cluster, ['get', 'configmaps', '-A', '-o', 'name'])).split('\n').filter((l) => l.includes('shop')).map((l) => l.slice(l.indexOf('/') + 1));
    expect(printed.length).toBeGreaterThan(0);
    expect(await namesIn('ConfigMap', 'cairn-dev')).toEqual(printed.sort());
    expect(await results().getByRole('group', { name: /^Secret/ }).count()).toBe(0);
    await dialog().getByRole('status').filter({ hasText: '2 kinds or namespaces skipped (you may not list them)' }).waitFor();
  });

  it('tina, a tenant who may not list namespaces, finds what is in the namespaces the console knows for her, and nothing of anyone else', async () => {
    page = await stage.signedIn('tina', { width: 1280, height: 900 });
    // The namespace she is in, and the one she typed earlier (kept in this browser by the namespace picker).
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev`);
    await shellReady();
    await page.evaluate(() => localStorage.setItem('cairn.cluster.cairn-dev', JSON.stringify({ allowedNamespaces: ['tenant-2'] })));
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev&ns=tenant-1`);
    await shellReady();
    await page.keyboard.press('Control+K');
    await page.keyboard.type('kind:deploy,svc');
    await finished();
    for (const [kind, resource] of [['Deployment', 'deployments.apps'], ['Service', 'services']] as const) {
      const printed: string[] = [];
      for (const ns of ['tenant-1', 'tenant-2']) printed.push(...(await kubectl(stage.cluster, ['get', resource, '-n', ns, '-o', 'name'])).split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('/') + 1)));
      expect(printed.length).toBeGreaterThan(0);
      expect(await namesIn(kind, 'cairn-dev')).toEqual(printed.sort());
    }
    const namespaces = new Set((await results().locator('.cairn-palette-detail').allTextContents()).map((d) => d.split(' · ')[0]));
    expect([...namespaces].sort()).toEqual(['tenant-1', 'tenant-2']);
  });

  it('keys typed at once after Ctrl-K, while the search code is still arriving and as the dialog opens, all become the query', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    // The search dialog's lazy chunk is held back until half the query is typed, then let through while typing goes on.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\.js$/, async (route) => {
      const response = await route.fetch();
      const body = await response.text();
      if (body.includes('Name, app=web, kind:deploy')) await held;
      await route.fulfill({ response, body });
    });
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev`);
    await shellReady();
    // A slow phone's CPU (as CI's loaded machine was when a key fell between the dialog opening and its field taking focus).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
    await page.keyboard.press('Control+K');
    const query = 'kind:deploy,svc web';
    await page.keyboard.type(query.slice(0, 8));
    release();
    await page.keyboard.type(query.slice(8));
    await finished();
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    expect(await field().inputValue()).toBe(query);
    expect(await namesIn('Deployment', 'cairn-dev')).toEqual(['web']);
  });

  it('on a phone, the search button opens it full screen; results fit without sideways scrolling', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/?cluster=cairn-dev`);
    await page.getByRole('button', { name: 'Search every cluster' }).click();
    await field().fill('kind:po web');
    await finished();
    expect((await namesIn('Pod', 'cairn-dev')).length).toBeGreaterThan(0);
    const box = await dialog().locator('.cairn-palette').boundingBox();
    expect(box?.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const close = dialog().getByRole('button', { name: 'Close' });
    expect((await close.boundingBox())?.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: '/tmp/search-phone-open.png' });
    await results().getByRole('option').filter({ hasText: /^web-/ }).first().click();
    await page.waitForURL(/\/workloads\/other\/core\/v1\/pods\/team-a\/web-/);
    await page.getByRole('main').getByRole('heading', { name: /^Pod web-/ }).waitFor();
  });
});
