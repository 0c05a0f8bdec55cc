import type { Page } from 'playwright-core';
import { READ_ONLY_REASON } from '@cairn/api-contracts';
import { screenshot } from './support/browser';
import { ConsoleUnderTest, startConsole } from './support/console-under-test';
import { signedInTo, Stage, startStage } from './support/stage';

/**
 * "Why can't I": every refusal says who the cluster thinks you are, what exactly it refused,
 * what you may do there instead and whom to ask; "My permissions" lists it all per namespace.
 * And a console its administrator made read-only: nothing that changes is offered, even to
 * cluster-admin, and a write sent anyway is refused with the reason.
 */
const HELP = 'Ask #platform on chat';
const HELP_LINK = 'https://chat.example.com/platform';

describe('why can\u2019t I, and the read-only console', () => {
  let stage: Stage;
  let readOnly: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage({ settings: { CAIRN_ACCESS_HELP: HELP, CAIRN_ACCESS_HELP_URL: HELP_LINK } });
    readOnly = await startConsole([], { KUBECONFIG: stage.cluster.info.kubeconfig, CAIRN_READ_ONLY: 'true', CAIRN_ACCESS_HELP: HELP });
  }, 360_000);

  afterAll(async () => {
    await readOnly?.stop();
    await stage?.stop();
  });

  afterEach(async () => {
    await screenshot(page, `why-cant-i-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');

  it('victor opens Secrets and is told who he is, what was refused, what he may do in team-a and whom to ask', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/other/core/v1/secrets?cluster=cairn-dev&ns=team-a`);
    const refusal = main().getByRole('alert').filter({ hasText: 'You may not list secrets in team-a' });
    await refusal.waitFor();
    const why = refusal.locator('cairn-why-cant-i');
    await why.getByText('victor@cairn.test').waitFor();
    const text = async () => (await why.innerText()).replace(/\s+/g, ' ');
    expect(await text()).toContain('Refused list on secrets (core API group) in namespace team-a');
    expect(await text()).toMatch(/Your groups .*system:authenticated/);
    expect(await text()).toContain('Whom to ask: Ask #platform on chat');
    expect(await text()).toContain('On secrets you may nothing in team-a');
    const help = why.getByRole('link', { name: HELP });
    expect(await help.getAttribute('href')).toBe(HELP_LINK);
    // What he may do instead: the view role, resource by resource.
    await why.getByText(/What you may do in team-a \(\d+ rules\)/).click();
    const rules = why.getByRole('table');
    await rules.getByRole('row', { name: /^pods get, list, watch$/ }).waitFor();
    await rules.getByRole('row', { name: /^deployments\.apps get, list, watch$/ }).waitFor();
    expect(await rules.getByRole('row', { name: /^secrets / }).count()).toBe(0);
    await screenshot(page, 'why-cant-i-victor-secrets');

    // On a phone the explanation reads without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await why.getByText('victor@cairn.test').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'why-cant-i-victor-secrets-phone');
  });

  it('tina may not list namespaces: the cluster page explains it, and "My permissions" lists what she may do in her own namespace', async () => {
    page = await stage.signedIn('tina', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/clusters/cairn-dev?cluster=cairn-dev`);
    const refusal = main().getByRole('alert').filter({ hasText: 'You may not list Namespaces in this cluster' });
    const why = refusal.locator('cairn-why-cant-i');
    await why.getByText('tina@cairn.test').waitFor();
    const text = (await why.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('Refused list on namespaces (core API group) across the cluster');
    expect(text).toContain('On namespaces you may nothing');
    expect(text).toContain(HELP);

    await why.getByRole('link', { name: 'My permissions on this cluster' }).click();
    await main().getByRole('heading', { name: 'My permissions on cairn-dev' }).waitFor();
    await main().getByText('tina@cairn.test').waitFor();
    // The namespace chooser: a text box that offers the namespaces she works in (a combobox, for its list).
    await main().getByRole('combobox', { name: 'Namespace' }).fill('tenant-1');
    await main().getByRole('button', { name: 'Show' }).click();
    await main().getByRole('heading', { name: 'In namespace tenant-1' }).waitFor();
    expect(new URL(page.url()).searchParams.get('namespace')).toBe('tenant-1');
    await main().getByText('The cluster listed every rule that applies to you here (the review is complete).').waitFor();
    await main().getByText('deployments.apps', { exact: true }).waitFor();
    // As admin of tenant-1 she may manage its Secrets: found with the table's filter (the list scrolls virtually).
    await main().getByPlaceholder('Filter by resource or verb').fill('secrets');
    await main().getByText('secrets', { exact: true }).waitFor();
    await screenshot(page, 'why-cant-i-tina-permissions');
    await page.setViewportSize({ width: 390, height: 844 });
    await main().getByRole('heading', { name: 'In namespace tenant-1' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'why-cant-i-tina-permissions-phone');
  });

  it('admin on a read-only console: no edit, scale, delete, restart or terminal anywhere, and a write sent anyway is refused with the reason', async () => {
    page = await signedInTo(stage.cluster, readOnly, stage.browser, 'admin', { width: 1280, height: 900 });
    const open = async (path: string, heading: string) => {
      await page.goto(`${readOnly.url}${path}`);
      await main().getByRole('heading', { name: heading }).waitFor();
    };
    await open('/workloads/deployments/team-a/web?cluster=cairn-dev&ns=team-a', 'Deployment web');
    await main().getByText('Read only: this console is read-only (set by its administrator), whatever your role.').waitFor();
    for (const name of [/^Scale/, /^Restart$/, /^Delete$/, /^Edit/]) expect(await main().getByRole('button', { name }).count()).toBe(0);
    await screenshot(page, 'why-cant-i-read-only-deployment');

    const pods = (await stage.cluster.adminApi().get<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/namespaces/team-a/pods')).items;
    const pod = pods.find((p) => p.metadata.name.startsWith('web-'))?.metadata.name;
    expect(pod).toBeDefined();
    await open(`/workloads/pods/team-a/${pod}?cluster=cairn-dev&ns=team-a`, `Pod ${pod}`);
    await main().getByText('Read only: this console is read-only (set by its administrator), whatever your role.').waitFor();
    expect(await main().getByRole('tab', { name: 'Terminal' }).count()).toBe(0);
    expect(await main().getByRole('button', { name: /^Delete$/ }).count()).toBe(0);

    await open('/workloads/other/core/v1/nodes/_/kwok-node-1?cluster=cairn-dev', 'Node kwok-node-1');
    await main().getByText('Read only: this console is read-only (set by its administrator), whatever your role.').waitFor();
    for (const name of [/^Cordon$/, /^Drain/, /^Set label$/, /^Add taint$/]) expect(await main().getByRole('button', { name }).count()).toBe(0);

    // The gateway refuses a write sent by hand, as the browser would send it, whatever admin's RBAC.
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/v1/clusters/cairn-dev/resources/apps/v1/deployments/web/scale?namespace=team-a', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cairn-csrf': '1' },
        body: JSON.stringify({ replicas: 5 }),
      });
      return { status: res.status, body: (await res.json()) as { message: string } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(READ_ONLY_REASON);
    expect((await stage.cluster.adminApi().get<{ spec: { replicas: number } }>('/apis/apps/v1/namespaces/team-a/deployments/web')).spec.replicas).not.toBe(5);
  });
});
