import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { kubectlJson } from './support/kubectl';
import { Stage, startStage } from './support/stage';

/**
 * The events page (issue 23, item 6): a namespace's or the cluster's events, live, grouped by
 * the object they are about, newest first, filtered by type, reason, kind and name exactly as
 * `kubectl get events --field-selector` filters them, and bounded (at most 500 kept in the
 * browser, said on screen). As admin, alice (edit in team-a), victor (view) and tina (a tenant).
 */
describe('events', () => {
  let stage: Stage;
  let page: Page;
  /** A namespace of this story's own, so its events are only the ones it writes. */
  const NS = 'events-story';

  type Event = { metadata: { name: string }; involvedObject: { kind: string; namespace?: string; name: string }; reason?: string; type?: string };

  const event = (name: string, object: { kind: string; name: string }, reason: string, type: 'Normal' | 'Warning', at: Date, message = `${reason} for ${object.name}`) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: NS },
    involvedObject: { apiVersion: object.kind === 'Pod' ? 'v1' : 'apps/v1', kind: object.kind, name: object.name, namespace: NS },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: at.toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: at.toISOString().replace(/\.\d+Z$/, 'Z'),
    source: { component: 'cairn-events-story' },
  });

  beforeAll(async () => {
    stage = await startStage();
    const admin = stage.cluster.adminApi();
    await admin.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const now = Date.now();
    const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
    for (const e of [
      event('web-1.a', { kind: 'Pod', name: 'web-1' }, 'Scheduled', 'Normal', at(300)),
      event('web-1.b', { kind: 'Pod', name: 'web-1' }, 'BackOff', 'Warning', at(60)),
      event('web-2.a', { kind: 'Pod', name: 'web-2' }, 'Pulled', 'Normal', at(120)),
      event('web.a', { kind: 'Deployment', name: 'web' }, 'ScalingReplicaSet', 'Normal', at(200)),
    ]) {
      await admin.json('POST', `/api/v1/namespaces/${NS}/events`, e);
    }
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `events-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const groups = () => main().getByRole('list', { name: 'Events by object' }).locator(':scope > li');
  const groupKeys = () => groups().evaluateAll((items) => items.map((li) => li.getAttribute('data-object') ?? ''));
  const filters = () => main().getByRole('form', { name: 'Event filters' });

  /** The objects kubectl's events are about, for a field selector: `kind/namespace/name`, as a set. */
  async function kubectlObjects(namespace: string, selector?: string): Promise<string[]> {
    const list = await kubectlJson<{ items: Event[] }>(stage.cluster, ['get', 'events', '-n', namespace, ...(selector ? ['--field-selector', selector] : [])]);
    return [...new Set(list.items.map((e) => `${e.involvedObject.kind}/${e.involvedObject.namespace ?? ''}/${e.involvedObject.name}`))].sort();
  }

  it('admin: a namespace\u2019s events grouped by object, newest group first and newest event first, live, and each filter as kubectl --field-selector', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev&ns=${NS}`);
    await main().getByRole('heading', { name: `Events in ${NS}` }).waitFor();
    // Groups by their newest event: web-1 (60 s ago), web-2 (120 s), the Deployment (200 s).
    await eventually(groupKeys, (keys) => keys.length === 3);
    expect(await groupKeys()).toEqual([`Pod/${NS}/web-1`, `Pod/${NS}/web-2`, `Deployment/${NS}/web`]);
    expect((await groupKeys()).slice().sort()).toEqual(await kubectlObjects(NS));
    // Within a group, the newest first.
    expect(await groups().first().locator('td.reason').allInnerTexts()).toEqual(['BackOff', 'Scheduled']);
    await main().getByRole('status').filter({ hasText: '4 events about 3 objects · live' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Live: an event written now comes to the top without a reload.
    await stage.cluster.adminApi().json('POST', `/api/v1/namespaces/${NS}/events`, event('web-2.b', { kind: 'Pod', name: 'web-2' }, 'Killing', 'Warning', new Date()));
    await eventually(groupKeys, (keys) => keys[0] === `Pod/${NS}/web-2`);
    expect(await groups().first().locator('td.reason').allInnerTexts()).toEqual(['Killing', 'Pulled']);

    // Each filter is the field selector kubectl takes, and shows what kubectl lists with it.
    for (const [fill, selector] of [
      [async () => filters().getByRole('combobox', { name: 'Type' }).selectOption('Warning'), 'type=Warning'],
      [async () => filters().getByRole('textbox', { name: 'Reason' }).fill('BackOff'), 'type=Warning,reason=BackOff'],
    ] as const) {
      await fill();
      await filters().getByRole('button', { name: 'Filter' }).click();
      const expected = await kubectlObjects(NS, selector);
      await eventually(async () => (await groupKeys()).slice().sort(), (keys) => JSON.stringify(keys) === JSON.stringify(expected));
    }
    await filters().getByRole('button', { name: 'Clear' }).click();
    await filters().getByRole('combobox', { name: 'Kind' }).fill('Deployment');
    await filters().getByRole('button', { name: 'Filter' }).click();
    await eventually(groupKeys, (keys) => JSON.stringify(keys) === JSON.stringify([`Deployment/${NS}/web`]));
    expect(await kubectlObjects(NS, 'involvedObject.kind=Deployment')).toEqual([`Deployment/${NS}/web`]);
    await filters().getByRole('combobox', { name: 'Kind' }).fill('');
    await filters().getByRole('textbox', { name: 'Object name' }).fill('web-2');
    await filters().getByRole('button', { name: 'Filter' }).click();
    await eventually(groupKeys, (keys) => JSON.stringify(keys) === JSON.stringify([`Pod/${NS}/web-2`]));
    expect(await kubectlObjects(NS, 'involvedObject.name=web-2')).toEqual([`Pod/${NS}/web-2`]);
    // A value a selector cannot carry is refused, saying why.
    await filters().getByRole('textbox', { name: 'Reason' }).fill('a,b');
    await filters().getByRole('button', { name: 'Filter' }).click();
    await main().getByRole('alert').filter({ hasText: 'The reason filter cannot contain' }).waitFor();
  });

  it('admin: the seed\u2019s crash-looping worker\u2019s BackOff warnings in team-a, as kubectl lists them, linking to the pod', async () => {
    const expected = await eventually(() => kubectlObjects('team-a', 'type=Warning,reason=BackOff'), (keys) => keys.length > 0, 60_000);
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev&ns=team-a`);
    await filters().getByRole('combobox', { name: 'Type' }).selectOption('Warning');
    await filters().getByRole('textbox', { name: 'Reason' }).fill('BackOff');
    await filters().getByRole('button', { name: 'Filter' }).click();
    await eventually(async () => (await groupKeys()).slice().sort(), (keys) => expected.every((k) => keys.includes(k)));
    const pod = expected.find((k) => k.startsWith('Pod/'))?.split('/')[2] ?? '';
    expect(pod).toMatch(/^queue-worker-/);
    await main().getByRole('link', { name: `Pod ${pod}` }).click();
    await main().getByRole('heading', { name: `Pod ${pod}` }).waitFor();
  });

  it('keeps at most 500 events in the browser, and says so when there are more (510 written)', async () => {
    const admin = stage.cluster.adminApi();
    const start = Date.now();
    // 510 events about one object, one a second apart; written 10 at a time.
    for (let i = 0; i < 510; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => admin.json('POST', `/api/v1/namespaces/${NS}/events`, event(`bulk.${i + j}`, { kind: 'Pod', name: 'bulk' }, `Bulk${i + j}`, 'Normal', new Date(start - (i + j) * 1000)))));
    }
    const total = (await kubectlJson<{ items: Event[] }>(stage.cluster, ['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=bulk'])).items.length;
    expect(total).toBe(510);
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev&ns=${NS}`);
    await main().getByText('There are more events than the 500 this browser keeps', { exact: false }).waitFor();
    await main().getByRole('status').filter({ hasText: /\b500 events about/ }).waitFor();
    expect(await main().locator('tbody tr').count()).toBe(500);
    // A new one arrives on the watch: it is kept, the oldest kept goes, still 500.
    await admin.json('POST', `/api/v1/namespaces/${NS}/events`, event('bulk.newest', { kind: 'Pod', name: 'bulk' }, 'BulkNewest', 'Warning', new Date(start + 5000)));
    await main().locator(`li[data-object="Pod/${NS}/bulk"] td.reason`).first().filter({ hasText: 'BulkNewest' }).waitFor();
    expect(await main().locator('tbody tr').count()).toBe(500);
  });

  it('alice (edit in team-a): her namespace\u2019s events; across the cluster she is told to pick her namespace; no action', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev&ns=team-a`);
    const expected = await kubectlObjects('team-a', 'type=Warning');
    await filters().getByRole('combobox', { name: 'Type' }).selectOption('Warning');
    await filters().getByRole('button', { name: 'Filter' }).click();
    await eventually(async () => (await groupKeys()).slice().sort(), (keys) => expected.every((k) => keys.includes(k)));
    expect(await main().getByRole('button', { name: /scale|restart|delete|edit/i }).count()).toBe(0);
    // All namespaces (the console remembered team-a as her namespace on this cluster: cleared in the picker).
    await page.getByRole('combobox', { name: 'Namespace' }).fill('');
    await page.getByRole('combobox', { name: 'Namespace' }).press('Enter');
    await main().getByRole('heading', { name: 'Events in every namespace' }).waitFor();
    await main().getByText('You may not list events across the cluster. Type one of your namespaces', { exact: false }).waitFor();
  });

  it('victor (view): every namespace\u2019s events, and no action', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Events in every namespace' }).waitFor();
    // Warnings only: the 510 Normal events of the story above would otherwise fill the 500 kept before team-b's are listed.
    await filters().getByRole('combobox', { name: 'Type' }).selectOption('Warning');
    await filters().getByRole('button', { name: 'Filter' }).click();
    const expected = await kubectlObjects('team-b', 'type=Warning');
    expect(expected.length).toBeGreaterThan(0);
    await eventually(groupKeys, (keys) => expected.every((k) => keys.includes(k)) && keys.some((k) => k.includes(`/${NS}/`)));
    expect(await main().getByRole('button', { name: /scale|restart|delete|edit/i }).count()).toBe(0);
  });

  it('tina (a tenant who may not list namespaces): the events of the namespaces she gave, as kubectl lists them there, on a phone', async () => {
    const expected = [...(await kubectlObjects('tenant-1', 'type=Warning')), ...(await kubectlObjects('tenant-2', 'type=Warning'))].sort();
    expect(expected.length).toBeGreaterThan(0);
    page = await stage.signedIn('tina', { width: 390, height: 844 });
    // The namespaces she typed in the namespace picker before (kept in this browser).
    await page.goto(`${stage.cairn.url}/`);
    await page.evaluate(() => localStorage.setItem('cairn.cluster.cairn-dev', JSON.stringify({ allowedNamespaces: ['tenant-1', 'tenant-2'] })));
    await page.goto(`${stage.cairn.url}/workloads/events?cluster=cairn-dev`);
    await main().getByText('You may not list events across the cluster; showing the namespaces you gave (tenant-1, tenant-2).').waitFor();
    await filters().getByRole('combobox', { name: 'Type' }).selectOption('Warning');
    await filters().getByRole('button', { name: 'Filter' }).click();
    // What kubectl listed is there (a warning that came since may be too), and nothing from another namespace.
    const keys = await eventually(groupKeys, (shown) => expected.every((k) => shown.includes(k)), 60_000);
    expect(keys.filter((k) => !/^[^/]+\/tenant-[12]\//.test(k))).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'events-tina-phone');
  });
});
