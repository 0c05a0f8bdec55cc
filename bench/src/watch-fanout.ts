import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Cgroup } from '@cairn/kube-testenv';
import { BENCH_NAMESPACE, CLUSTER, ensurePods } from './bench-cluster';
import type { BenchContext } from './context';
import { describeProfile, summarizeProfile } from './profile';
import { figure, Figure } from './report';
import { RssSampler, startConsole } from './services';
import type { FromSubscribers, SubscriberJob, ToSubscribers } from './sse-subscribers';
import { MiB, nowMs, sleep, summarize } from './stats';

const B = '2 watch';
const LATENCY_TARGET_MS = 250;
const RSS_TARGET = 256 * MiB;
const CONFIGMAP = 'fanout';

interface FanoutRun {
  gateway: number[];
  direct: number[];
  perSubscriber: number[];
  errors: string[];
  clientLagP99Ms: number;
  produced: number;
  patchErrors: number;
  idleRss: number;
  peakRss: number;
  connectSeconds: number;
  /** The pod's memory cgroup at the end: its peak charge and OOM kills (absent where cgroups are not available). */
  pod?: { maxUsage: number; oomKills: number; failcnt: number };
}

/** Seed 001's pod: the all-in-one console in a 128 MiB memory cgroup, its heap at half of it (as the images set it). */
const POD_MEMORY = 128 * MiB;
const HEAP_OPTIONS = '--max-old-space-size-percentage=50';

/**
 * Benchmark 2: `subscribers` browser-like SSE streams on one console (the same credential, one
 * ConfigMap watched), `eventsPerSecond` patches of that ConfigMap, each stamped with the time
 * it was sent; one direct API-server watch receives the same events as the baseline. The
 * console is seed 001's pod where the machine allows it: the all-in-one process in a 128 MiB
 * memory cgroup (issue 20 item 6: fan-out stays met inside it).
 */
export async function watchFanout(ctx: BenchContext): Promise<Figure[]> {
  const { options, log } = ctx;
  await ensurePods(ctx.admin, options.listPods, log, 0);
  const run = await fanout(ctx, options.watchSeconds, undefined, Cgroup.available());
  const produced = run.produced;
  const expected = produced * options.subscribers;
  const gw = summarize(run.gateway);
  const direct = summarize(run.direct);
  const detail: Record<string, unknown> = {
    subscribers: options.subscribers,
    eventsPerSecond: options.eventsPerSecond,
    seconds: options.watchSeconds,
    produced,
    patchErrors: run.patchErrors,
    latencyMs: { gateway: gw, direct },
    delivered: { gateway: run.gateway.length, expected, direct: run.direct.length },
    leastPerSubscriber: Math.min(...run.perSubscriber),
    clientEventLoopLagP99Ms: run.clientLagP99Ms,
    rss: { idle: run.idleRss, peak: run.peakRss },
    pod: run.pod ?? 'no memory cgroup on this machine: the two-service gateway, unlimited',
    connectSeconds: run.connectSeconds,
    errors: run.errors,
  };
  ctx.details['watch'] = detail;

  const latencyMet = gw.p99 < LATENCY_TARGET_MS && run.gateway.length === expected && (run.pod?.oomKills ?? 0) === 0;
  const rssMet = run.peakRss < RSS_TARGET;
  let latencyReason: string | undefined;
  let rssReason: string | undefined;
  if (!latencyMet || !rssMet) {
    log('bench 2: a target missed; profiling the gateway over 10 s of the same load');
    const profiled = await fanout(ctx, 10, join(ctx.runDir, 'profiles', 'watch'));
    const profile = summarizeProfile(join(ctx.runDir, 'profiles', 'watch'), profiled.connectSeconds * 1000);
    detail['profile'] = profile;
    const lost = expected - run.gateway.length;
    latencyReason = latencyMet
      ? undefined
      : `${lost > 0 ? `${lost} of ${expected} deliveries never arrived; ` : ''}p99 ${gw.p99.toFixed(0)} ms vs ${direct.p99.toFixed(0)} ms direct (the benchmark's own reader lagged ${run.clientLagP99Ms.toFixed(0)} ms at p99); ${describeProfile(profile)}`;
    rssReason = rssMet ? undefined : `peak ${(run.peakRss / MiB).toFixed(0)} MiB with ${options.subscribers} streams (idle ${(run.idleRss / MiB).toFixed(0)} MiB); ${describeProfile(profile)}`;
  }
  const directBaseline = (v: number) => ({ label: 'one direct API-server watch', value: v });
  return [
    figure({ benchmark: B, name: `delivery latency p99, ${options.subscribers} SSE subscribers, ${options.eventsPerSecond} events/s${run.pod ? `, the all-in-one console in a 128 MiB memory cgroup (peak charge ${(run.pod.maxUsage / MiB).toFixed(0)} MiB, ${run.pod.oomKills} OOM kills)` : ''}`, unit: 'ms', value: gw.p99, baseline: directBaseline(direct.p99), target: `< ${LATENCY_TARGET_MS} ms, none lost`, met: latencyMet, reason: latencyReason }),
    figure({ benchmark: B, name: 'delivery latency p50', unit: 'ms', value: gw.p50, baseline: directBaseline(direct.p50) }),
    figure({ benchmark: B, name: `deliveries received (of ${expected})`, unit: '%', value: (run.gateway.length / Math.max(expected, 1)) * 100, baseline: directBaseline((run.direct.length / Math.max(produced, 1)) * 100) }),
    figure({ benchmark: B, name: `gateway RSS, peak with ${options.subscribers} streams`, unit: 'MiB', value: run.peakRss / MiB, baseline: { label: 'same gateway idle', value: run.idleRss / MiB }, target: '< 256 MiB', met: rssMet, reason: rssReason }),
  ];
}

async function fanout(ctx: BenchContext, seconds: number, profileDir?: string, inPod = false): Promise<FanoutRun> {
  const { options, log } = ctx;
  await ctx.admin.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIGMAP, namespace: BENCH_NAMESPACE }, data: { seq: '0', sentAt: '0' } });
  const spawned = Date.now();
  // The subscribers share one credential, so one upstream watch fans out to all of them: the
  // path measured here. The per-person cap on open streams (CAIRN_MAX_STREAMS_PER_USER, 20) would
  // refuse all but 20 of them, so this run opens it to the subscriber count; the cap has its own test.
  const pod = inPod ? Cgroup.create('bench-fanout', { memoryBytes: POD_MEMORY }) : undefined;
  const cairn = await startConsole(ctx.cluster, {
    logsDir: join(ctx.runDir, 'logs'),
    gatewayFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    ...(pod ? { allInOne: true, withAuthService: true, cgroup: pod } : {}),
    env: { CAIRN_MAX_STREAMS_PER_USER: String(options.subscribers + 10), CAIRN_USER_REQUEST_RATE: String(Math.max(50, options.subscribers * 2)), ...(pod ? { NODE_OPTIONS: HEAP_OPTIONS } : {}) },
  }).catch(async (err: unknown) => {
    await pod?.remove();
    throw err;
  });
  const patch = (seq: number) =>
    ctx.admin.json('PATCH', `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps/${CONFIGMAP}`, { data: { seq: String(seq), sentAt: nowMs().toFixed(1) } }, 'application/merge-patch+json');
  let worker: Worker | undefined;
  try {
    await sleep(2000);
    const idleRss = cairn.gateway.rss();
    const sampler = new RssSampler([cairn.gateway]);
    const subscription = [{ id: 'fanout', cluster: CLUSTER, group: 'core', version: 'v1', resource: 'configmaps', namespace: BENCH_NAMESPACE, fieldSelector: `metadata.name=${CONFIGMAP}` }];
    const job: SubscriberJob = {
      gateway: { url: cairn.gateway.url, path: `/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscription))}` },
      direct: { url: ctx.cluster.info.server, path: `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${CONFIGMAP}`)}`, ca: ctx.cluster.info.ca },
      headers: { Authorization: `Bearer ${ctx.adminToken}` },
      count: options.subscribers,
    };
    const w = new Worker(join(__dirname, 'sse-subscribers.js'), { workerData: job });
    worker = w;
    const messages: FromSubscribers[] = [];
    let wake: (() => void) | undefined;
    w.on('message', (m: FromSubscribers) => {
      messages.push(m);
      wake?.();
    });
    w.on('error', (err) => log(`bench 2: subscriber thread failed: ${err.message}`));
    const waitFor = async <T extends FromSubscribers['type']>(type: T, timeoutMs: number, accept: (m: Extract<FromSubscribers, { type: T }>) => boolean = () => true) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => m.type === type && accept(m as Extract<FromSubscribers, { type: T }>));
        if (found) return found as Extract<FromSubscribers, { type: T }>;
        if (Date.now() > deadline) return undefined;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
    };
    const connectStarted = Date.now();
    const connected = await waitFor('connected', 60_000, (m) => m.count + m.failed >= options.subscribers);
    if (!connected || connected.count < options.subscribers) {
      const last = messages.filter((m) => m.type === 'connected').at(-1) as { count: number; failed: number } | undefined;
      throw new Error(`only ${last?.count ?? 0} of ${options.subscribers} SSE subscribers connected (${last?.failed ?? 0} refused); see ${cairn.gateway.logFile}`);
    }
    // Warm up: the upstream watch is shared and opened by the first subscriber; measure once an event reaches everyone.
    let warm = false;
    for (let k = 1; k <= 30 && !warm; k++) {
      w.postMessage({ type: 'warmup-seq', seq: -k } satisfies ToSubscribers);
      await patch(-k);
      warm = (await waitFor('warm', 1000)) !== undefined;
    }
    if (!warm) throw new Error(`warm-up events did not reach all ${options.subscribers} subscribers and the direct watch within 30 s`);
    const connectSeconds = (Date.now() - spawned) / 1000;
    log(`bench 2: ${options.subscribers} subscribers connected in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s; ${options.eventsPerSecond} events/s for ${seconds} s`);

    const interval = 1000 / options.eventsPerSecond;
    const total = Math.round(seconds * options.eventsPerSecond);
    let patchErrors = 0;
    const pending: Array<Promise<unknown>> = [];
    const t0 = performance.now();
    for (let seq = 1; seq <= total; seq++) {
      const due = t0 + (seq - 1) * interval - performance.now();
      if (due > 0) await sleep(due);
      pending.push(patch(seq).catch(() => patchErrors++));
    }
    await Promise.all(pending);
    await sleep(3000);
    w.postMessage({ type: 'stop' } satisfies ToSubscribers);
    const results = await waitFor('results', 30_000);
    const rss = sampler.stop();
    if (!results) throw new Error('the subscriber thread sent no results');
    const charged = pod?.memory();
    return { ...results, produced: total - patchErrors, patchErrors, idleRss, peakRss: rss.peak[0] ?? 0, connectSeconds, ...(charged ? { pod: { maxUsage: charged.maxUsage, oomKills: charged.oomKills, failcnt: charged.failcnt } } : {}) };
  } finally {
    await worker?.terminate();
    await cairn.stop();
    await pod?.remove();
  }
}
