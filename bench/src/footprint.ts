import { request as httpRequest, ClientRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readUpstreamTiming } from '@cairn/api-contracts';
import { Cgroup, freePort, SEED_NAMESPACES } from '@cairn/kube-testenv';
import { BENCH_NAMESPACE, CLUSTER, ensurePods, sessionCookie } from './bench-cluster';
import type { BenchContext } from './context';
import { describeProfile, InspectorProfiler, summarizeProfile } from './profile';
import { figure, Figure, notMeasured } from './report';
import { bareNodeRss, RssSampler, Service, startConsole } from './services';
import { MiB, sleep, summarize } from './stats';
import { TimedClient } from './timed-get';

const B = '3 footprint';
const TARGET = 128 * MiB;
/** What deploy/docker/Dockerfile.* and the chart's config.heapPercentage (50) set. */
const HEAP_OPTIONS = '--max-old-space-size-percentage=50';
/** What the images and the chart set beside it: glibc's malloc gives back blocks of 32 KiB and more, and trims its heap above 1 MiB free. */
const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '32768', MALLOC_TRIM_THRESHOLD_: '1048576' };
/** Issue 20's target for the pod's peak: headroom under the limit, so a burst does not reach the OOM killer. */
const POD_PEAK_TARGET = 110 * MiB;
/** A simulated user looks at each page of the list for this long before asking for the next. */
const THINK_MS = 1000;
/** Pods per page, as the console asks for them. */
const PAGE = 500;
/** A user's request that takes longer than this is given up (and counted), so the run ends on time. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Benchmark 3: the console in seed 001's pod (a 128 MiB memory cgroup; and once more with
 * 100m of CPU, cpu.cfs_quota_us) idle, then under `users` simulated browser users, each
 * signed in with their own session (a real ID token of its own), each following one
 * container's log, listing the bench namespace's pods 500 at a time through every page,
 * opening a watch stream on its pods (from the list's resourceVersion, as the console does) and
 * deployments, and listing every page again (issue 20:
 * the load Headlamp was measured under). The baseline is the same 500-pod page straight from
 * the API server at the same moment.
 */
export async function footprint(ctx: BenchContext): Promise<Figure[]> {
  const { options, log } = ctx;
  await ensurePods(ctx.admin, options.listPods, log, 0);
  const bare = await bareNodeRss();
  log(`bench 3: signing ${options.users} users in at the dev OpenID provider`);
  const tokens: string[] = [];
  for (let i = 0; i < options.users; i++) tokens.push((await ctx.cluster.login('admin')).idToken);
  // Seed 001's layout (one process, apps/console) and the two-service layout, each in its own pod-sized cgroup, same load.
  // Before/after in one run: the earlier build first, measured and profiled under the same load.
  const before: Figure[] = [];
  if (options.footprintBefore) {
    const build = { main: options.footprintBefore };
    before.push(...(await measure(ctx, 'all-in-one', tokens, bare, undefined, undefined, build)));
    const why = await profiled(ctx, tokens, bare, build);
    before.push(notMeasured(B, `BEFORE (${options.footprintBefore}): profiled run of the same load (not a measurement)`, why));
  }
  const allInOne = await measure(ctx, 'all-in-one', tokens, bare);
  // A target missed: the same load once more on the same pod, CPU-profiled (inspector) and with process.memoryUsage() sampled,
  // to say where the time and the memory went (a run of its own: the profiler's cost is not in the figures above).
  // With --footprint-profile=1, always (the profile of a met run says what is left to cut).
  const missed = allInOne.filter((f) => f.met === false);
  if (missed.length || options.footprintProfile) {
    const why = await profiled(ctx, tokens, bare);
    for (const f of missed) f.reason = `${f.reason ?? ''}; ${why}`;
    if (!missed.length) allInOne.push(notMeasured(B, 'all-in-one console (one process), profiled run of the same load (--footprint-profile=1; not a measurement)', why));
  }
  // A setting judged side by side before it is shipped: the same build, the same load, these variables added.
  const variant = options.footprintEnv ? await measure(ctx, 'all-in-one', tokens, bare, undefined, undefined, undefined, options.footprintEnv) : [];
  if (options.footprintLayouts < 3) return [...before, ...allInOne, ...variant];
  // Seed 001's CPU limit too: the same load with the process held to 100m.
  const slowCpu = await measure(ctx, 'all-in-one', tokens, bare, 100);
  const twoServices = await measure(ctx, 'two services', tokens, bare);
  return [...before, ...allInOne, ...variant, ...slowCpu, ...twoServices];
}

/** One layout of the console under the load: its processes, its cgroup, its figures. */
async function measure(
  ctx: BenchContext,
  layout: 'all-in-one' | 'two services',
  tokens: string[],
  bare: number,
  cpuMillicores?: number,
  diagnose?: { profileDir: string; memoryFile: string },
  build?: { main: string },
  variant?: Record<string, string>,
): Promise<Figure[]> {
  const { options, log } = ctx;
  const label = `${build ? `BEFORE (${build.main}): ` : ''}${variant ? `VARIANT (${Object.entries(variant).map(([k, v]) => `${k}=${v}`).join(' ')}): ` : ''}${layout === 'all-in-one' ? 'all-in-one console (one process)' : 'gateway + auth service (two processes)'}${cpuMillicores ? ` at ${cpuMillicores}m CPU` : ''}${diagnose ? ', profiled' : ''}`;
  // Seed 001's pod: the console under one 128 MiB memory limit (and a CPU quota), enforced by the kernel (where this machine allows it).
  const pod = Cgroup.available() ? Cgroup.create(`bench-footprint-${layout === 'all-in-one' ? 'one' : 'two'}${cpuMillicores ? `-${cpuMillicores}m` : ''}`, { memoryBytes: TARGET, ...(cpuMillicores ? { cpuMillicores } : {}) }) : undefined;
  if (!pod) log('bench 3: no memory cgroup here (needs root and cgroup v1 at /sys/fs/cgroup/memory): measuring RSS only');
  // As the images and the chart run every process: V8's heap held to half the memory limit (config.heapPercentage).
  let cairn: Awaited<ReturnType<typeof startConsole>>;
  const inspectPort = diagnose ? await freePort() : 0;
  try {
    cairn = await startConsole(ctx.cluster, {
      logsDir: join(ctx.runDir, 'logs'),
      withAuthService: true,
      allInOne: layout === 'all-in-one',
      cgroup: pod,
      env: { ...MALLOC_ENV, ...variant, NODE_OPTIONS: [HEAP_OPTIONS, variant?.['NODE_OPTIONS']].filter(Boolean).join(' '), ...(diagnose ? { CAIRN_BENCH_MEMORY_FILE: diagnose.memoryFile } : {}) },
      ...(diagnose ? { gatewayFlags: ['--require', join(__dirname, 'memory-sampler.js'), `--inspect=127.0.0.1:${inspectPort}`] } : {}),
      ...build,
    });
  } catch (err) {
    // A layout that cannot even start inside the pod's limits is a result, not a crash of the benchmark.
    const charge = pod?.memory();
    await pod?.remove();
    return [notMeasured(B, `${label} in a 128 MiB memory cgroup`, `did not start inside the cgroup (${(err as Error).message.split(';')[0]}; the kernel charged up to ${charge ? (charge.maxUsage / MiB).toFixed(0) : '?'} MiB, ${charge?.oomKills ?? '?'} OOM kills)`)];
  }
  const services: Service[] = [cairn.gateway, ...(cairn.auth ? [cairn.auth] : [])];
  const streams: ClientRequest[] = [];
  const clients: TimedClient[] = [];
  try {
    const users = await Promise.all(
      tokens.map(async (token, i) => {
        // 50 people, 50 identities: the gateway's per-identity limits (requests a second, open streams) are each person's,
        // so each simulated user has a session of their own name (the API server sees the dev admin's token behind all of them).
        const cookie = await sessionCookie(cairn.sessionKey, token, `bench-user-${i}@cairn.test`);
        const headers = { Cookie: `${cookie.name}=${cookie.value}`, Accept: 'application/json' };
        const client = new TimedClient(new URL(cairn.gateway.url), { ...headers, 'Accept-Encoding': 'gzip' });
        clients.push(client);
        return { headers, client, namespace: SEED_NAMESPACES[i % SEED_NAMESPACES.length] as string };
      }),
    );
    // Idle: started, every code path touched once (Node loads lazily), then left alone.
    const first = users[0] as (typeof users)[number];
    for (const path of ['/auth/session', `/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=team-a`]) {
      const res = await fetch(`${cairn.gateway.url}${path}`, { headers: first.headers });
      if (!res.ok) {
        // A layout whose processes do not survive their start inside the pod is this layout's result, not the run's end.
        const charge = pod?.memory();
        const gone = services.filter((s) => s.exited).map((s) => s.name);
        return [notMeasured(B, `${label} in a 128 MiB memory cgroup`, `started, but GET ${path} answered HTTP ${res.status} (${(await res.text()).slice(0, 120)}); ${gone.length ? `${gone.join(' and ')} gone; ` : ''}the kernel charged up to ${charge ? (charge.maxUsage / MiB).toFixed(0) : '?'} MiB, ${charge?.oomKills ?? '?'} OOM kills`)];
      }
      await res.arrayBuffer();
    }
    await sleep(5000);
    const idleCgroup = pod?.memory();
    const idle = services.map((s) => s.rss());
    const idleSum = idle.reduce((a, b) => a + b, 0);

    log(`bench 3 (${label}): ${options.users} users, each following a log and listing ${BENCH_NAMESPACE}'s pods ${PAGE} at a time, twice, around a watch stream`);
    const sampler = new RssSampler(services);
    // The profiled run: sampled from the start of the load to its end (see InspectorProfiler).
    const profiler = diagnose ? await InspectorProfiler.start(inspectPort) : undefined;
    const latencies: number[] = [];
    const pageLatencies: number[] = [];
    /** Per page, the gateway's Server-Timing: ms until the API server's response headers (the rest is the body on its way). */
    const pageUpstream: number[] = [];
    const statuses = new Map<number, number>();
    let watchEvents = 0;
    let streamsOpen = 0;
    let logsOpen = 0;
    let logBytes = 0;
    let timedOut = 0;
    let done = false;
    const timeoutMs = cpuMillicores ? REQUEST_TIMEOUT_MS * 4 : REQUEST_TIMEOUT_MS;
    // Each simulated user asks through a client of its own, the same as the direct probe's (node:http, a kept-alive
    // connection, gzip accepted, timed to the last byte): the two sides differ only in the path the page takes. The
    // body is decompressed and parsed (for the next page's continue token) after the clock stops, as the client's work.
    const get = async (path: string, client: TimedClient) => {
      const answer = await client.get(path, { keepBody: true, timeoutMs }).catch(() => undefined);
      if (!answer) timedOut++;
      const ms = answer?.total ?? timeoutMs;
      latencies.push(ms);
      statuses.set(answer?.status ?? 0, (statuses.get(answer?.status ?? 0) ?? 0) + 1);
      // The gateway's Server-Timing: from the request's arrival until the API server's response headers.
      const timing = answer?.headers['server-timing'];
      const upstream = readUpstreamTiming(typeof timing === 'string' ? timing : undefined);
      const text = answer?.status === 200 && answer.body ? (answer.encoding === 'gzip' ? gunzipSync(answer.body) : answer.body).toString('utf8') : undefined;
      return { ms, upstream, json: text ? (JSON.parse(text) as { metadata?: { continue?: string; resourceVersion?: string } }) : undefined };
    };
    // Baseline: the same 500-pod page straight from the API server, at the same moments.
    // Asked as the users' clients ask the gateway (gzip accepted, the same client code), so both sides get the same bytes.
    const direct = new TimedClient(new URL(ctx.cluster.info.server), { Authorization: `Bearer ${ctx.adminToken}`, 'Accept-Encoding': 'gzip' }, ctx.cluster.info.ca);
    const directLatencies: number[] = [];
    /** The direct page's time to its response headers, to set beside the gateway's Server-Timing. */
    const directAnswered: number[] = [];
    // The same probe through the gateway, at the same moment as each direct one: the same client code (bytes counted, nothing
    // decompressed or parsed), a session of its own, so the two differ only in the path the page takes.
    const probeCookie = await sessionCookie(cairn.sessionKey, tokens[0] as string, 'bench-probe@cairn.test');
    const viaGateway = new TimedClient(new URL(cairn.gateway.url), { Cookie: `${probeCookie.name}=${probeCookie.value}`, 'Accept-Encoding': 'gzip' });
    const probedLatencies: number[] = [];
    const probe = (async () => {
      while (!done) {
        const [answer, probed] = await Promise.all([
          direct.get(`/api/v1/namespaces/${BENCH_NAMESPACE}/pods?limit=${PAGE}`),
          viaGateway.get(`/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=${BENCH_NAMESPACE}&limit=${PAGE}`, { timeoutMs }).catch(() => undefined),
        ]);
        directLatencies.push(answer.total);
        directAnswered.push(answer.ttfb);
        if (probed?.status === 200) probedLatencies.push(probed.total);
        await sleep(500);
      }
    })();
    let metrics: Record<string, number> = {};
    const gatewayUrl = new URL(cairn.gateway.url);
    const open = (path: string, headers: Record<string, string>, onData: (chunk: string) => void, onOpen: () => void) => {
      const stream = httpRequest({ host: gatewayUrl.hostname, port: gatewayUrl.port, path, headers, agent: false }, (res) => {
        if (res.statusCode === 200) onOpen();
        res.setEncoding('utf8');
        res.on('data', onData);
      });
      stream.on('error', () => undefined);
      stream.end();
      streams.push(stream);
    };
    // One container each to follow: the seed's team-a pods, whose logs keep growing.
    const podList = (await get(`/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=team-a&labelSelector=${encodeURIComponent('app.kubernetes.io/name=web')}`, first.client)).json as { items?: Array<{ metadata: { name: string } }> } | undefined;
    const logPods = (podList?.items ?? []).map((p) => p.metadata.name);
    /** Lists every page; resolves with the list's resourceVersion (every page of one list is the same snapshot). */
    const everyPage = async (client: TimedClient): Promise<string | undefined> => {
      let token: string | undefined;
      let resourceVersion: string | undefined;
      do {
        const page = await get(`/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=${BENCH_NAMESPACE}&limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`, client);
        pageLatencies.push(page.ms);
        if (Number.isFinite(page.upstream)) pageUpstream.push(page.upstream);
        token = page.json?.metadata?.continue || undefined;
        resourceVersion ??= page.json?.metadata?.resourceVersion;
        await sleep(THINK_MS);
      } while (token);
      return resourceVersion;
    };
    let apiServerConnections: Record<string, number> = {};
    const midway = sleep(Math.min(options.loadSeconds * 1000, 20_000)).then(async () => {
      const port = Number(new URL(ctx.cluster.info.server).port);
      apiServerConnections = Object.fromEntries(services.map((s) => [s.name, s.exited ? 0 : s.tcpConnectionsTo(port)]));
      metrics = await gatewayMetrics(cairn.gateway.url);
    });
    await Promise.all(
      users.map(async (user, i) => {
        await sleep((i * THINK_MS) / users.length);
        await get('/auth/session', user.client);
        const pod = logPods[i % Math.max(logPods.length, 1)];
        if (pod) open(`/api/v1/clusters/${CLUSTER}/namespaces/team-a/pods/${pod}/log?container=web&follow=true&tailLines=10`, user.headers, (chunk) => (logBytes += chunk.length), () => logsOpen++);
        // As the console's live list does (data-access live-list.ts): the pods are watched from the
        // resourceVersion of the list just read, so the watch sends changes, not all 5 000 pods
        // again; the deployments (a handful, not listed here) from now.
        const listed = await everyPage(user.client);
        const subscriptions = [
          { id: 'pods', cluster: CLUSTER, group: 'core', version: 'v1', resource: 'pods', namespace: BENCH_NAMESPACE, ...(listed ? { resourceVersion: listed } : {}) },
          { id: 'deployments', cluster: CLUSTER, group: 'apps', version: 'v1', resource: 'deployments', namespace: BENCH_NAMESPACE },
        ];
        open(`/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { ...user.headers, Accept: 'text/event-stream' }, (chunk) => (watchEvents += chunk.split('event: watch').length - 1), () => streamsOpen++);
        await everyPage(user.client);
        await get('/auth/session', user.client);
      }),
    );
    done = true;
    if (profiler && diagnose) {
      // A console OOM-killed mid-run leaves no profile; the run's figures still stand (the kill among them).
      await profiler.stop(diagnose.profileDir, 'load').catch((err: Error) => log(`bench 3 (${label}): no CPU profile: ${err.message}`));
    }
    await Promise.all([probe, midway]);
    direct.close();
    viaGateway.close();
    const loaded = sampler.stop();
    const loadedCgroup = pod?.memory();
    const killed = services.filter((s) => s.exited).map((s) => s.name);
    const alive = <T>(read: () => T, dead: T): T => {
      try {
        return read();
      } catch {
        return dead; // the process is gone (killed in its cgroup): its /proc entry with it
      }
    };
    const loadedParts = services.map((s) => alive(() => s.rssParts(), { anon: 0, file: 0 }));
    const pssEnd = services.reduce((sum, s) => sum + alive(() => s.pss(), 0), 0);
    const rssEnd = loaded.last.reduce((a, b) => a + b, 0);
    const peakSum = loaded.peakSum;
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
    const failed = requests - (statuses.get(200) ?? 0);
    ctx.details[`footprint ${label}`] = {
      users: options.users,
      cpuMillicores: cpuMillicores ?? 'unlimited',
      pageLatencyMs: summarize(pageLatencies),
      pageUntilApiServerAnsweredMs: summarize(pageUpstream),
      logsOpen,
      logBytes,
      thinkMs: THINK_MS,
      bareNodeRss: bare,
      idle: Object.fromEntries(services.map((s, i) => [s.name, idle[i]])),
      peak: { ...Object.fromEntries(services.map((s, i) => [s.name, loaded.peak[i]])), sum: peakSum },
      loadedParts: Object.fromEntries(services.map((s, i) => [s.name, loadedParts[i]])),
      end: { rssSum: rssEnd, pssSum: pssEnd },
      requests,
      timedOut,
      statuses: Object.fromEntries(statuses),
      latencyMs: summarize(latencies),
      directLatencyMs: summarize(directLatencies),
      directUntilAnsweredMs: summarize(directAnswered),
      probedThroughGatewayMs: summarize(probedLatencies),
      gatewayMetricsMidway: metrics,
      /** TCP connections each process held to the API server midway through the load. */
      apiServerConnectionsMidway: apiServerConnections,
      streamsOpen,
      watchEvents,
      cgroup: pod ? { limit: TARGET, idle: idleCgroup, loaded: loadedCgroup, killed } : 'not available on this machine',
    };
    const userLatency = summarize(latencies);
    const pages = summarize(pageLatencies);
    const directList = summarize(directLatencies);
    const answered = summarize(pageUpstream);
    const directAnswer = summarize(directAnswered);
    const probed = summarize(probedLatencies);
    const slow = userLatency.p95 > 10 * directList.p95;
    const pageMet = pages.p95 <= 1.5 * directList.p95;
    const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
    const parts = services
      .map((s, i) => (killed.includes(s.name) ? `${s.name} killed before the end of the load` : `${s.name} ${mib(loaded.peak[i] ?? 0)} (anonymous ${mib(loadedParts[i]?.anon ?? 0)}: V8 heap and buffers; file-backed ${mib(loadedParts[i]?.file ?? 0)}: node binary and libraries)`))
      .join(', ');
    const figures: Figure[] = [];
    if (pod && idleCgroup && loadedCgroup) {
      const podMet = loadedCgroup.maxUsage <= POD_PEAK_TARGET && loadedCgroup.oomKills === 0 && killed.length === 0 && failed === 0;
      figures.push(
        figure({
          benchmark: B,
          name: `${label} in a 128 MiB memory cgroup: peak charge under ${options.users} users (${failed} of ${requests} requests failed; ${loadedCgroup.oomKills} OOM kills; memory.failcnt ${loadedCgroup.failcnt}; ${streamsOpen} watch streams, ${logsOpen} followed logs)`,
          unit: 'MiB',
          value: loadedCgroup.maxUsage / MiB,
          baseline: { label: 'the pod idle', value: idleCgroup.usage / MiB },
          target: '≤ 110 MiB, 0 OOM kills, 0 failed requests',
          met: podMet,
          reason: podMet
            ? undefined
            : `the kernel charged up to ${mib(loadedCgroup.maxUsage)} (anonymous ${mib(loadedCgroup.rss)}, page cache ${mib(loadedCgroup.cache)} at the end); it hit the limit ${loadedCgroup.failcnt} times${loadedCgroup.oomKills ? ` and its OOM killer killed ${loadedCgroup.oomKills} process(es)` : ''}${killed.length ? ` (${killed.join(' and ')} gone)` : ''}; ${failed} requests failed; at peak ${parts}`,
        }),
        figure({ benchmark: B, name: `${label} in its 128 MiB memory cgroup: idle charge`, unit: 'MiB', value: idleCgroup.usage / MiB, baseline: { label: 'empty Node HTTP server RSS', value: bare / MiB }, target: '≤ 64 MiB', met: idleCgroup.usage <= 64 * MiB }),
      );
    }
    figures.push(
      figure({ benchmark: B, name: `${label}: RSS, peak under ${options.users} users (${requests} requests, ${failed} failed or timed out)`, unit: 'MiB', value: peakSum / MiB, baseline: { label: 'idle', value: idleSum / MiB } }),
      figure({ benchmark: B, name: `${label}: PSS at the end of the load (shared pages counted once)`, unit: 'MiB', value: pssEnd / MiB, baseline: { label: 'RSS at that moment', value: rssEnd / MiB } }),
      figure({
        benchmark: B,
        name: `${label}: a ${PAGE}-pod page under the load, p95 (${pageLatencies.length} pages; p50 ${pages.p50.toFixed(0)} ms vs ${directList.p50.toFixed(0)} ms direct; the API server had answered after p50 ${answered.p50.toFixed(0)} / p95 ${answered.p95.toFixed(0)} ms, by the gateway's Server-Timing, vs p50 ${directAnswer.p50.toFixed(0)} / p95 ${directAnswer.p95.toFixed(0)} ms direct)`,
        unit: 'ms',
        value: pages.p95,
        baseline: { label: `the same ${PAGE}-pod page straight from the API server, same moments`, value: directList.p95 },
        // The 1.5x target is for the memory-limited pod; at 100m CPU the ratio is reported (issue 20 asks for it, with no target).
        ...(cpuMillicores ? {} : { target: '≤ 1.5× direct', met: pageMet }),
        reason: slow || (!cpuMillicores && !pageMet) ? `requests queued in the gateway (${metrics['cairn_gateway_upstream_watches'] ?? '?'} upstream watches on ${Object.values(apiServerConnections).join(' + ') || '?'} connections to the API server midway); ${timedOut} timed out after ${timeoutMs / 1000} s; all requests p95 ${userLatency.p95.toFixed(0)} ms` : undefined,
      }),
      figure({
        benchmark: B,
        name: `${label}: the same ${PAGE}-pod page probed through the gateway at the same moments as the direct probe, same client (bytes counted, not decompressed or parsed), p95 (${probedLatencies.length} probes; p50 ${probed.p50.toFixed(0)} ms)`,
        unit: 'ms',
        value: probed.p95,
        baseline: { label: `the direct probe, same moments`, value: directList.p95 },
      }),
    );
    return figures;
  } finally {
    for (const s of streams) s.destroy();
    for (const client of clients) client.close();
    await cairn.stop();
    await pod?.remove();
  }
}

/**
 * The all-in-one pod under the same load once more, CPU-profiled through its inspector and with
 * process.memoryUsage() sampled every 250 ms (bench/src/memory-sampler.ts): where the CPU went
 * (self time by function, time by package anywhere on the stack) and what held the memory at
 * the peak (V8 heap used/total vs external and ArrayBuffers: Buffers, socket data).
 */
async function profiled(ctx: BenchContext, tokens: string[], bare: number, build?: { main: string }): Promise<string> {
  const profileDir = join(ctx.runDir, 'profiles', build ? 'footprint-before' : 'footprint');
  const memoryFile = join(profileDir, 'memory.jsonl');
  const figures = await measure(ctx, 'all-in-one', tokens, bare, undefined, { profileDir, memoryFile }, build);
  const profile = summarizeProfile(profileDir, 0, 25);
  type Sample = { at: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; gcMs: number; gcCount: number };
  const samples: Sample[] = existsSync(memoryFile)
    ? readFileSync(memoryFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Sample)
    : [];
  const peak = samples.reduce<Sample | undefined>((a, b) => (!a || b.rss > a.rss ? b : a), undefined);
  const max = (k: keyof Sample) => Math.max(0, ...samples.map((x) => x[k]));
  const gcMs = samples.reduce((a, b) => a + b.gcMs, 0);
  const spanS = ((samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0)) / 1000;
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  const memory = peak
    ? `at the RSS peak (${mib(peak.rss)}) V8 heap used ${mib(peak.heapUsed)} of ${mib(peak.heapTotal)}, external ${mib(peak.external)} (ArrayBuffers ${mib(peak.arrayBuffers)}); maxima: heap total ${mib(max('heapTotal'))}, external ${mib(max('external'))}, ArrayBuffers ${mib(max('arrayBuffers'))}; GC ${gcMs.toFixed(0)} ms in ${spanS.toFixed(0)} s (${samples.reduce((a, b) => a + b.gcCount, 0)} collections)`
    : 'no memory samples';
  ctx.details[`footprint profiled run${build ? ' BEFORE' : ''}`] = { figures, profile, memory: { peak, gcMs, spanS, samples: samples.length } };
  return `a profiled run of the same load (${figures.map((f) => `${f.value?.toFixed(0)} ${f.unit}`).join(', ')}): ${describeProfile(profile, 'console')}; by package on the stack: ${profile?.inclusiveByPart.map((x) => `${x.part} ${x.percent}%`).join(', ')}; ${memory}`;
}

/** The gateway's own gauges (Prometheus text from /metrics): upstream watches, subscriptions, requests in flight. */
async function gatewayMetrics(gatewayUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${gatewayUrl}/metrics`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.text().catch(() => '');
  const found: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^(cairn_gateway_upstream_watches|cairn_gateway_watch_subscriptions|\S*in_flight\S*)\s+([\d.e+-]+)$/.exec(line);
    if (m) found[m[1] as string] = Number(m[2]);
  }
  return found;
}
