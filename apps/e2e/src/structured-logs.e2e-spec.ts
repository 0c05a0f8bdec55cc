import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkoutLogLine, criLine, DevCluster } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';

const run = promisify(execFile);

/**
 * Structured logs: a team-a workload whose container writes JSON, logfmt and plain lines.
 * Its lines become fields; filtering `level=error` or `status>=500` shows exactly the lines
 * `kubectl logs` prints that carry those fields, the level chooser and columns read the same
 * fields, a workload's pods merge and group by pod, and 10 000 buffered lines filter without
 * a long task.
 */
describe('structured logs', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;
  let pods: string[];

  beforeAll(async () => {
    stage = await startStage();
    ({ cluster, cairn } = stage);
    // The fixture: a Deployment whose container is named `checkout`, whose log kwok serves from the seed's checkout sample.
    const admin = cluster.adminApi();
    await admin.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'checkout', namespace: 'team-a' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'checkout' } },
        template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'ghcr.io/cairn-test/checkout:1.4.0' }] } },
      },
    });
    pods = await eventually(
      async () => {
        const list = await admin.json<{ items: Array<{ metadata: { name: string }; status?: { phase?: string } }> }>('GET', '/api/v1/namespaces/team-a/pods?labelSelector=app%3Dcheckout');
        return list.items.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name).sort();
      },
      (names) => names.length === 2,
      90_000,
    );
  }, 300_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `structured-logs-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  /** The oracle: what the API server returns for the container, through the dev cluster's own kubectl. */
  async function kubectlLogs(pod: string, ...flags: string[]): Promise<string[]> {
    const { stdout } = await run(join(cluster.info.binDir, 'kubectl'), ['logs', '-n', 'team-a', pod, '-c', 'checkout', ...flags], { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig }, maxBuffer: 64 << 20 });
    return stdout.split('\n').filter(Boolean);
  }

  /**
   * The fields the test reads from kubectl's lines, its own way (not the console's parser): a
   * JSON object's `level` (pino numbers, 50 and up is an error) and `status`, or logfmt's
   * `level=` and `status=` tokens.
   */
  function fieldsOf(raw: string): { error?: boolean; warnOrWorse?: boolean; status?: number } {
    if (raw.startsWith('{')) {
      const o = JSON.parse(raw) as { level: number; status: number };
      return { error: o.level >= 50, warnOrWorse: o.level >= 40, status: o.status };
    }
    const level = / level=(\S+)|^level=(\S+)/.exec(raw);
    const status = / status=(\d+)/.exec(raw);
    if (!level) return {};
    const name = level[1] ?? level[2];
    return { error: name === 'ERR', warnOrWorse: name === 'ERR' || name === 'warning', status: status ? Number(status[1]) : undefined };
  }

  const rows = () => page.locator('cairn-log-viewport .line.k-log');
  const shownCount = async () => {
    const text = (await page.getByRole('status').first().textContent()) ?? '';
    const shown = /\(([\d,]+) shown\)/.exec(text)?.[1] ?? /([\d,]+) lines?/.exec(text)?.[1] ?? '-1';
    return Number(shown.replace(/,/g, ''));
  };
  const fieldFilter = () => page.getByRole('textbox', { name: 'Field filter' });

  async function openPod(user: 'admin' | 'alice' | 'victor', pod: string, viewport?: { width: number; height: number }): Promise<void> {
    page = await stage.signedIn(user, viewport);
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&pod=${pod}&container=checkout`);
    await eventually(async () => (await page.getByRole('status').first().textContent()) ?? '', (t) => /\b200 lines\b/.test(t));
  }

  /** Raw lines (columns off, unwrapped, so each row is one line's text): the rows drawn at the end of the view. */
  async function rawRows(): Promise<string[]> {
    await page.getByLabel('Fields as columns').uncheck();
    await page.getByLabel('Wrap lines').uncheck();
    return rows().locator('.msg').allTextContents();
  }

  it('alice (edit in team-a) filters level=error, then status>=500: the rows are the lines kubectl logs prints with those fields', async () => {
    const pod = pods[0];
    await openPod('alice', pod);
    const oracle = await kubectlLogs(pod);
    expect(oracle).toHaveLength(200);

    await fieldFilter().fill('level=error');
    const errors = oracle.filter((l) => fieldsOf(l).error);
    expect(errors.length).toBeGreaterThan(20);
    await eventually(shownCount, (n) => n === errors.length);
    const shownErrors = await rawRows();
    expect(shownErrors.length).toBeGreaterThan(10);
    expect(shownErrors).toEqual(errors.slice(-shownErrors.length));

    // A numeric comparison on the parsed field: "99" < 500 < "503", and a 200 whose text holds "500" does not count.
    await fieldFilter().fill('status>=500');
    const fiveHundreds = oracle.filter((l) => (fieldsOf(l).status ?? 0) >= 500);
    await eventually(shownCount, (n) => n === fiveHundreds.length);
    const shown5xx = await rows().locator('.msg').allTextContents();
    expect(shown5xx).toEqual(fiveHundreds.slice(-shown5xx.length));

    // Both: errors that are not 5xx.
    await fieldFilter().fill('level=error AND status<500');
    const otherErrors = oracle.filter((l) => fieldsOf(l).error && (fieldsOf(l).status ?? 0) < 500);
    expect(otherErrors.length).toBeGreaterThan(0);
    await eventually(shownCount, (n) => n === otherErrors.length);
    expect(await rows().locator('.msg').allTextContents()).toEqual(otherErrors.slice(-otherErrors.length));

    // msg~ searches the message field by regular expression.
    await fieldFilter().fill('msg~^upstream');
    await eventually(shownCount, (n) => n === oracle.filter((l) => l.includes('upstream timeout')).length);
  });

  it('a filter that does not parse says what is wrong and where, and filters nothing until it does', async () => {
    await openPod('alice', pods[0]);
    await fieldFilter().fill('status>=');
    const alert = page.getByRole('alert').filter({ hasText: 'The field filter is not applied' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('expected a value after "status>=" (at position 9)');
    expect(await fieldFilter().getAttribute('aria-invalid')).toBe('true');
    expect(await shownCount()).toBe(200);
    await fieldFilter().fill('msg~(timeout');
    await page.getByRole('alert').filter({ hasText: 'is not a valid regular expression' }).waitFor();
    await fieldFilter().fill('status>=500');
    await alert.waitFor({ state: 'detached' });
    // Applied once typing pauses: the count drops.
    await eventually(shownCount, (n) => n > 0 && n < 200);
  });

  it('victor (view) picks "warn and above", sees levels and a status column, and a time window by the Kubernetes timestamps', async () => {
    const pod = pods[1];
    await openPod('victor', pod);
    const oracle = await kubectlLogs(pod);
    await page.getByRole('combobox', { name: 'Level' }).selectOption('warn');
    await eventually(shownCount, (n) => n === oracle.filter((l) => fieldsOf(l).warnOrWorse).length);
    // Columns: the normalised level (pino's 50 and logfmt's ERR are both "error"), and the chosen field.
    await page.locator('.column-choice summary').click();
    await page.getByRole('group', { name: 'Columns' }).getByLabel('status', { exact: true }).check();
    await page.locator('.column-choice summary').click();
    const levels = await rows().locator('.lvl').allTextContents();
    expect(new Set(levels.map((l) => l.trim()))).toEqual(new Set(['error', 'warn']));
    const statuses = await rows().locator('.cell[data-field="status"]').allTextContents();
    expect(statuses.length).toBe(levels.length);
    expect(statuses.every((s) => /^\d{3} $/.test(s))).toBe(true);
    await screenshot(page, 'structured-logs-victor-columns');

    // A time window over the Kubernetes timestamps: the last minute of lines, as kubectl --timestamps prints them.
    await page.getByRole('combobox', { name: 'Level' }).selectOption('');
    const stamps = (await kubectlLogs(pod, '--timestamps')).map((l) => Date.parse(l.slice(0, l.indexOf(' ')).replace(/(\.\d{3})\d+/, '$1')));
    const from = stamps[stamps.length - 1] - 60_000;
    // datetime-local is the browser's time zone, to the second: give it the same instant.
    const local = await page.evaluate((ms) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, from);
    await page.getByLabel('From').fill(local);
    const inWindow = stamps.filter((t) => t >= Math.floor(from / 1000) * 1000).length;
    await eventually(shownCount, (n) => n === inWindow);
    expect(inWindow).toBeGreaterThan(5);
    expect(inWindow).toBeLessThan(200);
  });

  it('admin merges both pods of the workload in time order, groups them by pod and colours them by level, also on a phone', async () => {
    page = await stage.signedIn('admin', { width: 390, height: 844 });
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&workload=apps/v1/deployments/checkout`);
    await eventually(async () => (await page.getByRole('status').first().textContent()) ?? '', (t) => /\b400 lines\b/.test(t));
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('pod');
    const headers = page.locator('cairn-log-viewport .line.k-notice .group');
    await eventually(shownCount, (n) => n === 400 + 2);
    await page.getByRole('combobox', { name: 'Colour by' }).selectOption('level');
    await fieldFilter().fill('level=error');
    const errorsPerPod = await Promise.all(pods.map(async (p) => (await kubectlLogs(p)).filter((l) => fieldsOf(l).error).length));
    await eventually(shownCount, (n) => n === errorsPerPod[0] + errorsPerPod[1] + 2);
    // The group headers: one per pod, with its count (scroll to the top to see the first).
    await page.locator('cairn-log-viewport .scroller').evaluate((el) => (el.scrollTop = 0));
    await eventually(() => headers.allTextContents(), (h) => h.includes(`pod=${pods[0]} · ${errorsPerPod[0]} lines`) || h.includes(`pod=${pods[1]} · ${errorsPerPod[1]} lines`));
    expect(await rows().first().getAttribute('class')).toContain('sev-error');
    await screenshot(page, 'structured-logs-phone-grouped');
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways).toBeLessThanOrEqual(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('10 000 buffered lines: filtering, choosing a level, grouping and scrolling make no long task over 200 ms', async () => {
    const pod = pods[0];
    // The fixture: the checkout log grows to 10 000 lines (the view's bound), written as kwok reads it.
    const file = join(cluster.info.containerLogsDir, 'checkout.log');
    const start = Date.now() - 10_000;
    let text = '';
    for (let i = 200; i < 10_000; i++) text += criLine(new Date(start + i), checkoutLogLine(i));
    appendFileSync(file, text);
    page = await stage.signedIn('admin');
    await page.addInitScript(() => {
      const tasks: Array<{ at: number; ms: number }> = [];
      (window as unknown as { __longTasks: Array<{ at: number; ms: number }> }).__longTasks = tasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) }))).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${cairn.url}/logs?cluster=cairn-dev&ns=team-a&pod=${pod}&container=checkout`);
    await page.getByRole('combobox', { name: 'Lines' }).selectOption('0');
    await eventually(async () => (await page.getByRole('status').first().textContent()) ?? '', (t) => /\b10,000 lines\b/.test(t), 60_000);
    const loading = await page.evaluate(() => (window as unknown as { __longTasks: Array<{ at: number; ms: number }> }).__longTasks.splice(0));

    // The oracle for the count: kubectl's 10 000 lines, read by the test's own rule.
    const oracle = await kubectlLogs(pod);
    expect(oracle).toHaveLength(10_000);
    const steps: Array<[string, number]> = [];
    const step = async (name: string) => steps.push([name, Math.round(await page.evaluate(() => performance.now()))]);
    await step('type filter');
    await fieldFilter().pressSequentially('level=error AND status>=500', { delay: 20 });
    await eventually(shownCount, (n) => n === oracle.filter((l) => fieldsOf(l).error && (fieldsOf(l).status ?? 0) >= 500).length);
    await step('level warn, filter emptied');
    await page.getByRole('combobox', { name: 'Level' }).selectOption('warn');
    await fieldFilter().fill('');
    await eventually(shownCount, (n) => n === oracle.filter((l) => fieldsOf(l).warnOrWorse).length);
    await step('group by level');
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('level');
    await step('colour by pod');
    await page.getByRole('combobox', { name: 'Colour by' }).selectOption('pod');
    await step('all levels');
    await page.getByRole('combobox', { name: 'Level' }).selectOption('');
    // Five groups: error, warn, info, debug, and the plain lines with no level.
    await eventually(shownCount, (n) => n === 10_000 + 5);
    const scroller = page.locator('cairn-log-viewport .scroller');
    await step('scroll');
    for (const top of [0, 50_000, 100_000, 150_000]) {
      await scroller.evaluate((el, y) => (el.scrollTop = y), top);
      await page.waitForTimeout(100);
    }
    await rows().first().waitFor();
    await page.waitForTimeout(500);
    const interacting = await page.evaluate(() => (window as unknown as { __longTasks: Array<{ at: number; ms: number }> }).__longTasks.splice(0));
    // Reported for the run's log, whatever they are.
    console.log(`long tasks (start ms: duration ms) while 10 000 lines arrived: ${JSON.stringify(loading)}; while filtering, grouping and scrolling: ${JSON.stringify(interacting)}; steps: ${JSON.stringify(steps)}`);
    expect(interacting.filter((t) => t.ms > 200)).toEqual([]);
  }, 180_000);
});
