import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MfeManifest } from '@cairn/api-contracts';
import type { Browser, Page } from 'playwright-core';
import { CLUSTER, countOf, ensurePods } from './bench-cluster';
import { launchBrowser, profilePage, signedInContext } from './browser';
import { describeProfile, ProfileSummary, summarizeProfile } from './profile';
import type { BenchContext } from './context';
import { biggest, gzipTotal, LoadedScript, recordScripts } from './initial-js';
import { figure, Figure, notMeasured } from './report';
import { Console, startConsole } from './services';
import { percentile, sleep } from './stats';

const B = '4 UI';
const READY_TARGET_MS = 1000;
/** Issue 20: sorting or filtering 10 000 rows in under 100 ms, and no task longer than 200 ms. */
const INTERACTION_TARGET_MS = 100;
const LONG_TASK_TARGET_MS = 200;
const KB = 1024;
const SHELL_BUDGET = 250 * KB;
const REMOTE_BUDGET = 150 * KB;
/** A frame that took longer than this counts as dropped. */
const FRAME_GAP_MS = 50;
const LIST_TIMEOUT_MS = 60_000;

interface ListReady {
  /** ms from navigation start: first data row in the DOM, then the whole list rendered and scrollable. */
  firstRowMs: number;
  readyMs: number;
  /**
   * ms from navigation start to the list of the pods themselves: later than `readyMs` when the
   * whole list was first shown as the API server's printed rows (`printed`), while the objects
   * (labels, selection, every column) were read.
   */
  objectsMs: number;
  printed: boolean;
  rows: number;
}

/** Where the time to the list went: the page's own timeline at the moment the list was ready. */
interface Timeline {
  domContentLoadedMs: number;
  /** The pods list request of the page: when it started and ended. */
  listRequest?: { startMs: number; endMs: number; kb: number };
  /** The last JavaScript file to arrive. */
  lastScriptEndMs: number;
  /** The slowest requests before the list was ready. */
  slowest: Array<{ name: string; startMs: number; endMs: number }>;
  /** Every request of the page up to then, in the order they started: the waterfall the load waits on. */
  requests: Array<{ name: string; startMs: number; endMs: number }>;
  longTasksMs: number[];
}

function timelineInPage(): Timeline {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  // The objects' list, not the printed rows' tables (as=Table) nor the one-pod read that checks the user may list them all.
  const list = resources.find((r) => /\/resources\/core\/v1\/pods(\?|$)/.test(r.name) && !/[?&](as|limit)=/.test(r.name));
  const scripts = resources.filter((r) => /\.m?js(\?|$)/.test(r.name));
  const w = window as unknown as { __benchLongTasks?: number[] };
  const named = resources.map((r) => ({ name: new URL(r.name).pathname + new URL(r.name).search.slice(0, 60), startMs: Math.round(r.startTime), endMs: Math.round(r.responseEnd) }));
  return {
    domContentLoadedMs: nav?.domContentLoadedEventEnd ?? Number.NaN,
    listRequest: list ? { startMs: list.startTime, endMs: list.responseEnd, kb: list.transferSize / 1024 } : undefined,
    lastScriptEndMs: Math.max(0, ...scripts.map((r) => r.responseEnd)),
    slowest: [...named].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs)).slice(0, 5),
    requests: [...named].sort((a, b) => a.startMs - b.startMs),
    longTasksMs: w.__benchLongTasks ?? [],
  };
}

interface FrameRun {
  frames: number;
  dropped: number;
  longestMs: number;
  p95Ms: number;
  scrolledPx: number;
}

/**
 * In the page: the list is ready when `main` holds data rows ([role=row] without column
 * headers; the workloads list puts them in a cdk-virtual-scroll-viewport), their scroll
 * container scrolls, and it holds the whole list (aria-rowcount, or a scroll height of at
 * least 20 px a pod). Times are from `since` (performance.now(); 0, the page's navigation start).
 */
function listReadyInPage({ expected, since = 0 }: { expected: number; since?: number }): ListReady | false {
  const w = window as unknown as { __bench?: { firstRowMs?: number; readyMs?: number; printed?: boolean } };
  const bench = (w.__bench ??= {});
  const main = document.querySelector('main');
  if (!main || !location.pathname.endsWith('/workloads/pods')) return false;
  const rows = [...main.querySelectorAll('[role=row]')].filter((r) => !r.querySelector('[role=columnheader]'));
  if (rows.length === 0) return false;
  bench.firstRowMs ??= performance.now() - since;
  let scroller: Element | null = rows[0] as Element;
  while (scroller && !(scroller.scrollHeight > scroller.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) scroller = scroller.parentElement;
  if (!scroller) return false;
  const declared = Number(main.querySelector('[aria-rowcount]')?.getAttribute('aria-rowcount') ?? Number.NaN) - 1;
  const complete = Number.isFinite(declared) ? declared >= expected : scroller.scrollHeight >= expected * 20;
  if (!complete) return false;
  bench.readyMs ??= performance.now() - since;
  // Printed rows first (the workloads list's note says so): wait for the pods themselves too.
  if (main.querySelector('[data-printed-rows]')) {
    bench.printed = true;
    return false;
  }
  scroller.setAttribute('data-bench-scroller', '');
  return { firstRowMs: bench.firstRowMs, readyMs: bench.readyMs, objectsMs: performance.now() - since, printed: bench.printed ?? false, rows: Number.isFinite(declared) ? declared : rows.length };
}

/** In the page: requestAnimationFrame gaps over `durationMs`, scrolling the list `stepPx` a frame (0: idle). */
function framesInPage({ durationMs, stepPx }: { durationMs: number; stepPx: number }): Promise<{ gaps: number[]; scrolledPx: number }> {
  const scroller = document.querySelector('[data-bench-scroller]') as HTMLElement;
  return new Promise((resolve) => {
    const gaps: number[] = [];
    let direction = 1;
    let scrolled = 0;
    let start = 0;
    let last = 0;
    const tick = (t: number) => {
      if (start === 0) start = last = t;
      else gaps.push(t - last);
      last = t;
      if (stepPx && scroller) {
        const before = scroller.scrollTop;
        scroller.scrollTop = before + direction * stepPx;
        if (scroller.scrollTop === before) direction = -direction;
        scrolled += Math.abs(scroller.scrollTop - before);
      }
      if (t - start < durationMs) requestAnimationFrame(tick);
      else resolve({ gaps, scrolledPx: scrolled });
    };
    requestAnimationFrame(tick);
  });
}

interface Interaction {
  /** ms from the click or keystroke to the frame after the rows changed. */
  ms: number;
  rows: number;
  /** Long tasks (ms) that started while it ran. */
  longTasksMs: number[];
  /** The floor in the same page: the engine's own sort of as many strings, or a filter over them. */
  baselineMs: number;
}

/**
 * In the page: sorts the list by a column (clicks its header) or filters it (types into the
 * filter box, as a person would), and waits until the rows on screen changed and one more frame
 * was drawn. Baseline: the engine's built-in Array sort, or a substring filter, over as many
 * strings as the list has rows, in the same page.
 */
function interactInPage(action: { sortBy?: string; filter?: string; expected: number }): Promise<Interaction> {
  const main = document.querySelector('main') as HTMLElement;
  const table = main.querySelector('[aria-rowcount]') as HTMLElement;
  const w = window as unknown as { __benchLongTasks?: number[] };
  const firstRow = () => [...main.querySelectorAll('[role=row]')].find((r) => !r.querySelector('[role=columnheader]'))?.textContent ?? '';
  const names = Array.from({ length: action.expected }, (_, i) => `bench-pod-${(i * 7919) % action.expected}-x`);
  const floorStarted = performance.now();
  if (action.sortBy) names.sort();
  else names.filter((n) => n.includes(action.filter as string));
  const baselineMs = performance.now() - floorStarted;
  const before = { first: firstRow(), count: table.getAttribute('aria-rowcount') };
  const tasksBefore = w.__benchLongTasks?.length ?? 0;
  const started = performance.now();
  if (action.sortBy) {
    const button = [...main.querySelectorAll('[role=columnheader] button')].find((b) => b.textContent?.trim() === action.sortBy) as HTMLButtonElement;
    button.click();
  } else {
    const input = main.querySelector('input[type=search]') as HTMLInputElement;
    input.value = action.filter as string;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  return new Promise((resolve, reject) => {
    const check = () => {
      const now = { first: firstRow(), count: table.getAttribute('aria-rowcount') };
      if (now.first !== before.first || now.count !== before.count) {
        requestAnimationFrame(() => resolve({ ms: performance.now() - started, rows: Number(now.count) - 1, longTasksMs: (w.__benchLongTasks ?? []).slice(tasksBefore), baselineMs }));
        return;
      }
      if (performance.now() - started > 20_000) reject(new Error(`the list did not change within 20 s of ${action.sortBy ? `sorting by ${action.sortBy}` : `filtering by ${action.filter}`}`));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

async function measureFrames(page: Page, stepPx: number): Promise<FrameRun> {
  const { gaps, scrolledPx } = await page.evaluate(framesInPage, { durationMs: 5000, stepPx });
  return { frames: gaps.length, dropped: gaps.filter((g) => g > FRAME_GAP_MS).length, longestMs: Math.max(0, ...gaps), p95Ms: percentile(gaps, 95), scrolledPx };
}

/** From the page's start on, the main thread's long tasks (ms) are kept in `window.__benchLongTasks`. */
async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __benchLongTasks: number[] };
    w.__benchLongTasks = [];
    new PerformanceObserver((list) => w.__benchLongTasks.push(...list.getEntries().map((e) => Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
  });
}

/** Opens the pods screen in `page` (a fresh profile) and waits for the whole list; undefined when it is not ready within LIST_TIMEOUT_MS. */
async function coldLoad(page: Page, cairn: Console, expected: number): Promise<ListReady | undefined> {
  await page.goto(`${cairn.gateway.url}/workloads/pods?cluster=${CLUSTER}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(listReadyInPage, { expected }, { polling: 'raf', timeout: LIST_TIMEOUT_MS }).catch(() => undefined);
  return handle ? ((await handle.jsonValue()) as ListReady) : undefined;
}

/** The navigations inside the console benchmark 4 times: what the person does, and where from. */
const IN_APP = {
  tab: 'after a click on the Pods tab (console open on Deployments)',
  back: 'back from a pod\'s page (the browser\'s Back, the list seen before)',
} as const;
type InAppWay = keyof typeof IN_APP;
/** A list ready after a navigation inside the console: its pods request (none when the list was kept) and long tasks, from the click. */
type InAppReady = ListReady & { listRequest?: Timeline['listRequest']; longTasksMs: number[] };

/**
 * The pods list after a navigation inside the console, in a fresh profile, as a person working in
 * it would: `tab`, the console opened on Deployments (shell and workloads module started), then a
 * click on the Pods tab; `back`, the pods list opened and complete, a click on its first pod,
 * then the browser's Back. Times are from the click (or Back); a string says why the list never
 * became ready.
 */
async function inAppLoad(browser: Browser, cairn: Console, token: string, expected: number, way: InAppWay): Promise<InAppReady | string> {
  const context = await signedInContext(browser, cairn, token);
  try {
    const page = await context.newPage();
    await observeLongTasks(page);
    let go: () => Promise<unknown>;
    if (way === 'tab') {
      await page.goto(`${cairn.gateway.url}/workloads/deployments?cluster=${CLUSTER}`, { waitUntil: 'load' });
      const tab = page.locator('nav.kind-tabs a', { hasText: /^\s*Pods\s*$/ });
      await tab.waitFor({ timeout: 20_000 });
      go = () => tab.click();
    } else {
      if (!(await coldLoad(page, cairn, expected))) return `the pods list was not ready within ${LIST_TIMEOUT_MS / 1000} s of opening it (${cairn.gateway.url})`;
      await page.locator('main [role=row] a').first().click();
      await page.waitForFunction(() => /\/workloads\/pods\/[^/]+\/[^/]+$/.test(location.pathname) && document.querySelector('main h1') !== null, undefined, { timeout: 20_000 });
      go = () => page.goBack({ waitUntil: 'commit' });
    }
    await sleep(1500);
    const { since, tasksBefore } = await page.evaluate(() => {
      const w = window as unknown as { __bench?: object; __benchLongTasks?: number[] };
      w.__bench = {};
      return { since: performance.now(), tasksBefore: w.__benchLongTasks?.length ?? 0 };
    });
    await go();
    const handle = await page.waitForFunction(listReadyInPage, { expected, since }, { polling: 'raf', timeout: LIST_TIMEOUT_MS }).catch(() => undefined);
    if (!handle) return `no rendered, scrollable list of ${expected}+ pods within ${LIST_TIMEOUT_MS / 1000} s ${IN_APP[way]} (${cairn.gateway.url})`;
    // The last pods request, from the click (none after it when the list was kept).
    const t = await page.evaluate(timelineInPage);
    const list = t.listRequest && t.listRequest.startMs >= since ? { startMs: t.listRequest.startMs - since, endMs: t.listRequest.endMs - since, kb: t.listRequest.kb } : undefined;
    return { ...((await handle.jsonValue()) as ListReady), listRequest: list, longTasksMs: t.longTasksMs.slice(tasksBefore) };
  } finally {
    await context.close();
  }
}

/**
 * Benchmark 4: the signed-in admin opens the pod list of every namespace with `uiPods` pods in
 * a fresh (cold-cache) headless Chromium profile, `uiRuns` times; then scrolls it; and the
 * initial JavaScript of the shell and of each remote on its own page, gzipped.
 */
export async function uiPodList(ctx: BenchContext): Promise<Figure[]> {
  const { options, log } = ctx;
  await ensurePods(ctx.admin, options.uiPods, log);
  const expected = Math.floor((await countOf(ctx.admin, '/api/v1/pods')) * 0.99);
  const cairn = await startConsole(ctx.cluster, { logsDir: join(ctx.runDir, 'logs'), withAuthService: true });
  // A second console serving an earlier build of the front ends, same cluster and gateway build.
  const before = options.uiBefore ? await startConsole(ctx.cluster, { logsDir: join(ctx.runDir, 'logs'), withAuthService: true, env: { CAIRN_WEB_ROOT: options.uiBefore } }).catch(async (err) => {
    await cairn.stop();
    throw err;
  }) : undefined;
  const beforeRuns: { cold: ListReady[] } & Record<InAppWay, ListReady[]> = { cold: [], tab: [], back: [] };
  let beforeFailure: string | undefined;
  const browser = await launchBrowser();
  const shots = join(ctx.runDir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const figures: Figure[] = [];
  const detail: Record<string, unknown> = { expectedRows: expected };
  ctx.details['ui'] = detail;
  try {
    // 1. Time to a rendered, scrollable list, against fetching and parsing the same list in the same page.
    const ready: ListReady[] = [];
    const dataMs: number[] = [];
    const timelines: Timeline[] = [];
    let scripts: LoadedScript[] = [];
    let frames: { scroll: FrameRun; idle: FrameRun } | undefined;
    /** Sorting and filtering, once in each run's page (one sample at a 100 ms target was within the machine's noise). */
    const interactions: { sort: Interaction[]; filter: Array<Interaction & { term: string }> } = { sort: [], filter: [] };
    let failure: string | undefined;
    // A user's browser is already running: warm Chromium's own processes up on the home page
    // first; every measured run still starts from an empty profile (cold HTTP cache).
    await warmUp(browser, cairn, ctx.adminToken);
    if (before) await warmUp(browser, before, ctx.adminToken);
    for (let run = 0; run < options.uiRuns && !failure; run++) {
      const context = await signedInContext(browser, cairn, ctx.adminToken);
      const page = await context.newPage();
      const scriptsOf = recordScripts(page);
      await observeLongTasks(page);
      try {
        const r = await coldLoad(page, cairn, expected);
        if (!r) {
          await page.screenshot({ path: join(shots, 'pod-list-not-ready.png'), fullPage: true }).catch(() => undefined);
          const seen = await page.evaluate(() => ({ rows: document.querySelectorAll('main [role=row]').length, text: (document.querySelector('main')?.textContent ?? '').replace(/\s+/g, ' ').slice(0, 160) })).catch(() => ({ rows: 0, text: '' }));
          failure = `no rendered, scrollable list of ${expected}+ pods within ${LIST_TIMEOUT_MS / 1000} s (${seen.rows} [role=row] in main; it says "${seen.text}"); screenshot ${join(shots, 'pod-list-not-ready.png')}`;
          if (run === 0) scripts = await scriptsOf();
          break;
        }
        ready.push(r);
        timelines.push(await page.evaluate(timelineInPage));
        log(`bench 4: run ${run + 1}: first rows at ${r.firstRowMs.toFixed(0)} ms, ${r.rows} rows ready at ${r.readyMs.toFixed(0)} ms${r.printed ? ' (printed rows)' : ''}, the pods themselves at ${r.objectsMs.toFixed(0)} ms`);
        await sleep(1000);
        if (run === 0) {
          scripts = await scriptsOf();
          await page.screenshot({ path: join(shots, 'pod-list.png') });
          frames = { idle: await measureFrames(page, 0), scroll: await measureFrames(page, 600) };
        }
        // Sorting and filtering the whole list, as a person would: by name, descending (a click on
        // the Name header), then the filter `bench-01` (the pods bench-01000 to bench-01999).
        await page.evaluate(() => (document.querySelector('[data-bench-scroller]') as HTMLElement).scrollTo({ top: 0 }));
        await sleep(500);
        interactions.sort.push(await page.evaluate(interactInPage, { sortBy: 'Name', expected }));
        await sleep(500);
        const term = 'bench-01';
        interactions.filter.push({ term, ...(await page.evaluate(interactInPage, { filter: term, expected })) });
        dataMs.push(
          await page.evaluate(async (path) => {
            const started = performance.now();
            const list = (await (await fetch(path, { headers: { Accept: 'application/json' } })).json()) as { items: unknown[] };
            if (!Array.isArray(list.items)) throw new Error('not a list');
            return performance.now() - started;
          }, `/api/v1/clusters/${CLUSTER}/resources/core/v1/pods`),
        );
      } finally {
        await context.close();
      }
      if (before && !failure && !beforeFailure) {
        const context = await signedInContext(browser, before, ctx.adminToken);
        try {
          const b = await coldLoad(await context.newPage(), before, expected);
          if (b) beforeRuns.cold.push(b);
          else beforeFailure = `no rendered, scrollable list of ${expected}+ pods within ${LIST_TIMEOUT_MS / 1000} s`;
        } finally {
          await context.close();
        }
      }
    }
    // 1b. The same list after a navigation inside the console (inAppLoad), each way.
    const inApp: Record<InAppWay, InAppReady[]> = { tab: [], back: [] };
    const inAppFailure: Partial<Record<InAppWay, string>> = {};
    for (const way of Object.keys(IN_APP) as InAppWay[]) {
      for (let run = 0; run < options.uiRuns && !failure && !inAppFailure[way]; run++) {
        const r = await inAppLoad(browser, cairn, ctx.adminToken, expected, way);
        if (typeof r === 'string') inAppFailure[way] = r;
        else {
          inApp[way].push(r);
          log(`bench 4: ${way} run ${run + 1}: first rows at ${r.firstRowMs.toFixed(0)} ms, ${r.rows} rows ready at ${r.readyMs.toFixed(0)} ms${r.printed ? ' (printed rows)' : ''}, the pods themselves at ${r.objectsMs.toFixed(0)} ms; the pods request ${r.listRequest ? `${r.listRequest.startMs.toFixed(0)}-${r.listRequest.endMs.toFixed(0)} ms` : 'none'}; long tasks ${r.longTasksMs.join(', ') || 'none'} ms`);
        }
        if (before && !inAppFailure[way] && !beforeFailure) {
          const b = await inAppLoad(browser, before, ctx.adminToken, expected, way);
          if (typeof b === 'string') beforeFailure = b;
          else beforeRuns[way].push(b);
        }
      }
    }
    detail['inAppRuns'] = inApp;
    if (before) detail['before'] = { webRoot: options.uiBefore, ...beforeRuns, failure: beforeFailure };
    detail['runs'] = ready;
    detail['dataFetchMs'] = dataMs;
    detail['timelines'] = timelines;
    detail['frames'] = frames;
    detail['interactions'] = interactions;
    if (failure) {
      figures.push(notMeasured(B, `time to a rendered, scrollable list of ${expected}+ pods`, failure));
    } else {
      const readyP50 = percentile(ready.map((r) => r.readyMs), 50);
      // The run nearest the median explains it; when the target is missed, one more run under Chromium's profiler says where the main thread's time went.
      const median = ready.reduce((best, r, i) => (Math.abs(r.readyMs - readyP50) < Math.abs((ready[best] as ListReady).readyMs - readyP50) ? i : best), 0);
      if (readyP50 >= READY_TARGET_MS) {
        log('bench 4: target missed; one more run under the page profiler');
        const context = await signedInContext(browser, cairn, ctx.adminToken);
        try {
          const page = await context.newPage();
          const cdp = await context.newCDPSession(page);
          await profilePage(cdp, join(ctx.runDir, 'profiles', 'ui'), async () => {
            await coldLoad(page, cairn, expected);
          });
        } finally {
          await context.close();
        }
        detail['profile'] = summarizeProfile(join(ctx.runDir, 'profiles', 'ui'));
      }
      const dataP50 = percentile(dataMs, 50);
      const firstP50 = percentile(ready.map((r) => r.firstRowMs), 50);
      const met = readyP50 < READY_TARGET_MS;
      figures.push(
        figure({
          benchmark: B,
          name: `time to a rendered, scrollable list of ${ready[0]?.rows ?? expected} pods (median of ${ready.length}, cold cache)`,
          unit: 'ms',
          value: readyP50,
          baseline: { label: 'the same list fetched + parsed in the page', value: dataP50 },
          target: '< 1 000 ms',
          met,
          reason: met ? undefined : `${explainSlowList(timelines[median], ready[median] as ListReady, dataP50)}; ${describeProfile(detail['profile'] as ProfileSummary | undefined, 'page')}`,
        }),
        figure({ benchmark: B, name: 'time to the first rows', unit: 'ms', value: firstP50, baseline: { label: 'the same list fetched + parsed in the page', value: dataP50 } }),
        figure({
          benchmark: B,
          name: `time to the list of the pods themselves (labels, selection, every column; ${ready.filter((r) => r.printed).length} of ${ready.length} runs showed the printed rows first)`,
          unit: 'ms',
          value: percentile(ready.map((r) => r.objectsMs), 50),
          baseline: { label: 'the same list fetched + parsed in the page', value: dataP50 },
        }),
      );
      if (before) {
        const label = `the --ui-before build (${options.uiBefore}), its runs alternating with these`;
        if (beforeFailure) figures.push(notMeasured(B, 'this build against --ui-before', `the --ui-before build: ${beforeFailure}`));
        for (const [what, mine, theirs] of [['opened cold', ready, beforeRuns.cold] as const, ...(Object.keys(IN_APP) as InAppWay[]).map((way) => [IN_APP[way], inApp[way], beforeRuns[way]] as const)]) {
          if (!mine.length || !theirs.length) continue;
          figures.push(
            figure({ benchmark: B, name: `this build against --ui-before: time to the complete list, ${what} (median of ${mine.length} and ${theirs.length})`, unit: 'ms', value: percentile(mine.map((r) => r.readyMs), 50), baseline: { label, value: percentile(theirs.map((r) => r.readyMs), 50) } }),
            figure({ benchmark: B, name: `this build against --ui-before: time to the first rows, ${what}`, unit: 'ms', value: percentile(mine.map((r) => r.firstRowMs), 50), baseline: { label, value: percentile(theirs.map((r) => r.firstRowMs), 50) } }),
            figure({ benchmark: B, name: `this build against --ui-before: time to the pods themselves, ${what}`, unit: 'ms', value: percentile(mine.map((r) => r.objectsMs), 50), baseline: { label, value: percentile(theirs.map((r) => r.objectsMs), 50) } }),
          );
        }
      }
      for (const way of Object.keys(IN_APP) as InAppWay[]) {
        const runs = inApp[way];
        const why = inAppFailure[way];
        if (why) figures.push(notMeasured(B, `time to a rendered, scrollable list of ${expected}+ pods ${IN_APP[way]}`, why));
        if (why || !runs.length) continue;
        const p50 = percentile(runs.map((r) => r.readyMs), 50);
        figures.push(
          figure({
            benchmark: B,
            name: `time to a rendered, scrollable list of ${runs[0]?.rows ?? expected} pods ${IN_APP[way]} (median of ${runs.length})`,
            unit: 'ms',
            value: p50,
            baseline: { label: 'the same list fetched + parsed in the page', value: dataP50 },
            target: '< 1 000 ms',
            met: p50 < READY_TARGET_MS,
            reason: `first rows at ${runs.map((r) => r.firstRowMs.toFixed(0)).join(', ')} ms; the pods themselves at ${runs.map((r) => r.objectsMs.toFixed(0)).join(', ')} ms${runs.some((r) => r.printed) ? ' (printed rows first)' : ''}; pods requests ${runs.map((r) => (r.listRequest ? `${r.listRequest.startMs.toFixed(0)}-${r.listRequest.endMs.toFixed(0)}` : 'none')).join(', ')} ms`,
          }),
        );
      }
      for (const [what, runs] of [
        ['sorting', interactions.sort],
        ['filtering', interactions.filter],
      ] as const) {
        if (runs.length === 0) continue;
        const ms = percentile(runs.map((i) => i.ms), 50);
        const longest = Math.max(0, ...runs.flatMap((i) => i.longTasksMs));
        const met = ms < INTERACTION_TARGET_MS && longest <= LONG_TASK_TARGET_MS;
        const each = `runs: ${runs.map((i) => i.ms.toFixed(0)).join(', ')} ms; longest task meanwhile ${longest} ms`;
        figures.push(
          figure({
            benchmark: B,
            name: `${what === 'sorting' ? `sorting ${expected}+ rows by name (click to the frame after the rows changed)` : `filtering ${expected}+ rows ("${interactions.filter[0]?.term}", ${runs[0]?.rows} left)`} (median of ${runs.length})`,
            unit: 'ms',
            value: ms,
            baseline: { label: what === 'sorting' ? `the engine's own sort of ${expected} strings, same page` : `a substring filter over ${expected} strings, same page`, value: percentile(runs.map((i) => i.baselineMs), 50) },
            target: '< 100 ms, no task > 200 ms',
            met,
            reason: each,
          }),
        );
      }
      const allLong = timelines.flatMap((t) => t.longTasksMs);
      figures.push(
        figure({
          benchmark: B,
          name: `longest task while the list loaded (${allLong.length} tasks over 50 ms in ${timelines.length} runs)`,
          unit: 'ms',
          value: Math.max(0, ...allLong),
          target: 'no task > 200 ms',
          met: Math.max(0, ...allLong) <= LONG_TASK_TARGET_MS,
          reason: `long tasks of the median run: ${(timelines[median]?.longTasksMs ?? []).join(', ')} ms`,
        }),
      );
      if (frames) {
        figures.push(
          figure({ benchmark: B, name: `frames over ${FRAME_GAP_MS} ms while scrolling 5 s (${frames.scroll.frames} frames, ${(frames.scroll.scrolledPx / 1000).toFixed(0)}k px)`, unit: 'frames', value: frames.scroll.dropped, baseline: { label: '5 s idle on the same page', value: frames.idle.dropped }, ratio: frames.idle.dropped ? undefined : Number.NaN }),
          figure({ benchmark: B, name: 'longest frame while scrolling', unit: 'ms', value: frames.scroll.longestMs, baseline: { label: 'longest idle frame', value: frames.idle.longestMs } }),
        );
      }
    }

    // 2. Initial JavaScript: the shell's from the pod list's load; each remote's on its own page.
    const manifest = (await (await fetch(`${cairn.gateway.url}/mfe-manifest.json`)).json()) as MfeManifest;
    detail['remotes'] = manifest.remotes.map((r) => ({ name: r.name, route: r.route }));
    for (const remote of manifest.remotes) {
      const owner = /\/remotes\/([^/]+)\//.exec(remote.remoteEntry)?.[1] ?? remote.name;
      if (scripts.some((s) => s.owner === owner)) continue;
      const context = await signedInContext(browser, cairn, ctx.adminToken);
      const page = await context.newPage();
      const scriptsOf = recordScripts(page);
      try {
        await page.goto(`${cairn.gateway.url}/${remote.route}?cluster=${CLUSTER}&ns=team-a`, { waitUntil: 'load' });
        await page.locator('main h1, main h2, main [role=alert]').first().waitFor({ timeout: 20_000 }).catch(() => undefined);
        await sleep(2000);
        scripts.push(...(await scriptsOf()).filter((s) => s.owner === owner));
      } finally {
        await context.close();
      }
    }
    detail['scripts'] = scripts;
    const shell = gzipTotal(scripts, 'shell');
    figures.push(
      figure({
        benchmark: B,
        name: `initial JS of the shell (${shell.files} files, ${(shell.bytes / KB).toFixed(0)} KB raw, sent as ${(shell.wireBytes / KB).toFixed(0)} KB ${shell.encodings}; shared Angular, RxJS, CDK included)`,
        unit: 'KB gz',
        value: shell.gzipBytes / KB,
        baseline: { label: 'budget', value: SHELL_BUDGET / KB },
        target: '≤ 250 KB gz',
        met: shell.files > 0 && shell.gzipBytes <= SHELL_BUDGET,
        reason: shell.files === 0 ? 'no shell JavaScript was recorded' : `largest: ${biggest(scripts, 'shell')}`,
      }),
    );
    for (const remote of manifest.remotes) {
      const owner = /\/remotes\/([^/]+)\//.exec(remote.remoteEntry)?.[1] ?? remote.name;
      const js = gzipTotal(scripts, owner);
      figures.push(
        figure({
          benchmark: B,
          name: `initial JS of ${owner} on /${remote.route} (${js.files} files, ${(js.bytes / KB).toFixed(0)} KB raw, sent as ${(js.wireBytes / KB).toFixed(0)} KB ${js.encodings})`,
          unit: 'KB gz',
          value: js.gzipBytes / KB,
          baseline: { label: 'budget', value: REMOTE_BUDGET / KB },
          target: '≤ 150 KB gz',
          met: js.files > 0 && js.gzipBytes <= REMOTE_BUDGET,
          reason: js.files === 0 ? `the page loaded no JavaScript of ${owner} (did the remote load?)` : `largest: ${biggest(scripts, owner)}`,
        }),
      );
    }
    return figures.map((f) => (f.met ? { ...f, reason: undefined } : f));
  } finally {
    await browser.close();
    await cairn.stop();
    await before?.stop();
  }
}

async function warmUp(browser: Browser, cairn: Console, token: string): Promise<void> {
  const context = await signedInContext(browser, cairn, token);
  try {
    const page = await context.newPage();
    await page.goto(`${cairn.gateway.url}/?cluster=${CLUSTER}`, { waitUntil: 'load' });
    await sleep(1000);
  } finally {
    await context.close();
  }
}

function explainSlowList(t: Timeline | undefined, r: ListReady, dataMs: number): string {
  if (!t) return 'no timeline recorded';
  const list = t.listRequest ? `the first pods request started at ${t.listRequest.startMs.toFixed(0)} ms and ended at ${t.listRequest.endMs.toFixed(0)} ms (${t.listRequest.kb.toFixed(0)} KB)` : 'no pods request was seen';
  const long = t.longTasksMs.length ? `${t.longTasksMs.length} long tasks (${t.longTasksMs.reduce((a, b) => a + b, 0)} ms, longest ${Math.max(...t.longTasksMs)} ms)` : 'no long task';
  return `first rows at ${r.firstRowMs.toFixed(0)} ms, complete at ${r.readyMs.toFixed(0)} ms; DOMContentLoaded ${t.domContentLoadedMs.toFixed(0)} ms, last script ${t.lastScriptEndMs.toFixed(0)} ms; ${list}; ${long} on the main thread; fetch + parse alone: ${dataMs.toFixed(0)} ms; slowest requests: ${t.slowest.map((s) => `${s.name} ${s.startMs}-${s.endMs} ms`).join(', ')}`;
}
