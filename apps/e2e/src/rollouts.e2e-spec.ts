import type { Locator, Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { createRolloutFixture, kubectl, RolloutFixture, waitUntil } from '@cairn/kube-testenv';
import { Stage, startStage } from './support/stage';

/**
 * Rollouts on a workload's page (issue 22 item 4): the revision history, a diff between any two
 * revisions, pause and resume with the progress following live, and a rollback previewed by the
 * API server's dry run before it is confirmed — as an admin, as alice (edit in team-a) and as
 * victor (view: history and diffs, no action). The revisions are the controller-manager's own:
 * the story's Deployment, StatefulSet and DaemonSet had their image changed three times
 * (createRolloutFixture); kubectl is the oracle for what the progress says.
 */
const NS = 'team-a';

describe('rollouts', () => {
  let stage: Stage;
  let page: Page;
  let fixture: RolloutFixture;

  type Workload = { metadata: { annotations?: Record<string, string> }; spec: { paused?: boolean; template: { spec: { containers: Array<{ image: string }> } } } };
  const read = (resource: string, name: string) => stage.cluster.adminApi().get<Workload>(`/apis/apps/v1/namespaces/${NS}/${resource}/${name}`);
  const imageOf = async (resource: string, name: string) => (await read(resource, name)).spec.template.spec.containers[0]?.image;
  const run = async (args: string[]) => {
    const result = await kubectl(stage.cluster.info, args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  beforeAll(async () => {
    stage = await startStage();
    fixture = await createRolloutFixture(stage.cluster.adminApi(), { namespace: NS, prefix: 'story' });
  }, 420_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `rollouts-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const open = (resource: string, name: string) => page.goto(`${stage.cairn.url}/workloads/${resource}/${NS}/${name}?cluster=cairn-dev`);
  const progress = () => main().getByRole('status', { name: 'Rollout progress' });
  const revisions = () => main().getByRole('table', { name: 'Revisions' });
  const row = (revision: number) => revisions().locator(`tr[data-revision="${revision}"]`);
  const rowTexts = async (table: Locator) => (await table.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  const image = (n: number) => fixture.images[n - 1] as string;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

  it('an admin reads the history, compares revisions, pauses (the progress waits, live, as kubectl says), is told a paused rollout cannot be rolled back, resumes, and rolls back after the API server’s preview', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await open('deployments', fixture.deployment);
    const deployment = `deployment/${fixture.deployment}`;

    // The progress says what kubectl rollout status says.
    await progress().getByText(await run(['rollout', 'status', '-n', NS, deployment, '--watch=false'])).waitFor();
    await progress().locator('.state', { hasText: 'Complete' }).waitFor();
    expect(await progress().locator('[data-count="updated"]').innerText()).toBe('2');

    // The history: kubectl rollout history's revisions and change causes, with images, newest first.
    await row(1).waitFor();
    const texts = await rowTexts(revisions());
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(new RegExp(`^3 ?current .*set image app=${escape(image(3))} ${escape(image(3))}`));
    expect(texts[2]).toMatch(new RegExp(`^1 .*set image app=${escape(image(1))} ${escape(image(1))}`));
    const history = await run(['rollout', 'history', '-n', NS, deployment]);
    for (const n of [1, 2, 3]) expect(history).toMatch(new RegExp(`^${n}\\s+set image app=${escape(image(n))}$`, 'm'));

    // Compare: the current revision against revision 1, then any two.
    await row(1).getByRole('button', { name: 'Compare revision 1 with the current one' }).click();
    const templateDiff = main().getByLabel('Pod template, revision 3 to 1');
    await templateDiff.waitFor();
    expect(await templateDiff.textContent()).toMatch(new RegExp(`-\\s+(?:- )?image: ${escape(image(3))}\\n\\+\\s+(?:- )?image: ${escape(image(1))}`));
    await main().getByRole('combobox', { name: 'From revision' }).selectOption('2');
    expect(await main().getByLabel('Pod template, revision 2 to 1').textContent()).toMatch(new RegExp(`-\\s+(?:- )?image: ${escape(image(2))}\\n\\+\\s+(?:- )?image: ${escape(image(1))}`));

    // Pause; a colleague changes the image; the rollout waits, and the page follows it live.
    await main().getByRole('button', { name: 'Pause rollout' }).click();
    await progress().locator('.state', { hasText: 'Paused' }).waitFor();
    expect((await read('deployments', fixture.deployment)).spec.paused).toBe(true);
    await run(['set', 'image', '-n', NS, deployment, 'app=ghcr.io/cairn-test/rollout:2.1.0']);
    const waiting = `Waiting for deployment "${fixture.deployment}" rollout to finish: 0 out of 2 new replicas have been updated...`;
    await progress().getByText(waiting).waitFor();
    await progress().getByText('DeploymentPaused').waitFor();
    expect(await run(['rollout', 'status', '-n', NS, deployment, '--watch=false'])).toBe(waiting);
    await screenshot(page, 'rollouts-paused');

    // kubectl refuses to roll a paused Deployment back, and so does the page, before anything is sent.
    await row(1).getByRole('button', { name: 'Roll back to revision 1' }).click();
    await main().getByText('Cannot roll back to revision 1: you cannot roll back a paused Deployment; resume it first and try again.').waitFor();

    await main().getByRole('button', { name: 'Resume rollout' }).click();
    await progress().getByText(`deployment "${fixture.deployment}" successfully rolled out`).waitFor();
    await row(4).getByText('current').waitFor();

    // The rollback: the API server's dry run against the live object first; nothing changes until confirmed.
    await row(1).getByRole('button', { name: 'Roll back to revision 1' }).click();
    const preview = main().getByRole('dialog', { name: 'Roll back to revision 1?' });
    const changes = preview.getByLabel('What the rollback changes');
    await changes.waitFor();
    expect(await changes.textContent()).toMatch(new RegExp(`-\\s+(?:- )?image: ghcr\\.io/cairn-test/rollout:2\\.1\\.0\\n\\+\\s+(?:- )?image: ${escape(image(1))}`));
    expect(await imageOf('deployments', fixture.deployment)).toBe('ghcr.io/cairn-test/rollout:2.1.0');
    await screenshot(page, 'rollouts-preview');
    await preview.getByRole('button', { name: 'Roll back to revision 1' }).click();
    await main().getByText(`Rolling ${fixture.deployment} back to revision 1`).waitFor();
    expect(await imageOf('deployments', fixture.deployment)).toBe(image(1));
    // The controller makes revision 1's template the newest revision, and the page shows it live.
    await row(5).getByText('current').waitFor();
    expect(await row(5).innerText()).toContain(image(1));
    await progress().getByText(`deployment "${fixture.deployment}" successfully rolled out`).waitFor();

    // A change the page may not have seen yet when the preview is asked (as the controller's own writes after a
    // rollout were on CI): the preview reads the object again and plans from that.
    await run(['annotate', '-n', NS, deployment, 'cairn.test/just-before=preview']);
    // A colleague's change between the preview and the confirmation: the API server's 409, nothing rolled back.
    await row(2).getByRole('button', { name: 'Roll back to revision 2' }).click();
    await main().getByRole('dialog', { name: 'Roll back to revision 2?' }).getByLabel('What the rollback changes').waitFor();
    await run(['annotate', '-n', NS, deployment, 'cairn.test/colleague=was-here']);
    await main().getByRole('dialog', { name: 'Roll back to revision 2?' }).getByRole('button', { name: 'Roll back to revision 2' }).click();
    await main().getByText(new RegExp(`${fixture.deployment} changed after the preview, so nothing was rolled back`)).waitFor();
    expect(await imageOf('deployments', fixture.deployment)).toBe(image(1));
  });

  it('alice (edit in team-a) rolls a StatefulSet back to revision 2 after its preview; the DaemonSet’s history is there too; neither has a pause', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await open('statefulsets', fixture.statefulSet);
    await progress().getByText(await run(['rollout', 'status', '-n', NS, `statefulset/${fixture.statefulSet}`, '--watch=false'])).waitFor();
    await row(3).getByText('current').waitFor();
    expect(await main().getByRole('button', { name: /rollout$/ }).count()).toBe(0);
    await row(2).getByRole('button', { name: 'Roll back to revision 2' }).click();
    const preview = main().getByRole('dialog', { name: 'Roll back to revision 2?' });
    expect(await preview.getByLabel('What the rollback changes').textContent()).toMatch(new RegExp(`-\\s+(?:- )?image: ${escape(image(3))}\\n\\+\\s+(?:- )?image: ${escape(image(2))}`));
    expect(await imageOf('statefulsets', fixture.statefulSet)).toBe(image(3));
    await preview.getByRole('button', { name: 'Roll back to revision 2' }).click();
    await main().getByText(`Rolling ${fixture.statefulSet} back to revision 2`).waitFor();
    expect(await imageOf('statefulsets', fixture.statefulSet)).toBe(image(2));
    await row(4).getByText('current').waitFor();
    await waitUntil('the StatefulSet rollout to finish', async () => (await kubectl(stage.cluster.info, ['rollout', 'status', '-n', NS, `statefulset/${fixture.statefulSet}`, '--watch=false'])).code === 0);

    await open('daemonsets', fixture.daemonSet);
    await row(1).waitFor();
    expect(await rowTexts(revisions())).toHaveLength(3);
    await row(1).getByRole('button', { name: 'Roll back to revision 1' }).waitFor();
    await progress().getByText(`daemon set "${fixture.daemonSet}" successfully rolled out`).waitFor();
  });

  it('victor (view) reads the history and compares revisions, and is offered no rollback, pause or resume', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await open('daemonsets', fixture.daemonSet);
    await row(2).getByRole('button', { name: 'Compare revision 2 with the current one' }).click();
    expect(await main().getByLabel('Pod template, revision 3 to 2').textContent()).toMatch(new RegExp(`\\+\\s+(?:- )?image: ${escape(image(2))}`));
    expect(await main().getByRole('button', { name: /Roll back/ }).count()).toBe(0);

    // The admin's story rolled revision 1 forward as revision 5: 2 is the oldest left.
    await open('deployments', fixture.deployment);
    await row(2).getByRole('button', { name: 'Compare revision 2 with the current one' }).click();
    await main().getByLabel(/^Pod template, revision \d+ to 2$/).waitFor();
    await progress().getByText(/successfully rolled out/).waitFor();
    for (const name of [/Roll back/, /^Pause rollout$/, /^Resume rollout$/]) expect(await main().getByRole('button', { name }).count()).toBe(0);
  });

  it('on a phone, the rollout section, the history and a preview need no sideways scrolling', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await open('deployments', fixture.deployment);
    await row(2).getByRole('button', { name: 'Roll back to revision 2' }).click();
    await main().getByRole('dialog', { name: 'Roll back to revision 2?' }).getByLabel('What the rollback changes').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await main().getByRole('dialog', { name: 'Roll back to revision 2?' }).getByRole('button', { name: 'Cancel' }).click();
    await main().getByRole('dialog', { name: 'Roll back to revision 2?' }).waitFor({ state: 'detached' });
  });
});
