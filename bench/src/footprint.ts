import { request as httpRequest, ClientRequest } from 'node:http';
import { join } from 'node:path';
import { Cgroup, SEED_NAMESPACES } from '@cairn/kube-testenv';
import { CLUSTER, ensurePods, sessionCookie } from './bench-cluster';
import type { BenchContext } from './context';
import { figure, Figure } from './report';
import { bareNodeRss, RssSampler, Service, startConsole } from './services';
import { MiB, sleep, summarize } from './stats';
import { TimedClient } from './timed-get';

const B = '3 footprint';
const TARGET = 128 * MiB;
/** What deploy/docker/Dockerfile.* and the chart's config.heapPercentage (50) set. */
const HEAP_OPTIONS = '--max-old-space-size-percentage=50';
/** Issue 20's target for the pod's peak: headroom under the limit, so a burst does not reach the OOM killer. */
const POD_PEAK_TARGET = 110 * MiB;
/** A simulated user lists, then looks at the result for this long, like a person refreshing a busy page. */
const THINK_MS = 1000;
/** A user's request that takes longer than this is given up (and counted), so the run ends on time. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Benchmark 3: resident memory of the gateway and the auth service (the all-in-one pod) idle,
 * then under `users` simulated browser users, each signed in with their own session (a real ID
 * token of its own), listing pods and deployments of a namespace in a loop and holding one
 * watch stream on both.
 */
export async function footprint(ctx: BenchContext): Promise<Figure[]> {
  const { options, log } = ctx;
  await ensurePods(ctx.admin, options.listPods, log, 0);
  const bare = await bareNodeRss();
  log(`bench 3: signing ${options.users} users in at the dev OpenID provider`);
  const tokens: string[] = [];
  for (let i = 0; i < options.users; i++) tokens.push((await ctx.cluster.login('admin')).idToken);
  // Seed 001's layout (one process, apps/console) and the two-service layout, each in its own pod-sized cgroup, same load.
  const allInOne = await measure(ctx, 'all-in-one', tokens, bare);
  const twoServices = await measure(ctx, 'two services', tokens, bare);
  return [...allInOne, ...twoServices];
}

/** One layout of the console under the load: its processes, its cgroup, its figures. */
async function measure(ctx: BenchContext, layout: 'all-in-one' | 'two services', tokens: string[], bare: number): Promise<Figure[]> {
  const { options, log } = ctx;
  const label = layout === 'all-in-one' ? 'all-in-one console (one process)' : 'gateway + auth service (two processes)';
  // Seed 001's pod: the console under one 128 MiB memory limit, enforced by the kernel (where this machine allows it).
  const pod = Cgroup.available() ? Cgroup.create(layout === 'all-in-one' ? 'bench-footprint-one' : 'bench-footprint-two', { memoryBytes: TARGET }) : undefined;
  if (!pod) log('bench 3: no memory cgroup here (needs root and cgroup v1 at /sys/fs/cgroup/memory): measuring RSS only');
  // As the images and the chart run every process: V8's heap held to half the memory limit (config.heapPercentage).
  const cairn = await startConsole(ctx.cluster, { logsDir: join(ctx.runDir, 'logs'), withAuthService: true, allInOne: layout === 'all-in-one', cgroup: pod, env: { NODE_OPTIONS: HEAP_OPTIONS } }).catch(async (err: unknown) => {
    await pod?.remove();
    throw err;
  });
  const services: Service[] = [cairn.gateway, ...(cairn.auth ? [cairn.auth] : [])];
  const streams: ClientRequest[] = [];
  try {
    const users = await Promise.all(
      tokens.map(async (token, i) => {
        // 50 people, 50 identities: the gateway's per-identity limits (requests a second, open streams) are each person's,
        // so each simulated user has a session of their own name (the API server sees the dev admin's token behind all of them).
        const cookie = await sessionCookie(cairn.sessionKey, token, `bench-user-${i}@cairn.test`);
        return { headers: { Cookie: `${cookie.name}=${cookie.value}`, Accept: 'application/json' }, namespace: SEED_NAMESPACES[i % SEED_NAMESPACES.length] as string };
      }),
    );
    // Idle: started, every code path touched once (Node loads lazily), then left alone.
    const first = users[0] as (typeof users)[number];
    for (const path of ['/auth/session', `/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=team-a`]) {
      const res = await fetch(`${cairn.gateway.url}${path}`, { headers: first.headers });
      if (!res.ok) throw new Error(`GET ${path} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      await res.arrayBuffer();
    }
    await sleep(5000);
    const idleCgroup = pod?.memory();
    const idle = services.map((s) => s.rss());
    const idleSum = idle.reduce((a, b) => a + b, 0);

    log(`bench 3 (${layout}): ${options.users} users for ${options.loadSeconds} s`);
    const sampler = new RssSampler(services);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let watchEvents = 0;
    let streamsOpen = 0;
    const deadline = Date.now() + options.loadSeconds * 1000;
    let timedOut = 0;
    const get = async (path: string, headers: Record<string, string>) => {
      const started = performance.now();
      const res = await fetch(`${cairn.gateway.url}${path}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => undefined);
      const body = await res?.arrayBuffer().catch(() => undefined);
      if (!res || !body) timedOut++;
      latencies.push(performance.now() - started);
      statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
    };
    // Baseline for the users' lists: the same kind of list straight from the API server, at the same moment.
    const direct = new TimedClient(new URL(ctx.cluster.info.server), { Authorization: `Bearer ${ctx.adminToken}` }, ctx.cluster.info.ca);
    const directLatencies: number[] = [];
    const probe = (async () => {
      while (Date.now() < deadline) {
        directLatencies.push((await direct.get('/api/v1/namespaces/team-a/pods')).total);
        await sleep(500);
      }
    })();
    let metrics: Record<string, number> = {};
    const midway = sleep((options.loadSeconds * 1000) / 2).then(async () => (metrics = await gatewayMetrics(cairn.gateway.url)));
    const gatewayUrl = new URL(cairn.gateway.url);
    await Promise.all(
      users.map(async (user, i) => {
        await sleep((i * THINK_MS) / users.length);
        await get('/auth/session', user.headers);
        const ns = encodeURIComponent(user.namespace);
        const subscriptions = ['pods', 'deployments'].map((resource) => ({ id: resource, cluster: CLUSTER, group: resource === 'pods' ? 'core' : 'apps', version: 'v1', resource, namespace: user.namespace }));
        const stream = httpRequest({ host: gatewayUrl.hostname, port: gatewayUrl.port, path: `/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, headers: { ...user.headers, Accept: 'text/event-stream' }, agent: false }, (res) => {
          if (res.statusCode === 200) streamsOpen++;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (watchEvents += chunk.split('event: watch').length - 1));
        });
        stream.on('error', () => undefined);
        stream.end();
        streams.push(stream);
        for (let round = 0; Date.now() < deadline; round++) {
          await get(`/api/v1/clusters/${CLUSTER}/resources/core/v1/pods?namespace=${ns}`, user.headers);
          await get(`/api/v1/clusters/${CLUSTER}/resources/apps/v1/deployments?namespace=${ns}`, user.headers);
          if (round % 10 === 9) await get('/auth/session', user.headers);
          await sleep(THINK_MS);
        }
      }),
    );
    await Promise.all([probe, midway]);
    direct.close();
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
    ctx.details[`footprint ${layout}`] = {
      users: options.users,
      seconds: options.loadSeconds,
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
      gatewayMetricsMidway: metrics,
      streamsOpen,
      watchEvents,
      cgroup: pod ? { limit: TARGET, idle: idleCgroup, loaded: loadedCgroup, killed } : 'not available on this machine',
    };
    const userLatency = summarize(latencies);
    const directList = summarize(directLatencies);
    const slow = userLatency.p95 > 10 * directList.p95;
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
          name: `${label} in a 128 MiB memory cgroup: peak charge under ${options.users} users (${failed} of ${requests} requests failed; ${loadedCgroup.oomKills} OOM kills; memory.failcnt ${loadedCgroup.failcnt}; ${streamsOpen} watch streams)`,
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
        name: `${label}: users' requests under load, p95 (${requests} requests)`,
        unit: 'ms',
        value: userLatency.p95,
        baseline: { label: "a namespace's pods straight from the API server, same moment", value: directList.p95 },
        reason: slow ? `requests queued in the gateway (${metrics['cairn_gateway_upstream_watches'] ?? '?'} upstream watches open); ${timedOut} timed out after ${REQUEST_TIMEOUT_MS / 1000} s` : undefined,
      }),
    );
    return figures;
  } finally {
    for (const s of streams) s.destroy();
    await cairn.stop();
    await pod?.remove();
  }
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
