import { kubectlOut } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { eventually } from './support/eventually';
import { Stage, startStage } from './support/stage';

/**
 * Bulk actions in the resource lists: select rows with the mouse or the keyboard, then label,
 * scale (a dry run first), restart or delete them all, each object answered on its own. kubectl
 * is the oracle for what changed. An admin's delete races a kubectl delete (one object is gone
 * by the time it is sent: named as failed, the rest done); an editor of team-a who may also read
 * team-b selects across both and team-b's object is named as not allowed, not silently skipped;
 * a viewer gets no checkbox and no action; more than MAX_BULK_OBJECTS selected is refused by name.
 */
const NS = 'bulk-story';

const deployment = (namespace: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels: { story: 'bulk' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } },
  },
});

describe('bulk actions', () => {
  let stage: Stage;
  let page: Page;
  const k = (args: string[], input?: string) => kubectlOut(stage.cluster, args, input);
  const apply = (objects: object[]) => k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  /** What kubectl says of the story's deployments: `name replicas restartedAt tier` per line. */
  const deployments = async (namespace: string) =>
    (await k(['get', 'deployments', '-n', namespace, '-l', 'story=bulk', '-o', `jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt} {.metadata.labels.tier}{"\\n"}{end}`]))
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    stage = await startStage();
    await k(['create', 'namespace', NS]);
    await apply(['b1', 'b2', 'b3', 'b4'].map((name) => deployment(NS, name)));
  }, 360_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await page.screenshot({ path: `/tmp/bulk-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}.png`, fullPage: true });
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const bar = () => main().getByRole('toolbar', { name: 'Bulk actions' });
  const dialog = () => page.getByRole('dialog');
  const results = () => main().getByRole('region', { name: 'Bulk action results' });
  const resultFor = (object: string) => results().getByRole('listitem').filter({ hasText: object });

  it('an admin selects a range with Shift-click, labels and scales it (a dry run first), restarts it, and deletes it while kubectl deletes one: that one is named as failed, the others are done', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=${NS}`);
    await main().getByRole('checkbox', { name: 'Select b1' }).click();
    await main().getByRole('checkbox', { name: 'Select b3' }).click({ modifiers: ['Shift'] });
    await bar().getByText('3 selected').waitFor();
    expect(await main().getByRole('checkbox', { name: 'Select b4' }).isChecked()).toBe(false);

    // An invalid label is refused in the dialog, with kubectl's rule in words.
    await bar().getByRole('button', { name: 'Label…' }).click();
    await dialog().getByRole('textbox', { name: 'Label' }).fill('tier=back end');
    await dialog().getByText(/may hold only letters, digits/).waitFor();
    expect(await dialog().getByRole('button', { name: 'Apply label' }).isDisabled()).toBe(true);
    await dialog().getByRole('textbox', { name: 'Label' }).fill('tier=batch');
    await dialog().getByRole('button', { name: 'Apply label' }).click();
    await results().getByText('Labelled 3 of 3 Deployments.').waitFor();
    await resultFor(`${NS}/b2`).getByText('tier=batch added').waitFor();
    expect(await deployments(NS)).toEqual([`b1 1  batch`, `b2 1  batch`, `b3 1  batch`, `b4 1  `]);

    // A dry run: the API server checks each scale and stores none.
    await bar().getByRole('checkbox', { name: 'Dry run' }).check();
    await bar().getByRole('button', { name: 'Scale…' }).click();
    await dialog().getByRole('spinbutton', { name: 'Replicas' }).fill('2');
    await dialog().getByRole('button', { name: 'Check scale' }).click();
    await results().getByText('Dry run, nothing was changed: 3 of 3 Deployments would be scaled.').waitFor();
    expect((await deployments(NS)).map((line) => line.split(' ')[1])).toEqual(['1', '1', '1', '1']);
    await bar().getByRole('checkbox', { name: 'Dry run' }).uncheck();
    await bar().getByRole('button', { name: 'Scale…' }).click();
    await dialog().getByRole('spinbutton', { name: 'Replicas' }).fill('2');
    await dialog().getByRole('button', { name: 'Scale', exact: true }).click();
    await results().getByText('Scaled 3 of 3 Deployments.').waitFor();
    expect((await deployments(NS)).map((line) => line.split(' ')[1])).toEqual(['2', '2', '2', '1']);

    await bar().getByRole('button', { name: 'Restart…' }).click();
    await dialog().getByRole('list', { name: 'Objects to restart' }).getByText(`${NS}/b3`).waitFor();
    await dialog().getByRole('button', { name: 'Restart 3' }).click();
    await results().getByText('Restarted 3 of 3 Deployments.').waitFor();
    const restarted = await deployments(NS);
    for (const line of restarted.slice(0, 3)) expect(line.split(' ')[2]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(restarted[3]).toBe('b4 1  ');

    // The confirmation lists what will be deleted; kubectl deletes b2 before the person confirms.
    await bar().getByRole('button', { name: 'Delete…' }).click();
    const toDelete = dialog().getByRole('list', { name: 'Objects to delete' });
    expect(await toDelete.getByRole('listitem').allTextContents()).toEqual([`${NS}/b1`, `${NS}/b2`, `${NS}/b3`]);
    await page.screenshot({ path: '/tmp/bulk-delete-confirmation.png' });
    await k(['delete', 'deployment', '-n', NS, 'b2', '--wait=true']);
    await dialog().getByRole('button', { name: 'Delete 3' }).click();
    await results().getByText('Deleted 2 of 3 Deployments. 1 failed.').waitFor();
    await resultFor(`${NS}/b2`).getByText('failed', { exact: true }).waitFor();
    await resultFor(`${NS}/b2`).getByText(/not found/).waitFor();
    await resultFor(`${NS}/b1`).getByText('done', { exact: true }).waitFor();
    // kubectl: b1 and b3 are gone (b2 went before), b4 was never selected.
    expect(await eventually(() => deployments(NS), (lines) => lines.length === 1)).toEqual(['b4 1  ']);
    // Rows that left the list left the selection.
    await bar().waitFor({ state: 'detached' });
  });

  it('an editor selects with the keyboard (Space, Shift-Space) in her namespace and labels; selection survives live changes and a deleted row leaves it', async () => {
    await apply(['keyb-1', 'keyb-2', 'keyb-3'].map((name) => deployment('team-a', name)));
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a&q=keyb`);
    const first = main().getByRole('checkbox', { name: 'Select keyb-1' });
    await first.focus();
    await page.keyboard.press('Space');
    await main().getByRole('checkbox', { name: 'Select keyb-1', checked: true }).waitFor();
    await bar().getByText('1 selected').waitFor();
    await main().getByRole('checkbox', { name: 'Select keyb-3' }).focus();
    await page.keyboard.press('Shift+Space');
    await bar().getByText('3 selected').waitFor();
    expect(await main().getByRole('checkbox', { name: 'Select keyb-2' }).isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await bar().getByText('2 selected').waitFor();
    await page.keyboard.press('Space');
    await bar().getByText('3 selected').waitFor();

    // A live change (kubectl scales keyb-1) keeps the selection; a deletion (keyb-2) drops it from it.
    await k(['scale', 'deployment', '-n', 'team-a', 'keyb-1', '--replicas=3']);
    await k(['delete', 'deployment', '-n', 'team-a', 'keyb-2']);
    await bar().getByText('2 selected').waitFor();
    expect(await first.isChecked()).toBe(true);

    await bar().getByRole('button', { name: 'Label…' }).click();
    await dialog().getByRole('textbox', { name: 'Label' }).fill('owner=alice');
    await dialog().getByRole('button', { name: 'Apply label' }).click();
    await results().getByText('Labelled 2 of 2 Deployments.').waitFor();
    expect(await k(['get', 'deployments', '-n', 'team-a', '-l', 'owner=alice', '-o', 'jsonpath={.items[*].metadata.name}'])).toBe('keyb-1 keyb-3');

    // Removing it: key-, as kubectl label takes it.
    await bar().getByRole('button', { name: 'Label…' }).click();
    await dialog().getByRole('textbox', { name: 'Label' }).fill('owner-');
    await dialog().getByRole('button', { name: 'Apply label' }).click();
    await resultFor('team-a/keyb-3').getByText('owner removed').waitFor();
    expect(await k(['get', 'deployments', '-n', 'team-a', '-l', 'owner', '-o', 'name'])).toBe('');
  });

  it('an editor of team-a who may also read team-b deletes a selection across both: team-b\'s object is named as not allowed and left alone, team-a\'s is deleted', async () => {
    await apply([deployment('team-a', 'mixed-a'), deployment('team-b', 'mixed-b')]);
    await k(['create', 'clusterrolebinding', 'bulk-story-alice-view', '--clusterrole=view', '--user=alice@cairn.test']);
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&q=mixed`);
    await main().getByRole('checkbox', { name: /^Select all 2 shown/ }).check();
    await bar().getByText('2 selected').waitFor();
    await bar().getByRole('button', { name: 'Delete…' }).click();
    // The dialog's code loads on first use: wait for it to be drawn before reading it.
    await dialog().getByRole('list', { name: 'Objects to delete' }).waitFor();
    expect(await dialog().getByRole('list', { name: 'Objects to delete' }).getByRole('listitem').allTextContents()).toEqual(['team-a/mixed-a']);
    await dialog().getByText(/1 more selected you may not delete/).waitFor();
    await dialog().getByRole('button', { name: 'Delete 1' }).click();
    await results().getByText('Deleted 1 of 2 Deployments. 1 not sent: not allowed.').waitFor();
    await resultFor('team-b/mixed-b').getByText('not allowed', { exact: true }).waitFor();
    await resultFor('team-b/mixed-b').getByText(/your role may not delete Deployments in team-b/).waitFor();
    // What is left selected is team-b's alone, which she may not change: no action is offered for it.
    await bar().getByText('1 selected').waitFor();
    await bar().getByText('Your role may not change any of the selected Deployments.').waitFor();
    expect(await bar().getByRole('button', { name: /Delete|Restart|Scale|Label/ }).count()).toBe(0);
    // kubectl: team-a's is gone, team-b's is there.
    const left = () => k(['get', 'deployments', '-A', '-l', 'story=bulk', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}']);
    expect(await eventually(left, (names) => !names.includes('team-a/mixed-a'))).toContain('team-b/mixed-b');
    expect(await k(['get', 'deployment', '-n', 'team-b', 'mixed-b', '-o', 'name'])).toBe('deployment.apps/mixed-b\n');
  });

  it('a viewer gets no checkbox and no bulk action', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    type Check = { verb: string; resource: string; namespace?: string };
    const reviewed = page.waitForResponse((res) => res.url().includes('/access-reviews') && /"verb":"delete","group":"apps","resource":"deployments"/.test(res.request().postData() ?? ''));
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('link', { name: 'web', exact: true }).waitFor();
    // The namespace's access reviews (may victor delete or patch Deployments in team-a?) have answered, and said no.
    const response = await reviewed;
    const checks = (JSON.parse(response.request().postData() ?? '{}') as { checks: Check[] }).checks;
    const answers = ((await response.json()) as { results: Array<{ allowed: boolean }> }).results;
    const asked = checks.map((check, i) => ({ ...check, allowed: answers[i]?.allowed })).filter((c) => c.resource === 'deployments' && ['delete', 'patch'].includes(c.verb));
    expect(asked.map((c) => [c.verb, c.namespace, c.allowed])).toEqual([['delete', 'team-a', false], ['patch', 'team-a', false]]);
    expect(await main().getByRole('checkbox', { name: /^Select/ }).count()).toBe(0);
    expect(await main().getByRole('toolbar', { name: 'Bulk actions' }).count()).toBe(0);
  });

  it(`more than 100 objects selected (MAX_BULK_OBJECTS) are refused by name, before anything is sent`, async () => {
    await k(['create', 'namespace', 'bulk-many']);
    await apply(Array.from({ length: 101 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'bulk-many' }, data: { i: String(i) } })));
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/configmaps?cluster=cairn-dev&ns=bulk-many&q=cm-`);
    await main().getByRole('checkbox', { name: /^Select all 101 shown/ }).check();
    await bar().getByText('At most 100 objects can be changed at once (MAX_BULK_OBJECTS); 101 are selected. Narrow the filter or the selection.').waitFor();
    expect(await bar().getByRole('button', { name: /Delete|Label/ }).count()).toBe(0);
    await main().getByRole('checkbox', { name: 'Select cm-0' }).uncheck();
    await bar().getByText('100 selected').waitFor();
    await bar().getByRole('button', { name: 'Delete…' }).waitFor();
  });

  it('on a phone, a card is selected with its own checkbox and the bar fits the screen', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('checkbox', { name: 'Select web' }).check();
    await bar().getByRole('button', { name: 'Restart…' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // A tap on the checkbox selected the card; it did not open the object.
    expect(page.url()).toContain('/workloads/deployments?');
  });
});
