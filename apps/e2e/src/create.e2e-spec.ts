import { kubectlOut } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { recordRequests, screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { Stage, startStage } from './support/stage';

/**
 * Creating objects (issue 22 item 6): an admin creates a custom resource from the template the
 * cluster's schema gives, and is refused an overwrite of it; an editor of team-a describes a
 * Deployment in the guided form (its problems said as typed, its YAML shown live) and kubectl
 * finds it as chosen, then carries a form over to YAML and meets the API server's field errors;
 * a viewer is offered no Create. kubectl, with the admin's kubeconfig, is the judge.
 */
describe('create', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
  }, 360_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    const name = expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story';
    await screenshot(page, `create-${name}`);
    await page.screenshot({ path: `/tmp/create-${name.slice(0, 60)}.png`, fullPage: true });
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const kubectl = (args: string[]) => kubectlOut(stage.cluster, args);

  /** The YAML editor as a plain text area (these stories edit text as a whole; the code editor has its own story). */
  async function plainEditor(label: string) {
    // The choice is kept in the browser: a second editor in the same tab starts as plain text.
    const toggle = main().getByRole('button', { name: /^(Plain text|Code editor)$/ });
    await toggle.waitFor();
    if ((await toggle.textContent())?.trim() === 'Plain text') await toggle.click();
    await main().getByRole('button', { name: 'Code editor' }).waitFor();
    return main().getByRole('textbox', { name: label });
  }

  it('an admin creates a Gadget (a custom resource) from the schema template in team-b, lands on its page, and cannot overwrite it', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/other?cluster=cairn-dev&ns=team-b`);
    // The list of every kind offers Create beside the kinds the admin may create.
    await main().getByRole('link', { name: 'Create Gadget' }).waitFor();
    await page.screenshot({ path: '/tmp/create-kinds-list.png' });
    await page.goto(`${stage.cairn.url}/workloads/other/example.com/v1/gadgets?cluster=cairn-dev&ns=team-b`);
    await main().getByRole('link', { name: 'sprocket' }).waitFor();
    await main().getByRole('link', { name: 'Create Gadget' }).click();
    await main().getByRole('heading', { name: 'New Gadget in team-b' }).waitFor();
    await main().getByText('The OpenAPI schema the cluster publishes for Gadget requires nothing beyond metadata').waitFor();

    const editor = await plainEditor('New Gadget as YAML');
    const template = await editor.inputValue();
    expect(template).toBe('apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: <name>\n  namespace: team-b\n');
    await editor.fill(template.replace('<name>', 'story-gadget') + 'spec:\n  size: 7\n  color: green\n');
    expect(await main().getByRole('button', { name: 'Create', exact: true }).isDisabled()).toBe(true);
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('status').filter({ hasText: 'The API server accepts this Gadget (dry run' }).waitFor();
    // A dry run stores nothing.
    await expect(kubectl(['get', 'gadget', '-n', 'team-b', 'story-gadget'])).rejects.toThrow(/NotFound/);
    await main().getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/workloads/other/example.com/v1/gadgets/team-b/story-gadget');
    await main().getByRole('heading', { name: 'Gadget story-gadget' }).waitFor();
    const created = JSON.parse(await kubectl(['get', 'gadget', '-n', 'team-b', 'story-gadget', '-o', 'json', '--show-managed-fields'])) as { spec: unknown; metadata: { managedFields: Array<{ manager: string }> } };
    expect(created.spec).toEqual({ size: 7, color: 'green' });
    expect(created.metadata.managedFields.map((f) => f.manager)).toContain('cairn');

    // The same name again: refused as AlreadyExists, never overwritten, with the way to the existing one.
    await page.goto(`${stage.cairn.url}/workloads/create/example.com/v1/gadgets?cluster=cairn-dev&ns=team-b`);
    const again = await plainEditor('New Gadget as YAML');
    await again.fill((await again.inputValue()).replace('<name>', 'story-gadget') + 'spec:\n  size: 1\n');
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByText('Not created: Gadget story-gadget already exists in team-b. Nothing was changed').waitFor();
    expect(JSON.parse(await kubectl(['get', 'gadget', '-n', 'team-b', 'story-gadget', '-o', 'json'])).spec).toEqual({ size: 7, color: 'green' });
    await page.screenshot({ path: '/tmp/create-already-exists.png' });
    await main().getByRole('button', { name: 'Open the existing Gadget story-gadget' }).click();
    await page.waitForURL((url) => url.pathname === '/workloads/other/example.com/v1/gadgets/team-b/story-gadget');
  });

  it('alice (edit in team-a) creates a Deployment through the guided form: problems said as typed, the YAML live, and kubectl sees her image, replicas and env', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 1000 });
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'web', exact: true }).waitFor();
    await page.screenshot({ path: '/tmp/create-deployments-list.png' });
    await main().getByRole('link', { name: 'Create Deployment' }).click();
    await main().getByRole('heading', { name: 'New Deployment in team-a' }).waitFor();
    const form = main().getByRole('form', { name: 'New Deployment' });
    const preview = main().getByRole('region', { name: 'The YAML it will create' });
    const create = main().getByRole('button', { name: 'Create', exact: true });
    const check = main().getByRole('button', { name: 'Check (dry run)' });

    // Kubernetes' rules as typed: a DNS-1123 name, a port from 1 to 65535, a resource.Quantity.
    await form.getByLabel('Name', { exact: true }).fill('Shop_Front');
    await form.getByText('must be lowercase letters, digits, "-" and "."').waitFor();
    await form.getByLabel('Name', { exact: true }).fill('shop-front');
    await form.getByLabel('Image').fill('registry.example/shop/front:2.1');
    await form.getByLabel('Replicas').fill('3');
    await form.getByRole('button', { name: 'Add port' }).click();
    await form.getByLabel('Port 1', { exact: true }).fill('70000');
    await form.getByText('Port must be a whole number from 1 to 65535').waitFor();
    await form.getByLabel('CPU request').fill('12 apples');
    await form.getByText('must be a quantity such as 100m').waitFor();
    await main().getByText(/Fix the form first: Port 1: Port must be a whole number from 1 to 65535; CPU request: must be a quantity/).waitFor();
    expect(await check.isDisabled()).toBe(true);
    await form.getByLabel('Port 1', { exact: true }).fill('8080');
    await form.getByLabel('Port 1 name').fill('http');
    await form.getByLabel('CPU request').fill('100m');
    await form.getByLabel('Memory limit').fill('256Mi');
    await form.getByRole('button', { name: 'Add variable' }).click();
    await form.getByLabel('Variable 1 name').fill('MODE');
    await form.getByLabel('Variable 1 value').fill('fast');

    // The YAML it will apply, live.
    const yaml = preview.getByLabel('New Deployment as YAML');
    const shown = (await eventually(async () => (await yaml.textContent()) ?? '', (text) => text.includes('value: fast'), 5_000));
    expect(shown).not.toMatch(/[&*]a\d/);
    for (const line of ['name: MODE', 'name: shop-front', 'namespace: team-a', 'replicas: 3', 'image: registry.example/shop/front:2.1', 'containerPort: 8080', 'cpu: 100m', 'memory: 256Mi']) expect(shown).toContain(line);
    await screenshot(page, 'create-guided-form');

    await check.click();
    await main().getByRole('status').filter({ hasText: 'The API server accepts this Deployment (dry run' }).waitFor();
    await create.click();
    await page.waitForURL((url) => url.pathname === '/workloads/deployments/team-a/shop-front');
    await main().getByRole('heading', { name: 'Deployment shop-front' }).waitFor();

    const deployment = JSON.parse(await kubectl(['get', 'deployment', '-n', 'team-a', 'shop-front', '-o', 'json'])) as {
      spec: { replicas: number; template: { spec: { containers: Array<{ name: string; image: string; env: unknown; ports: unknown; resources: unknown }> } } };
    };
    expect(deployment.spec.replicas).toBe(3);
    const [container] = deployment.spec.template.spec.containers;
    expect(container).toMatchObject({ name: 'front', image: 'registry.example/shop/front:2.1', env: [{ name: 'MODE', value: 'fast' }], ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }], resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } } });
    const imageColumn = await kubectl(['get', 'deployment', '-n', 'team-a', 'shop-front', '-o', 'wide', '--no-headers']);
    expect(imageColumn).toContain('registry.example/shop/front:2.1');
  });

  it('on a phone, alice carries a guided Deployment over to YAML, and the API server\'s refusal names the field, with the line that holds it', async () => {
    page = await stage.signedIn('alice', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/create/apps/v1/deployments?cluster=cairn-dev&ns=team-a`);
    const form = main().getByRole('form', { name: 'New Deployment' });
    await form.getByLabel('Name', { exact: true }).fill('carried-over');
    await form.getByLabel('Image').fill('nginx:1.27');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'create-guided-form-phone');
    await main().getByRole('button', { name: 'Edit as YAML' }).click();
    await main().getByText("The guided form's Deployment, carried over").waitFor();
    const editor = await plainEditor('New Deployment as YAML');
    const carried = await editor.inputValue();
    expect(carried).toContain('name: carried-over');
    expect(carried).toContain('image: nginx:1.27');
    await editor.fill(carried.replace(/^( {2}replicas:) 1$/m, '$1 -2'));
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    const refused = main().getByRole('list', { name: 'What the API server refused' });
    await refused.getByText('spec.replicas').waitFor();
    expect(await refused.textContent()).toContain('must be greater than or equal to 0');
    await refused.getByRole('button', { name: /Go to line \d+/ }).waitFor();
    expect(await main().getByRole('button', { name: 'Create', exact: true }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expect(kubectl(['get', 'deployment', '-n', 'team-a', 'carried-over'])).rejects.toThrow(/NotFound/);
  });

  it('victor (view) is offered no Create: the access review is asked and says no, on the lists and the list of kinds', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    const requests = recordRequests(page);
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'web', exact: true }).waitFor();
    expect(await eventually(async () => requests.filter((p) => p.endsWith('/access-reviews')).length, (n) => n > 0, 10_000)).toBeGreaterThan(0);
    const answered = page.waitForResponse((r) => r.url().endsWith('/access-reviews')).catch(() => undefined);
    await page.goto(`${stage.cairn.url}/workloads/other/core/v1/configmaps?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'kube-root-ca.crt' }).waitFor();
    await answered;
    await page.goto(`${stage.cairn.url}/workloads/other?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'Gadget', exact: true }).waitFor();
    await page.waitForResponse((r) => r.url().endsWith('/access-reviews'), { timeout: 10_000 }).catch(() => undefined);
    await page.waitForTimeout(500);
    expect(await main().getByRole('link', { name: /^Create/ }).count()).toBe(0);
    // Asked directly, the create page's dry run is the API server's 403, in words.
    await page.goto(`${stage.cairn.url}/workloads/create/core/v1/configmaps?cluster=cairn-dev&ns=team-a`);
    const editor = await plainEditor('New ConfigMap as YAML');
    await editor.fill((await editor.inputValue()).replace('my-configmap', 'victors'));
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByText(/Could not check it: Cluster cairn-dev refused: .*forbidden/).waitFor();
  });
});
