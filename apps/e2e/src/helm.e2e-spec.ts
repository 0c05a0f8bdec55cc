import type { Page } from 'playwright-core';
import { helm, helmFixtureChart, helmOut } from '@cairn/kube-testenv';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { Stage, startStage } from './support/stage';

/**
 * Helm releases (issue 23, item 4), read-only: the releases of a namespace and a release's
 * revisions, values, manifest, notes and diffs, compared with what the real `helm` binary
 * (kube-testenv's) prints for releases this story installs, upgrades and fails with it. As
 * admin, alice (edit in team-a) and victor (view: no Secrets, so no releases, said plainly).
 */
describe('Helm releases', () => {
  let stage: Stage;
  let page: Page;
  const NS = 'team-a';
  const RELEASE = 'shop';

  interface HelmListEntry { name: string; namespace: string; revision: string; status: string; chart: string; app_version: string }
  interface HelmHistoryEntry { revision: number; status: string; chart: string; app_version: string; description: string }
  const helmJson = async <T>(args: string[]) => JSON.parse(await helmOut(stage.cluster.info, [...args, '-o', 'json'])) as T;

  beforeAll(async () => {
    stage = await startStage();
    const chart = helmFixtureChart();
    await helmOut(stage.cluster.info, ['install', RELEASE, chart, '-n', NS, '--set', 'settings.color=red']);
    await helmOut(stage.cluster.info, ['upgrade', RELEASE, chart, '-n', NS, '--reuse-values', '--set', 'settings.pageSize=30,image.tag=1.5.0']);
    // A third revision the API server refuses: a failed upgrade.
    expect((await helm(stage.cluster.info, ['upgrade', RELEASE, chart, '-n', NS, '--reuse-values', '--set', 'badKey=true'])).code).not.toBe(0);
  }, 300_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    const name = expect.getState().currentTestName?.replace(/\W+/g, '-').slice(0, 80) ?? 'story';
    await screenshot(page, `helm-${name}`);
    await page.screenshot({ path: `/tmp/helm-${name}.png`, fullPage: true });
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const releaseRows = () => main().locator('table.releases tbody tr');
  const revisionRows = () => main().locator('table.revisions tbody tr');
  const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('admin: the releases of a namespace as helm list prints them, a release\u2019s history, values, manifest and a diff between revisions', async () => {
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads?cluster=cairn-dev&ns=${NS}`);
    await main().getByRole('link', { name: 'Helm releases' }).click();
    await main().getByRole('heading', { name: `Helm releases in ${NS}` }).waitFor();
    await eventually(() => releaseRows().count(), (n) => n > 0);

    const helmList = await helmJson<HelmListEntry[]>(['list', '-n', NS, '--all']);
    const shown = await releaseRows().evaluateAll((rows) =>
      rows.map((tr) => {
        const cell = (c: string) => (tr.querySelector(`td.${c}`)?.textContent ?? '').replace(/^(rev|app) /, '').trim();
        return { name: cell('name'), namespace: cell('ns'), revision: cell('rev'), status: cell('status'), chart: cell('chart'), app_version: cell('app') };
      }),
    );
    expect(shown).toEqual(helmList.map((h) => ({ name: h.name, namespace: h.namespace, revision: h.revision, status: h.status, chart: h.chart, app_version: h.app_version })));
    expect(shown.find((r) => r.name === RELEASE)?.status).toBe('failed');
    expect(await seriousViolations(page)).toEqual([]);

    // Every namespace: the seed's release in team-b too.
    // (The console remembered team-a on this cluster: cleared in the picker.)
    await page.getByRole('combobox', { name: 'Namespace' }).fill('');
    await page.getByRole('combobox', { name: 'Namespace' }).press('Enter');
    await main().getByRole('heading', { name: 'Helm releases in every namespace' }).waitFor();
    await main().locator('tr[data-release="team-b/storefront"]').waitFor();

    await page.goto(`${stage.cairn.url}/workloads/helm?cluster=cairn-dev&ns=${NS}`);
    await main().getByRole('link', { name: RELEASE, exact: true }).click();
    await main().getByRole('heading', { name: 'Revisions' }).waitFor();
    const history = await helmJson<HelmHistoryEntry[]>(['history', RELEASE, '-n', NS]);
    await eventually(() => revisionRows().count(), (n) => n === history.length);
    const revisions = await revisionRows().evaluateAll((rows) =>
      rows.map((tr) => ({
        revision: Number(tr.getAttribute('data-revision')),
        status: tr.querySelector('td.status')?.textContent?.trim(),
        chart: tr.querySelector('td.chart')?.textContent?.trim(),
        description: tr.querySelector('td.description')?.textContent?.trim(),
      })),
    );
    expect(revisions).toEqual([...history].reverse().map((h) => ({ revision: h.revision, status: h.status, chart: h.chart, description: h.description })));

    // The newest revision's values are helm get values' (the failed one still recorded what was asked).
    const values = main().locator('pre[aria-label="Values given"]');
    await values.waitFor();
    const given = await helmJson<Record<string, unknown>>(['get', 'values', RELEASE, '-n', NS, '--revision', '3']);
    expect(given).toMatchObject({ badKey: true, settings: { color: 'red', pageSize: 30 } });
    const text = await values.innerText();
    expect(text).toContain('badKey: true');
    expect(text).toContain('color: red');

    await main().getByRole('tab', { name: 'Computed values' }).click();
    const computed = await main().locator('pre[aria-label="Computed values"]').innerText();
    expect(computed).toContain('regions:');
    expect(computed).toContain('cache: true');

    // Revision 2's manifest is helm get manifest's.
    await main().locator('tr[data-revision="2"]').getByRole('button', { name: 'Revision 2' }).click();
    await main().getByRole('tab', { name: 'Manifest' }).click();
    const manifest = await main().locator('pre[aria-label="Rendered manifest"]').innerText();
    expect(manifest.trim()).toBe((await helmOut(stage.cluster.info, ['get', 'manifest', RELEASE, '-n', NS, '--revision', '2'])).trim());

    // Revision 2 against revision 1: the manifest's changed lines.
    await main().locator('tr[data-revision="2"]').getByRole('button', { name: 'Compare with previous' }).click();
    await main().getByRole('form', { name: 'Revisions to compare' }).getByLabel('Of').selectOption('manifest');
    const diff = main().locator('pre.diff');
    await eventually(() => diff.innerText(), (t) => t.includes('+ '));
    const diffText = await diff.innerText();
    expect(diffText).toContain('-   pageSize: "20"');
    expect(diffText).toContain('+   pageSize: "30"');
    expect(diffText).toContain('+   image: "registry.example/catalog:1.5.0"');
    // Values between 1 and 3: what the user added.
    const form = main().getByRole('form', { name: 'Revisions to compare' });
    await form.getByLabel('Of').selectOption('values');
    await form.getByLabel('To revision').selectOption('3');
    await form.getByLabel('From revision').selectOption('1');
    await eventually(() => diff.innerText(), (t) => t.includes('+ badKey: true'));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('admin at 390 px: the list and a release\u2019s diff fit the width', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/helm?cluster=cairn-dev&ns=${NS}`);
    await main().locator(`tr[data-release="${NS}/${RELEASE}"]`).waitFor();
    expect(await noSidewaysScroll()).toBe(true);
    await main().getByRole('link', { name: RELEASE, exact: true }).click();
    await main().locator('tr[data-revision="2"]').getByRole('button', { name: 'Compare with previous' }).click();
    await main().locator('pre.diff').waitFor();
    expect(await noSidewaysScroll()).toBe(true);
  });

  it('alice (edit in team-a): sees the releases of her namespace and a revision\u2019s notes', async () => {
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/helm?cluster=cairn-dev&ns=${NS}`);
    await main().locator(`tr[data-release="${NS}/${RELEASE}"]`).waitFor();
    await main().getByRole('link', { name: RELEASE, exact: true }).click();
    await main().locator('tr[data-revision="1"]').getByRole('button', { name: 'Revision 1' }).click();
    await main().getByRole('tab', { name: 'Notes' }).click();
    const notes = await main().locator('pre[aria-label="Notes"]').innerText();
    const helmNotes = await helmOut(stage.cluster.info, ['get', 'notes', RELEASE, '-n', NS, '--revision', '1']);
    expect(`NOTES:\n${notes}`.trim()).toBe(helmNotes.trim());
    expect(notes).toContain('colour red');
    // Read-only: nothing to uninstall or roll back is offered.
    expect(await main().getByRole('button', { name: /uninstall|rollback|roll back/i }).count()).toBe(0);
  });

  it('victor (view, no Secrets): told he may not list Secrets, which is where Helm keeps releases', async () => {
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/helm?cluster=cairn-dev&ns=${NS}`);
    await main().getByRole('heading', { name: `You may not list Secrets in ${NS}` }).waitFor();
    const text = await main().innerText();
    expect(text).toContain('Helm keeps every release in Secrets');
    expect(text).toMatch(/cannot list resource "secrets"/);
    expect(await releaseRows().count()).toBe(0);
    // A release's own page says the same.
    await page.goto(`${stage.cairn.url}/workloads/helm/${NS}/${RELEASE}?cluster=cairn-dev`);
    await main().getByRole('heading', { name: `You may not list Secrets in ${NS}` }).waitFor();
  });
});
