import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { DevCluster, repoRoot } from '@cairn/kube-testenv';
import { startBenchCluster } from './bench-cluster';
import { BenchContext, FULL, Options, SMALL } from './context';
import { footprint } from './footprint';
import { listOverhead } from './list-overhead';
import { logsFollow } from './logs-follow';
import { markdownTable, notMeasured, RunReport, writeReport, Figure } from './report';
import { uiPodList } from './ui-pod-list';
import { watchFanout } from './watch-fanout';

/** In the order they run: the pod count only grows (5 000 for 1-3, 10 000 for 4). */
const BENCHMARKS: Array<{ key: string; title: string; run: (ctx: BenchContext) => Promise<Figure[]> }> = [
  { key: 'list', title: '1 list', run: listOverhead },
  { key: 'watch', title: '2 watch', run: watchFanout },
  { key: 'footprint', title: '3 footprint', run: footprint },
  { key: 'ui', title: '4 UI', run: uiPodList },
  { key: 'logs', title: '5 logs', run: logsFollow },
];

const USAGE = `npm run bench [-- --small] [--only=list,watch,footprint,ui,logs]

Runs Cairn's benchmarks against a real control plane (kube-testenv) and the built console
(dist/), prints a Markdown table and writes bench/results/<time>.json and .md.
  --small       small sizes, for trying the scripts out (seconds, not minutes)
  --only=...    some of the benchmarks
  --<size>=N    one size, e.g. --list-pods=2000 --subscribers=100 --log-seconds=20
                (list-pods, list-runs, subscribers, events-per-second, watch-seconds, users,
                load-seconds, ui-pods, ui-runs, log-lines-per-second, log-seconds;
                footprint-profile=1: benchmark 3 always adds its profiled run;
                footprint-layouts=1: benchmark 3 measures only the all-in-one console at full CPU)
  --footprint-before=<main.js>  benchmark 3 first measures and profiles this other build of the
                all-in-one console (an earlier commit's), for a before/after in one run
  --footprint-env=NAME=value[,NAME=value]  benchmark 3 measures the all-in-one console once more
                with these environment variables added (NODE_OPTIONS is appended), same run
  --ui-before=<web root>  benchmark 4 also serves these front ends (another build's dist/apps)
                from a second console and alternates its page loads with this build's`;

function parseOptions(args: string[]): Options {
  if (args.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const options: Options = { ...(args.includes('--small') ? SMALL : FULL) };
  for (const arg of args) {
    if (arg === '--small') continue;
    const only = /^--only=(.+)$/.exec(arg)?.[1];
    if (only) {
      options.only = only.split(',');
      const unknown = options.only.filter((k) => !BENCHMARKS.some((b) => b.key === k));
      if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.key).join(', ')}`);
      continue;
    }
    const before = /^--footprint-before=(.+)$/.exec(arg)?.[1];
    if (before) {
      options.footprintBefore = before;
      continue;
    }
    const uiBefore = /^--ui-before=(.+)$/.exec(arg)?.[1];
    if (uiBefore) {
      if (!existsSync(join(uiBefore, 'shell', 'browser', 'index.html'))) throw new Error(`--ui-before: ${uiBefore} has no shell/browser/index.html; give a copy of a build's dist/apps`);
      options.uiBefore = resolve(uiBefore);
      continue;
    }
    const env = /^--footprint-env=(.+)$/.exec(arg)?.[1];
    if (env) {
      options.footprintEnv = parseEnvList(env);
      continue;
    }
    const size = /^--([a-z-]+)=(\d+)$/.exec(arg);
    const key = size?.[1]?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Options | undefined;
    if (size && key && typeof options[key] === 'number') {
      (options as unknown as Record<string, number>)[key] = Number(size[2]);
      continue;
    }
    throw new Error(`unknown argument ${arg}\n\n${USAGE}`);
  }
  return options;
}

/** `A=1,B=x y` → {A: '1', B: 'x y'}; throws naming the entry that is not NAME=value. */
export function parseEnvList(list: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list.split(',')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(entry);
    if (!match) throw new Error(`--footprint-env: "${entry}" is not NAME=value (entries are separated by commas)`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(repoRoot(), 'bench', 'results');
  const runDir = join(resultsDir, stamp);
  mkdirSync(runDir, { recursive: true });
  const t0 = Date.now();
  const log = (line: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  for (const app of ['gateway', 'auth-service']) {
    if (!existsSync(join(repoRoot(), 'dist/apps', app, 'main.js'))) throw new Error(`dist/apps/${app}/main.js is missing: npm run bench builds it; or run npx nx build ${app}`);
  }

  const selected = BENCHMARKS.filter((b) => !options.only || options.only.includes(b.key));
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  let cluster: DevCluster | undefined;
  const stopOnSignal = () => {
    void cluster?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    log('starting the dev cluster');
    cluster = await startBenchCluster(Math.max(options.listPods, options.uiPods), log);
    const ctx: BenchContext = {
      cluster,
      admin: cluster.adminApi(),
      adminToken: (await cluster.login('admin')).idToken,
      options,
      runDir,
      log,
      details,
    };
    for (const bench of selected) {
      log(`benchmark ${bench.title}`);
      const benchStarted = Date.now();
      try {
        figures.push(...(await bench.run(ctx)));
      } catch (err) {
        log(`benchmark ${bench.title} failed: ${(err as Error).stack ?? String(err)}`);
        figures.push(notMeasured(bench.title, '(whole benchmark)', (err as Error).message.split('\n')[0] as string));
      }
      log(`benchmark ${bench.title} took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
    }
    ctx.admin.close();
  } finally {
    log('stopping the dev cluster');
    await cluster?.stop();
  }

  const report: RunReport = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: (Date.now() - t0) / 1000,
    options,
    machine: { cpus: cpus().length, node: process.version, platform: process.platform },
    figures,
    details,
  };
  const files = writeReport(resultsDir, stamp, report);
  console.log(`\n${markdownTable(figures)}\n`);
  const missed = figures.filter((f) => f.met === false).length;
  const unmeasured = figures.filter((f) => f.value === undefined).length;
  console.log(`${figures.filter((f) => f.met === true).length} targets met, ${missed} missed, ${unmeasured} not measured; ${Math.round(report.durationSeconds)} s.`);
  console.log(`Results: ${files.json}\n         ${files.markdown}\n         ${runDir}/ (service logs, CPU profiles, screenshots)`);
  process.exit(0);
}
