import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevCluster, DevUserName } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';

/**
 * Reading logs: follow a container as it writes, find a line, look at the container that
 * crashed before this one, merge a workload's pods, and be told plainly when RBAC says no.
 */
describe('logs', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
    ({ cluster, cairn } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `logs-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const signedIn = (user: DevUserName) => stage.signedIn(user);

  async function podOf(deployment: string): Promise<string> {
    const pods = await cluster.adminApi().json<{ items: Array<{ metadata: { name: string } }> }>('GET', `/api/v1/namespaces/team-a/pods`);
    const pod = pods.items.map((p) => p.metadata.name).find((name) => name.startsWith(`${deployment}-`));
    if (!pod) throw new Error(`no pod of ${deployment} in team-a`);
    return pod;
  }

  /** "1,234 lines" in the status line, as a number. */
  const lineCount = async () => Number(/([\d,]+) lines?/.exec((await page.getByRole('status').first().textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);
  const lines = () => page.locator('cairn-log-viewport .line');

  it('an admin picks the web container of a pod, sees new lines arrive, and finds a line by searching', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a`);
    const web = await podOf('web');
    const source = page.getByRole('combobox', { name: 'Source' });
    await page.locator(`option[value="p:${web}"]`).waitFor({ state: 'attached' });
    await source.selectOption(`p:${web}`);
    await page.getByRole('combobox', { name: 'Container' }).selectOption('web');
    await page.waitForURL(new RegExp(`pod=${web}.*container=web|container=web.*pod=${web}`));
    await lines().first().waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('Following');
    const first = await eventually(lineCount, (n) => n >= 200);
    // The container writes a line a second: the view shows them as they come.
    await eventually(lineCount, (n) => n >= first + 2, 15_000);
    expect(await lines().last().textContent()).toMatch(/"GET \/[^"]* HTTP\/1.1" \d{3} \d+$/);

    const search = page.getByRole('searchbox', { name: 'Search the log' });
    await search.fill('boots');
    const count = await page.locator('.search .count').textContent();
    expect(count).toMatch(/^\d+ matches$/);
    await search.press('Enter');
    // The count is drawn after the key is handled: wait for it rather than reading it once.
    await page.locator('.search .count').filter({ hasText: /^1 of \d+/ }).waitFor();
    await page.locator('cairn-log-viewport mark.current').waitFor();
    expect((await page.locator('cairn-log-viewport mark').allTextContents()).every((t) => t.toLowerCase() === 'boots')).toBe(true);
    await page.getByRole('button', { name: 'Next match' }).click();
    await page.locator('.search .count').filter({ hasText: /^2 of \d+/ }).waitFor();
    // Reading an older line, the view stays there and offers the way back.
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();

    // Timestamps on: each line starts with its time.
    await page.getByLabel('Timestamps').check();
    expect(await page.locator('cairn-log-viewport .line .ts').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} $/);

    // Paused: the stream goes on, the view holds still and counts what waits.
    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await lineCount();
    await page.getByRole('button', { name: /^[1-9]\d* new lines?: resume$/ }).waitFor({ timeout: 10_000 });
    expect(await lineCount()).toBe(paused);
    await page.getByRole('button', { name: /new lines?: resume/ }).click();
    await eventually(lineCount, (n) => n > paused);
  });

  it('shows a crash-looping container\u2019s colours as styles, never as markup, and the previous container\u2019s log', async () => {
    page = await signedIn('admin');
    // Had the text become markup, the page's CSP would have blocked its handler and script and reported
    // each block: collect those reports (a global the script would set could never be set under the CSP).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.sample}`));
    });
    const worker = await podOf('queue-worker');
    // A line that would run script if a console put log text into innerHTML.
    const stamp = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    appendFileSync(join(cluster.info.containerLogsDir, 'worker.log'), `${stamp} stdout F \u001b[35m<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>\u001b[0m injected?\n`);
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&pod=${worker}&container=worker`);
    await page.locator('cairn-log-viewport .line .ansi-fg-1', { hasText: 'ERROR' }).first().waitFor();
    expect(await page.locator('cairn-log-viewport .line .ansi-fg-2', { hasText: 'INFO' }).count()).toBeGreaterThan(0);
    const injected = page.locator('cairn-log-viewport .line', { hasText: 'injected?' });
    await injected.waitFor();
    expect(await injected.locator('.ansi-fg-5').textContent()).toBe('<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>');
    expect(await page.locator('cairn-log-viewport img, cairn-log-viewport script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    // No escape sequence is left in the text, and only spans (and marks) make up a line's message.
    const texts = await lines().allTextContents();
    expect(texts.some((t) => t.includes('\u001b') || t.includes('[0m'))).toBe(false);
    const tags = await page.locator('cairn-log-viewport .msg *').evaluateAll((els) => [...new Set(els.map((e) => e.tagName))]);
    expect(tags).toEqual(['SPAN']);

    await page.getByLabel('Previous container').check();
    await page.locator('cairn-log-viewport .line', { hasText: 'worker: previous instance exited with code 1' }).waitFor();
    expect(await lines().allTextContents()).toEqual(['worker: previous instance started', 'worker: previous instance exited with code 1']);
    expect(await page.getByRole('status').first().textContent()).toContain('End of log');
    expect(await page.getByLabel('Follow').isDisabled()).toBe(true);
    // The choice is in the address: the link opens the previous container's log again.
    await page.waitForURL(/previous=true/);
    await page.reload();
    await page.locator('cairn-log-viewport .line', { hasText: 'worker: previous instance exited with code 1' }).waitFor();
    expect(await page.getByLabel('Previous container').isChecked()).toBe(true);
  });

  it('merges every pod of a workload, a readable colour per pod in both themes', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&workload=apps/v1/deployments/web`);
    await lines().first().waitFor();
    const sources = async () => page.locator('cairn-log-viewport .line .src').evaluateAll((els) => els.map((e) => `${e.textContent?.trim()} ${e.className}`));
    // Two pods, two containers each; each pod in its own colour.
    const seen = await eventually(sources, (s) => new Set(s.map((x) => x.split('/')[0])).size >= 2);
    const colourOfPod = new Map<string, string>();
    for (const entry of seen) {
      const [label, ...classes] = entry.split(' ');
      const colour = classes.find((c) => /^c\d$/.test(c)) ?? '';
      const pod = label.split('/')[0];
      expect(colourOfPod.get(pod) ?? colour).toBe(colour);
      colourOfPod.set(pod, colour);
    }
    expect(new Set(colourOfPod.values()).size).toBe(colourOfPod.size);
    expect(seen.every((s) => /^web-[\w-]+\/(web|log-shipper) /.test(s))).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    // The theme lands on <html> when the shell next renders: wait for it rather than read it once.
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect(await seriousViolations(page)).toEqual([]);

    // On a phone, wrapped lines take the rows they need and nothing scrolls sideways.
    await page.setViewportSize({ width: 420, height: 860 });
    await page.getByLabel('Wrap lines').check();
    const scroller = page.locator('cairn-log-viewport .scroller');
    await eventually(
      () => scroller.evaluate((el) => ({ sideways: el.scrollWidth - el.clientWidth, tallest: Math.max(...[...el.querySelectorAll<HTMLElement>('.line')].map((l) => l.offsetHeight)) })),
      (v) => v.sideways <= 1 && v.tallest >= 40,
    );
  });

  it('a followed log that drops (the API server restarts) picks up where it left off and says "reconnected"', async () => {
    page = await signedIn('admin');
    const web = await podOf('web');
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&pod=${web}&container=web`);
    await page.getByLabel('Timestamps').check();
    await eventually(lineCount, (n) => n >= 200);
    await cluster.restartApiServer();
    await page.locator('cairn-log-viewport .line.k-notice', { hasText: /^Reconnected \(resumed after \d{2}:\d{2}:\d{2} UTC\)$/ }).waitFor({ timeout: 45_000 });
    expect(await page.getByRole('status').first().textContent()).toContain('Reconnected; following');
    // New lines follow the notice, and none of the lines before it came twice.
    await page.locator('cairn-log-viewport .line.k-notice ~ .line.k-log').first().waitFor({ timeout: 15_000 });
    const stamps = await page.locator('cairn-log-viewport .line.k-log .ts').allTextContents();
    expect(stamps.length).toBeGreaterThan(20);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort()).toEqual(stamps);
  }, 120_000);

  it('alice, who may edit only team-a, is told which verb on which resource team-b refused', async () => {
    page = await signedIn('alice');
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-b&workload=apps/v1/deployments/api`);
    const refused = page.getByRole('alert').filter({ hasText: 'Not allowed.' });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/Cluster cairn-dev refused: .*"alice@cairn\.test" cannot get resource "deployments" in API group "apps" in the namespace "team-b"/);
    const pods = page.getByRole('alert').filter({ hasText: 'Cannot list the pods of team-b.' });
    expect(await pods.textContent()).toMatch(/cannot list resource "pods" in API group "" in the namespace "team-b"/);
  });

  it('opened from a pod in another namespace, the view reads it there; the top bar keeps the user\u2019s namespace, and Back returns to the pod', async () => {
    page = await signedIn('admin');
    const web = await podOf('web');
    await page.goto(`${cairn.url}/workloads/pods/team-a/${web}?cluster=cairn-dev&ns=team-b`);
    await page.getByRole('article', { name: 'Container web' }).getByRole('link', { name: 'Logs', exact: true }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/logs') && url.searchParams.get('namespace') === 'team-a' && url.searchParams.get('container') === 'web');
    await lines().first().waitFor();
    expect(await page.getByRole('combobox', { name: 'Namespace' }).first().inputValue()).toBe('team-b');
    expect(new URL(page.url()).searchParams.get('ns')).toBe('team-b');
    await page.goBack();
    await page.getByRole('heading', { name: `Pod ${web}` }).waitFor();
  });

  it('with no namespace chosen, on a phone, the page asks which and offers them; a tap opens the pod picker', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev`);
    await page.getByRole('heading', { name: 'Which namespace?' }).waitFor();
    const teamA = page.getByRole('list', { name: 'Namespaces' }).getByRole('button', { name: 'team-a', exact: true });
    expect((await teamA.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    await teamA.click();
    await page.getByRole('combobox', { name: 'Source' }).waitFor();
    await page.locator('option[value^="w:apps/v1/deployments/web"]').waitFor({ state: 'attached' });
    // The top bar still reads "All namespaces".
    expect(await page.getByRole('combobox', { name: 'Namespace' }).first().inputValue()).toBe('');
  });

  it('a merged view of a workload with more than 20 pods says it shows 20 of them, and a pod whose log cannot be read says why on its own line', async () => {
    const api = cluster.adminApi();
    const container = { name: 'web', image: 'ghcr.io/cairn-test/web:1.0.0' };
    // 22 pods of one Deployment, and one more its selector picks: a pod bound to the seed's lost
    // node (no kubelet answers for it), named to come first in the list the view merges.
    await api.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'crowd', namespace: 'team-b' }, spec: { replicas: 22, selector: { matchLabels: { app: 'crowd' } }, template: { metadata: { labels: { app: 'crowd' } }, spec: { containers: [container] } } } });
    await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crowd-0-on-a-lost-node', namespace: 'team-b', labels: { app: 'crowd' } }, spec: { nodeName: 'lost-node', containers: [container] } });
    try {
      await eventually(() => api.get<{ status?: { readyReplicas?: number } }>('/apis/apps/v1/namespaces/team-b/deployments/crowd'), (d) => d.status?.readyReplicas === 22, 90_000);
      page = await signedIn('admin');
      await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-b&workload=apps/v1/deployments/crowd`);
      // The other pods' lines arrive.
      await page.locator('cairn-log-viewport .line.k-log .src', { hasText: /^crowd-(?!0-on)/ }).first().waitFor({ timeout: 30_000 });
      // The view's own lines (notices, a pod's error) stay when only matching log lines are
      // shown: with a search no log line matches, they are all that is left to read.
      await page.getByRole('searchbox', { name: 'Search the log' }).fill('no log line says this');
      await page.getByLabel('Only matching lines').check();
      await page.locator('cairn-log-viewport .line.k-notice', { hasText: 'showing 20 of 23 pods' }).waitFor();
      const failed = page.locator('cairn-log-viewport .line.k-error').filter({ has: page.locator('.src[title="crowd-0-on-a-lost-node/web"]') });
      await failed.waitFor();
      // In the API server's words: nothing answers for the node the pod is bound to.
      expect(await failed.locator('.msg').innerText()).toMatch(/^Cluster cairn-dev failed to answer \(HTTP 500\): no preferred addresses found/);
      const errorSources = await page.locator('cairn-log-viewport .line.k-error .src').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
      expect(errorSources).toEqual(['crowd-0-on-a-lost-node/web']);
    } finally {
      await api.json('DELETE', '/apis/apps/v1/namespaces/team-b/deployments/crowd');
      await api.json('DELETE', '/api/v1/namespaces/team-b/pods/crowd-0-on-a-lost-node?gracePeriodSeconds=0');
    }
  }, 180_000);

  it('in a merged view, one pod\u2019s lines can be hidden, only matching lines shown, and a phone shows short pod names', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&workload=apps/v1/deployments/web`);
    const toggles = page.getByRole('group', { name: 'Sources shown' }).getByRole('checkbox');
    await eventually(() => toggles.count(), (n) => n >= 2);
    const hidden = ((await page.getByRole('group', { name: 'Sources shown' }).locator('label').first().getAttribute('title')) ?? '').trim();
    await toggles.first().uncheck();
    await page.getByRole('status').first().filter({ hasText: 'shown)' }).waitFor();
    const titles = async () => page.locator('cairn-log-viewport .line .src').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    expect(await titles()).not.toContain(hidden);
    await page.getByRole('searchbox', { name: 'Search the log' }).fill('GET');
    await page.getByLabel('Only matching lines').check();
    await eventually(() => lines().allTextContents(), (texts) => texts.length > 0 && texts.every((t) => t.toLowerCase().includes('get')));
    await page.setViewportSize({ width: 390, height: 844 });
    await eventually(() => page.locator('cairn-log-viewport .line .src').first().textContent(), (text) => /^…[\w]+\/(web|log-shipper) $/.test(text ?? ''));
  });
});
