import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { Stage, startStage } from './support/stage';

/**
 * Seed 001's home-lab owner on a phone: the top bar's controls never overlap, and each tap
 * lands on the control under the finger.
 */
describe('on a phone', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `phone-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  type Box = { name: string; x: number; y: number; width: number; height: number };
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  it.each([360, 390, 412])('at %i px the top bar\u2019s controls do not overlap, stay on screen, and a tap on the namespace field edits it', async (width) => {
    page = await stage.signedIn('admin', { width, height: 800 });
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a`);
    const controls = {
      menu: page.getByRole('button', { name: 'Menu' }),
      cluster: page.getByRole('combobox', { name: 'Cluster' }),
      namespace: page.getByRole('combobox', { name: 'Namespace' }),
      user: page.locator('cairn-user-menu').getByRole('button').first(),
      theme: page.getByRole('button', { name: /Use the (dark|light) theme/ }),
    };
    await controls.user.waitFor();
    await controls.namespace.waitFor();
    const boxes: Box[] = [];
    for (const [name, locator] of Object.entries(controls)) {
      const box = await locator.boundingBox();
      expect({ name, visible: box !== null }).toEqual({ name, visible: true });
      if (box) boxes.push({ name, ...box });
    }
    for (const box of boxes) expect({ name: box.name, onScreen: box.x >= 0 && box.x + box.width <= width + 0.5 }).toEqual({ name: box.name, onScreen: true });
    const clashes = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => overlaps(a, b)).map((b) => `${a.name} overlaps ${b.name}`));
    expect(clashes).toEqual([]);
    // The tap goes to the field under the finger, not to a control drawn over it.
    const field = await controls.namespace.boundingBox();
    await page.mouse.click((field?.x ?? 0) + (field?.width ?? 0) / 2, (field?.y ?? 0) + (field?.height ?? 0) / 2);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Namespace');
    expect(await page.getByRole('menu').count()).toBe(0);
  });

  it('scaling to 0 and restarting are asked for, not done by one tap; back to 1 is one tap', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    const api = () => stage.cluster.adminApi().json<{ spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/team-b/deployments/api');
    await stage.cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-b/deployments/api/scale', { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await page.goto(`${stage.cairn.url}/workloads/deployments/team-b/api?cluster=cairn-dev`);
    const main = page.getByRole('main');
    await main.getByRole('button', { name: 'Scale (1)' }).waitFor();
    await main.getByRole('button', { name: 'One replica fewer' }).click();
    const toZero = page.getByRole('dialog', { name: 'Scale api to 0?' });
    await toZero.getByRole('button', { name: 'Cancel' }).click();
    await toZero.waitFor({ state: 'detached' });
    expect((await api()).spec.replicas).toBe(1);
    await main.getByRole('button', { name: 'One replica fewer' }).click();
    await toZero.getByRole('button', { name: 'Scale to 0' }).click();
    await main.getByRole('button', { name: 'Scale (0)' }).waitFor();
    expect((await api()).spec.replicas).toBe(0);
    await main.getByRole('button', { name: 'One replica more' }).click();
    await main.getByRole('button', { name: 'Scale (1)' }).waitFor();
    await main.getByRole('button', { name: 'Restart' }).click();
    await page.getByRole('dialog', { name: 'Restart api?' }).getByRole('button', { name: 'Cancel' }).click();
    expect(await main.getByRole('status').filter({ hasText: 'Restarting' }).count()).toBe(0);
  });

  it.each([360, 390])('at %i px a list is cards: the name a 44 px target with its status beside it, restarts on screen, no sideways scroll, a tap on the card opens the pod', async (width) => {
    page = await stage.signedIn('admin', { width, height: 800 });
    await page.goto(`${stage.cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a`);
    const main = page.getByRole('main');
    const card = main.getByRole('row').filter({ has: page.getByRole('link', { name: /^queue-worker-/ }) });
    await card.getByText('CrashLoopBackOff').waitFor();
    const inside = async (name: string, locator: ReturnType<typeof page.locator>) => {
      const box = await locator.boundingBox();
      return { name, visible: box !== null && box.x >= 0 && box.x + box.width <= width + 0.5 };
    };
    const link = card.getByRole('link', { name: /^queue-worker-/ });
    expect((await link.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    expect(await inside('status', card.getByText('CrashLoopBackOff'))).toEqual({ name: 'status', visible: true });
    expect(await inside('restarts', card.getByText('Restarts'))).toEqual({ name: 'restarts', visible: true });
    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)).toBeLessThanOrEqual(width);
    const pod = (await link.textContent())?.trim() ?? '';
    const facts = await card.locator('.facts').boundingBox();
    await page.mouse.click((facts?.x ?? 0) + (facts?.width ?? 0) - 4, (facts?.y ?? 0) + (facts?.height ?? 0) / 2);
    await main.getByRole('heading', { name: `Pod ${pod}` }).waitFor();
  });
});
