import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { benchPod, CLUSTER, Log } from './bench-cluster';
import { launchBrowser, profilePage, signedInContext } from './browser';
import { describeProfile, summarizeProfile } from './profile';
import type { BenchContext } from './context';
import { LogWriter } from './log-writer';
import { figure, Figure, notMeasured } from './report';
import { Console, startConsole } from './services';
import { MiB, sleep } from './stats';

const B = '5 logs';
const NAMESPACE = 'bench-logs';
const POD = 'chatty';
/** No container of the seed has this name, so kwok serves it the catch-all log file (default.log). */
const CONTAINER = 'chatty';
const LONG_TASK_TARGET_MS = 200;
/** Heap is "bounded" when the last third of the run stays within this of the middle third. */
const HEAP_GROWTH_LIMIT = 1.25;
const QUIET_LINES_PER_SECOND = 5;

interface FollowRun {
  longTasks: number[];
  heap: Array<{ atS: number; usedBytes: number; nodes: number }>;
  linesShown: number;
  lastSeqShown: number;
  writerSeq: number;
  status: string;
}

/**
 * Benchmark 5: the logs remote follows a container that writes `logLinesPerSecond` lines for
 * `logSeconds` s: long tasks (PerformanceObserver 'longtask') and the JS heap (Chromium's
 * Performance.getMetrics), against the same page following the same container at 5 lines/s.
 */
export async function logsFollow(ctx: BenchContext): Promise<Figure[]> {
  const { options, log } = ctx;
  const writer = new LogWriter(join(ctx.cluster.info.containerLogsDir, 'default.log'));
  await preparePod(ctx, writer, log);
  const cairn = await startConsole(ctx.cluster, { logsDir: join(ctx.runDir, 'logs'), withAuthService: true });
  const browser = await launchBrowser();
  try {
    writer.start(QUIET_LINES_PER_SECOND);
    log(`bench 5: following ${POD} at ${QUIET_LINES_PER_SECOND} lines/s (baseline)`);
    const quiet = await follow(ctx, cairn, await signedInContext(browser, cairn, ctx.adminToken), writer, Math.min(15, options.logSeconds), 'quiet');
    writer.start(options.logLinesPerSecond);
    log(`bench 5: following ${POD} at ${options.logLinesPerSecond} lines/s for ${options.logSeconds} s`);
    const busy = await follow(ctx, cairn, await signedInContext(browser, cairn, ctx.adminToken), writer, options.logSeconds, 'busy');
    writer.stop();
    ctx.details['logs'] = { linesPerSecond: options.logLinesPerSecond, seconds: options.logSeconds, quiet, busy, profile: summarizeProfile(join(ctx.runDir, 'profiles', 'logs')) };

    const longest = (r: FollowRun) => Math.max(0, ...r.longTasks);
    const heapAt = (r: FollowRun, from: number, to: number) => Math.max(0, ...r.heap.filter((h) => h.atS >= from && h.atS <= to).map((h) => h.usedBytes));
    const third = options.logSeconds / 3;
    const middle = heapAt(busy, third, 2 * third);
    const last = heapAt(busy, 2 * third, options.logSeconds + 1);
    const bounded = middle > 0 && last <= middle * HEAP_GROWTH_LIMIT;
    const endHeap = busy.heap.at(-1)?.usedBytes ?? 0;
    const longMet = longest(busy) <= LONG_TASK_TARGET_MS;
    const quietLabel = `${QUIET_LINES_PER_SECOND} lines/s`;
    const shown = busy.linesShown > 0;
    return [
      shown
        ? figure({
            benchmark: B,
            name: `longest task while following ${options.logLinesPerSecond} lines/s for ${options.logSeconds} s`,
            unit: 'ms',
            value: longest(busy),
            baseline: { label: quietLabel, value: longest(quiet) },
            target: `no task > ${LONG_TASK_TARGET_MS} ms`,
            met: longMet,
            reason: longMet
              ? undefined
              : `${busy.longTasks.filter((t) => t > LONG_TASK_TARGET_MS).length} tasks over ${LONG_TASK_TARGET_MS} ms (${busy.longTasks.length} over 50 ms, ${busy.longTasks.reduce((a, b) => a + b, 0)} ms in all); the longest ${longest(busy)} ms; ${describeProfile(summarizeProfile(join(ctx.runDir, 'profiles', 'logs')), 'page')}`,
          })
        : notMeasured(B, `longest task while following ${options.logLinesPerSecond} lines/s`, `the logs page showed no line of ${POD} (status: "${busy.status}")`),
      figure({ benchmark: B, name: 'tasks over 50 ms', unit: 'tasks', value: busy.longTasks.length, baseline: { label: quietLabel, value: quiet.longTasks.length }, ratio: quiet.longTasks.length ? undefined : Number.NaN }),
      figure({
        benchmark: B,
        name: `JS heap, last third of the run (middle third: ${(middle / MiB).toFixed(1)} MiB)`,
        unit: 'MiB',
        value: last / MiB,
        baseline: { label: `${quietLabel}, end`, value: (quiet.heap.at(-1)?.usedBytes ?? 0) / MiB },
        target: `bounded: ≤ ${HEAP_GROWTH_LIMIT}× the middle third`,
        met: shown ? bounded : false,
        reason: bounded ? undefined : `heap ${(middle / MiB).toFixed(1)} → ${(last / MiB).toFixed(1)} MiB (end ${(endHeap / MiB).toFixed(1)} MiB, ${busy.heap.at(-1)?.nodes ?? 0} DOM nodes); samples in details.logs`,
      }),
      figure({ benchmark: B, name: `lines behind the writer at the end (${busy.linesShown.toLocaleString('en')} lines in view)`, unit: 'lines', value: Math.max(0, busy.writerSeq - busy.lastSeqShown), baseline: { label: quietLabel, value: Math.max(0, quiet.writerSeq - quiet.lastSeqShown) }, ratio: Number.NaN }),
    ];
  } finally {
    writer.stop();
    await browser.close();
    await cairn.stop();
  }
}

/** The pod whose log is followed, Running on a kwok node, and proof that kwok serves our file for it. */
async function preparePod(ctx: BenchContext, writer: LogWriter, log: Log): Promise<void> {
  const admin = ctx.admin;
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (let i = 0; i < 100 && (await admin.send('GET', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`)).status !== 200; i++) await sleep(100);
  if ((await admin.send('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${POD}`)).status === 404) await admin.create(benchPod(NAMESPACE, POD, 'kwok-node-1', CONTAINER));
  for (let i = 0; i < 120; i++) {
    const pod = await admin.get<{ status?: { phase?: string } }>(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}`);
    if (pod.status?.phase === 'Running') break;
    await sleep(500);
  }
  writer.start(20);
  await sleep(500);
  const tail = await admin.send('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${POD}/log?container=${CONTAINER}&tailLines=1`);
  writer.stop();
  if (tail.status !== 200 || !/seq=\d+/.test(tail.body)) throw new Error(`kwok does not serve the bench's log file for ${NAMESPACE}/${POD}: HTTP ${tail.status} ${tail.body.slice(0, 200)}`);
  log(`bench 5: ${NAMESPACE}/${POD} is Running and its log is served from default.log`);
}

async function follow(ctx: BenchContext, cairn: Console, context: BrowserContext, writer: LogWriter, seconds: number, name: string): Promise<FollowRun> {
  const page: Page = await context.newPage();
  try {
    await page.addInitScript(() => {
      const w = window as unknown as { __benchLongTasks: number[] };
      w.__benchLongTasks = [];
      new PerformanceObserver((list) => w.__benchLongTasks.push(...list.getEntries().map((e) => Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${cairn.gateway.url}/logs?cluster=${CLUSTER}&ns=${NAMESPACE}&pod=${POD}&container=${CONTAINER}`, { waitUntil: 'load' });
    const lineSelector = '[role=log] .line, cairn-log-viewport .line';
    const appeared = await page.locator(lineSelector).first().waitFor({ timeout: 30_000 }).then(() => true, () => false);
    const shots = join(ctx.runDir, 'screenshots');
    mkdirSync(shots, { recursive: true });
    // Long tasks from here on: the page's own start-up is benchmark 4's business.
    await page.evaluate(() => ((window as unknown as { __benchLongTasks: number[] }).__benchLongTasks = []));
    const heap: FollowRun['heap'] = [];
    const started = Date.now();
    while (appeared && Date.now() - started < seconds * 1000) {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
      const metric = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
      heap.push({ atS: (Date.now() - started) / 1000, usedBytes: metric('JSHeapUsedSize'), nodes: metric('Nodes') });
      await sleep(2000);
    }
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
    heap.push({ atS: (Date.now() - started) / 1000, usedBytes: metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0, nodes: metrics.find((m) => m.name === 'Nodes')?.value ?? 0 });
    const writerSeq = writer.seq;
    if (name === 'busy') {
      // Where the main thread's time goes at this rate: 10 s more under the profiler (after the measured window).
      await profilePage(cdp, join(ctx.runDir, 'profiles', 'logs'), () => sleep(10_000));
    }
    const seen = await page.evaluate((selector) => {
      const lines = [...document.querySelectorAll(selector)];
      const seqs = lines.map((l) => Number(/seq=(\d+)/.exec(l.textContent ?? '')?.[1] ?? 0));
      return {
        lastSeq: Math.max(0, ...seqs),
        status: (document.querySelector('[role=status]')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        longTasks: (window as unknown as { __benchLongTasks: number[] }).__benchLongTasks,
      };
    }, lineSelector);
    await page.screenshot({ path: join(shots, `logs-${name}.png`) });
    const linesShown = Number(/([\d,]+) lines?/.exec(seen.status)?.[1]?.replace(/,/g, '') ?? (appeared ? 1 : 0));
    return { longTasks: seen.longTasks, heap, linesShown, lastSeqShown: seen.lastSeq, writerSeq, status: seen.status };
  } finally {
    await context.close();
  }
}
