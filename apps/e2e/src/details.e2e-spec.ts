import { kubectlOut } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { Stage, startStage } from './support/stage';

/**
 * Detail pages a person can work from: a pod's node, addresses, containers with probes, env
 * sources and mounts (as `kubectl describe pod` words them), its owners up to the Deployment; a
 * Service's ports and endpoints (as the EndpointSlices say); a ConfigMap's data; a Secret's keys
 * with its values only on request and only for who may read them; a CronJob's next run and Jobs.
 * At desktop and phone size.
 */
describe('detail pages', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `details-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const kubectl = (args: string[]) => kubectlOut(stage.cluster, args);
  type Pod = { metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string; qosClass: string } };
  const webPod = async () => (await stage.cluster.adminApi().get<{ items: Pod[] }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb')).items[0] as Pod;

  it('a pod: node, IP, QoS, containers as kubectl describe words them, links to its ConfigMap and Secret, owners up to the Deployment', async () => {
    const pod = await webPod();
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod.metadata.name}?cluster=cairn-dev`);
    const facts = main().getByRole('region', { name: 'Pod' });
    await facts.getByRole('link', { name: pod.spec.nodeName }).waitFor();
    await facts.getByText(pod.status.podIP, { exact: true }).waitFor();
    await facts.getByText(pod.status.qosClass, { exact: true }).waitFor();
    const described = (await kubectl(['describe', 'pod', '-n', 'team-a', pod.metadata.name])).replace(/[ \t]+/g, ' ');
    const web = main().getByRole('article', { name: 'Container web' });
    for (const probe of await web.locator('dt:has-text("ness") + dd, dt:has-text("Startup") + dd').allTextContents()) {
      expect(described).toContain(probe.trim());
    }
    expect(await web.locator('dt:has-text("ness") + dd, dt:has-text("Startup") + dd').count()).toBe(3);
    await web.getByText('/etc/nginx/conf.d').waitFor();
    // Owners up to the top one, each a link.
    const owners = main().locator('dd.owners');
    await owners.getByRole('link', { name: /^ReplicaSet web-/ }).waitFor();
    await owners.getByRole('link', { name: 'Deployment web' }).waitFor();
    // Per-container logs, previous ones offered only after a restart.
    expect(await web.getByRole('link', { name: 'Logs', exact: true }).getAttribute('href')).toContain('container=web');
    // The env var's ConfigMap is one click away, and shows its data.
    await web.getByRole('link', { name: "<set to the key 'LOG_LEVEL' of config map 'web-config'>" }).click();
    await main().getByRole('heading', { name: 'ConfigMap web-config' }).waitFor();
    await main().getByRole('group').filter({ hasText: 'LOG_LEVEL' }).getByText('info', { exact: true }).waitFor();
    await main().getByText('server { listen 8080;', { exact: false }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a Secret: keys without values; values only after asking, for who may read them; refused in words for a viewer', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/secrets/team-a/db-credentials?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Secret db-credentials' }).waitFor();
    await main().getByText('password', { exact: true }).waitFor();
    expect(await main().getByText('not-a-real-password').count()).toBe(0);
    await main().getByRole('button', { name: 'Show values…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Show values' }).click();
    await main().getByText('not-a-real-password', { exact: true }).waitFor();
    await main().getByRole('button', { name: 'Hide values' }).click();
    await main().getByText('not-a-real-password').waitFor({ state: 'detached' });
    await page.context().close();

    // victor (view) may not read Secrets at all: the page says so, and shows nothing of it.
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/secrets/team-a/db-credentials?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'You may not read Secret db-credentials in team-a' }).waitFor();
    expect(await main().getByText('not-a-real-password').count()).toBe(0);
    expect(await main().getByRole('button', { name: 'Show values…' }).count()).toBe(0);
  });

  it('a Service: ports, selector and the endpoints its EndpointSlices list, each pod a link', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/services/team-a/web?cluster=cairn-dev`);
    const service = main().getByRole('region', { name: 'Service' });
    await service.getByText('app.kubernetes.io/name=web').waitFor();
    await service.getByRole('cell', { name: '8080/TCP' }).first().waitFor();
    const addresses = (await kubectl(['get', 'endpointslices', '-n', 'team-a', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}'])).split(/\s+/).filter(Boolean);
    expect(addresses.length).toBeGreaterThan(0);
    await service.getByRole('heading', { name: `Endpoints (${addresses.length})` }).waitFor();
    for (const address of addresses) await service.getByRole('cell', { name: address, exact: true }).waitFor();
    await service.getByRole('link', { name: /^web-/ }).first().waitFor();
  });

  it('a CronJob: its schedule, when it runs next (03:00 UTC), and a Deployment its template and strategy', async () => {
    const api = stage.cluster.adminApi();
    const cronJob = await api.get<{ spec: { schedule: string } }>('/apis/batch/v1/namespaces/team-a/cronjobs/nightly-report');
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/cronjobs/team-a/nightly-report?cluster=cairn-dev`);
    const schedule = main().getByRole('region', { name: 'Schedule' });
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 3));
    if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
    await schedule.getByText(`(${next.toISOString()})`).waitFor();
    await schedule.getByRole('heading', { name: /^Recent Jobs/ }).waitFor();
    expect(await schedule.innerText()).toContain(cronJob.spec.schedule);

    type Deployment = { spec: { strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } }; template: { spec: { containers: Array<{ name: string }> } } } };
    const { spec } = await api.get<Deployment>('/apis/apps/v1/namespaces/team-a/deployments/web');
    await page.goto(`${stage.cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev`);
    const template = main().getByRole('region', { name: 'Pod template' });
    await template.getByRole('article', { name: 'Container log-shipper' }).waitFor();
    // What the API server has: the strategy, and one card per container of the template.
    const { type, rollingUpdate } = spec.strategy;
    expect(await template.innerText()).toContain(`${type} (max surge ${rollingUpdate.maxSurge}, max unavailable ${rollingUpdate.maxUnavailable})`);
    expect(await template.getByRole('article').evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label')))).toEqual(spec.template.spec.containers.map((c) => `Container ${c.name}`));
    api.close();
  });

  it('on a 390 px phone the pod page has no sideways scroll, containers are cards, the kinds a select, links 44 px tall', async () => {
    const pod = await webPod();
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod.metadata.name}?cluster=cairn-dev`);
    const web = main().getByRole('article', { name: 'Container web' });
    await web.waitFor();
    const box = await web.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)).toBeLessThanOrEqual(390);
    expect((await web.getByRole('link', { name: 'Logs', exact: true }).boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    const kinds = main().getByRole('combobox', { name: 'Kind' });
    await kinds.selectOption({ label: 'Services' });
    await page.waitForURL((url) => url.pathname.endsWith('/workloads/services'));
  });

  it('the YAML editor: line numbers, a problem marked at its line as you type, Go to line, and an edit typed there applied', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/configmaps/team-a/web-config?cluster=cairn-dev&tab=yaml`);
    await main().getByRole('button', { name: 'Edit' }).click();
    const editor = main().locator('.cm-editor');
    await editor.waitFor();
    expect(Number(await editor.locator('.cm-lineNumbers .cm-gutterElement').last().textContent())).toBeGreaterThan(5);
    const line = editor.locator('.cm-line').filter({ hasText: 'LOG_LEVEL: info' });
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.type(': x');
    // Marked in the gutter while typing, before anything is sent.
    await editor.locator('.cm-lint-marker-error').waitFor();
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    const problem = main().getByRole('alert').filter({ hasText: 'Could not check the change: Line' });
    await problem.waitFor();
    const at = Number(/Line (\d+)/.exec((await problem.textContent()) ?? '')?.[1]);
    await page.keyboard.press('Control+Home');
    await main().getByRole('button', { name: `Go to line ${at}` }).click();
    expect(Number(await editor.locator('.cm-lineNumbers .cm-activeLineGutter').textContent())).toBe(at);
    await line.click();
    await page.keyboard.press('End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('-debug');
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('status').filter({ hasText: 'accepts this change' }).waitFor();
    await main().getByRole('list', { name: 'Fields that would change' }).getByText('data.LOG_LEVEL').waitFor();
    await main().getByRole('button', { name: 'Apply' }).click();
    await main().getByRole('status').filter({ hasText: 'Applied.' }).waitFor();
    const stored = await stage.cluster.adminApi().get<{ data: Record<string, string> }>('/api/v1/namespaces/team-a/configmaps/web-config');
    expect(stored.data['LOG_LEVEL']).toBe('info-debug');
    expect(stored.data['nginx.conf']).toContain('listen 8080');
  });
});
