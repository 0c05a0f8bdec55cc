import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebSocket } from 'ws';
import { encodeUserCluster, UserCluster } from './clusters/user-clusters';
import { gatewayAgainst, TestGateway } from './testing/gateway-against';
import { HostileUpstream, startHostileUpstream } from './testing/hostile-upstream';
import { WatchHub } from './watch/watch-hub';

/**
 * The gateway's trust boundary (issue 19), tried as an attacker would, against real HTTPS
 * servers on 127.0.0.1 that misbehave on purpose (testing/hostile-upstream.ts): one stands
 * for the console's configured cluster (it checks bearer tokens), the other for a cluster a
 * user adds. The gateway runs in this process, so its memory is this process's memory.
 *
 * Memory bound stated here: while the hostile upstream sends a 512 MiB endless line and a
 * 512 MiB body, the process's resident memory grows by less than MEMORY_BOUND.
 */
const MEMORY_BOUND = 160 * 1024 * 1024;
const SESSION_KEY = 's'.repeat(48);

describe('trust boundary (hostile upstream)', () => {
  let configured: HostileUpstream;
  let hostile: HostileUpstream;
  let gateway: NestFastifyApplication;
  let base: string;
  let test: TestGateway;

  beforeAll(async () => {
    configured = await startHostileUpstream({ users: { 'good-token': 'alice', 'bob-token': 'bob' } });
    hostile = await startHostileUpstream({ users: {} });
    test = await gatewayAgainst(configured, {
      CAIRN_SESSION_KEY: SESSION_KEY,
      CAIRN_MAX_BODY_BYTES: '1Mi',
      CAIRN_MAX_LINE_BYTES: '1Mi',
      CAIRN_MAX_UPSTREAM_BODY_BYTES: '8Mi',
      CAIRN_MAX_STREAMS_PER_USER: '3',
      CAIRN_MAX_WATCHES_PER_USER: '4',
      CAIRN_MAX_FOLLOWED_LOGS_PER_USER: '2',
      CAIRN_MAX_REPLAY_BYTES: '1Mi',
      // Low enough that 300 quick requests cross it (burst 40).
      CAIRN_SOURCE_REQUEST_RATE: '10',
    });
    ({ gateway, base } = test);
  }, 60_000);

  afterAll(async () => {
    await test?.close();
    await configured?.stop();
    await hostile?.stop();
  });

  const call = async (method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + path, { method, headers, body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
    const text = await res.text();
    let json: (Record<string, unknown> & { message?: string }) | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json ?? {}, text };
  };

  const entry = (overrides: Partial<UserCluster> = {}) => encodeUserCluster({ server: hostile.url, ca: hostile.ca, insecureSkipTlsVerify: false, token: 'whatever', ...overrides });
  const userCluster = (overrides: Partial<UserCluster> = {}) => ({ 'x-cairn-cluster': entry(overrides) });

  /** Reads an SSE stream until `until` says enough (or `ms` pass), then closes it. */
  const sse = async (path: string, headers: Record<string, string>, until: (text: string) => boolean, ms = 10_000) => {
    const abort = new AbortController();
    const res = await fetch(base + path, { headers, signal: abort.signal });
    let text = '';
    const deadline = Date.now() + ms;
    if (res.status !== 200) return { status: res.status, text: await res.text(), close: () => abort.abort() };
    const reader = res.body?.getReader();
    // One read in flight at a time, kept across the polls: a chunk is never dropped.
    let pending: ReturnType<NonNullable<typeof reader>['read']> | undefined;
    while (reader && Date.now() < deadline && !until(text)) {
      pending ??= reader.read();
      const chunk = await Promise.race([pending, new Promise<undefined>((r) => setTimeout(r, 250))]);
      if (!chunk) continue;
      pending = undefined;
      if (chunk.done) break;
      if (chunk.value) text += Buffer.from(chunk.value).toString('utf8');
    }
    return { status: res.status, text, close: () => abort.abort() };
  };

  /** Requests (and streams) the gateway holds open now, not counting the one that asks. */
  const inFlight = async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    return Number(/^cairn_gateway_http_requests_in_flight (\d+)$/m.exec(metrics)?.[1] ?? NaN) - 1;
  };
  /** Waits until the gateway has let go of all but `open` requests and every watch subscription. */
  const settled = async (open = 0, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    const now = async () => ({ inFlight: await inFlight(), subscribers: gateway.get(WatchHub).stats().subscribers });
    while (JSON.stringify(await now()) !== JSON.stringify({ inFlight: open, subscribers: 0 }) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await now()).toEqual({ inFlight: open, subscribers: 0 });
  };

  const watchPath = (resource: string, cluster = 'user:hostile', namespace = 'x') =>
    `/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify([{ id: 'w', cluster, group: 'core', version: 'v1', resource, namespace }]))}`;

  /** Samples this process's RSS while `run` runs; resolves with the peak growth in bytes. */
  const peakGrowth = async (run: () => Promise<void>) => {
    const start = process.memoryUsage().rss;
    let peak = start;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      await run();
    } finally {
      clearInterval(timer);
    }
    return Math.max(peak, process.memoryUsage().rss) - start;
  };

  describe('no anonymous relay', () => {
    it('answers an anonymous caller, or one with a made-up bearer, 401 and opens no connection to the cluster it names', async () => {
      const before = hostile.connections;
      for (const token of [undefined, 'made-up']) {
        for (const path of ['/api/v1/clusters/user:hostile/status', '/api/v1/clusters/user:hostile/whoami', '/api/v1/clusters/user:hostile/resources/core/v1/pods?namespace=x']) {
          const res = await call('GET', path, { token, headers: userCluster() });
          expect({ path, token, status: res.status, message: res.json.message }).toEqual({ path, token, status: 401, message: 'Sign in first: a user-added cluster is only for signed-in users.' });
        }
        const check = await call('POST', '/api/v1/clusters/check-kubeconfig', { token, body: { kubeconfig: 'contexts: []' } });
        expect(check.status).toBe(401);
        const watch = await sse(watchPath('pods'), { ...userCluster(), ...(token ? { authorization: `Bearer ${token}` } : {}) }, (t) => t.includes('"ERROR"'));
        expect(watch.text).toContain('Sign in first');
        watch.close();
      }
      expect(hostile.connections).toBe(before);
    });

    it('lets a signed-in caller (a bearer the configured cluster accepts) use it', async () => {
      const res = await call('GET', '/api/v1/clusters/user:hostile/status', { token: 'good-token', headers: userCluster() });
      expect(res.json).toMatchObject({ reachable: true, version: 'v0.0.0-hostile' });
    });

    it('names API servers only to a verified caller, never for any Authorization header', async () => {
      const junk = (await call('GET', '/api/v1/clusters', { token: 'made-up' })).json as unknown as Array<{ server?: string }>;
      expect(junk).toEqual([{ name: 'main', source: 'kubeconfig' }]);
      const alice = (await call('GET', '/api/v1/clusters', { token: 'good-token' })).json as unknown as Array<{ server?: string }>;
      expect(alice).toEqual([expect.objectContaining({ name: 'main', server: configured.url })]);
    });

    it('answers Origin: null on a change made with the session cookie with 403, not 500', async () => {
      const session: Session = { v: 1, issuedAt: Math.floor(Date.now() / 1000), oidc: { token: 'good-token', expiresAt: Math.floor(Date.now() / 1000) + 300, user: { name: 'alice' } } };
      const cookie = `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`;
      const res = await call('POST', '/api/v1/clusters/main/resources/apps/v1/deployments/web/scale?namespace=x', { body: { replicas: 1 }, headers: { cookie, origin: 'null', 'x-cairn-csrf': '1' } });
      expect({ status: res.status, message: res.json.message }).toEqual({ status: 403, message: 'Requests from "null" may not change anything here.' });
      // The same cookie sent twice (one planted by a sibling subdomain) is no session at all.
      const twice = await call('GET', '/api/v1/clusters/main/whoami', { headers: { cookie: `${cookie}; ${cookie}` } });
      expect(twice.status).toBe(401);
    });
  });

  describe('a user-added cluster that misbehaves', () => {
    const alice = { authorization: 'Bearer good-token' };

    it('gives a terminal no redirect to follow, and reads an endless refusal only to its bound', async () => {
      const terminal = (pod: string) =>
        new Promise<{ messages: Array<{ type: string; status?: number; message?: string }>; code: number }>((resolve, reject) => {
          const messages: Array<{ type: string; status?: number; message?: string }> = [];
          const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/clusters/user:hostile/namespaces/x/pods/${pod}/exec?command=sh`, { headers: { ...alice, ...userCluster() } });
          socket.on('message', (data: Buffer, binary) => (binary ? undefined : messages.push(JSON.parse(data.toString('utf8')))));
          socket.once('unexpected-response', (_req, res) => reject(new Error(`refused before the upgrade: ${res.statusCode}`)));
          socket.once('close', (code) => resolve({ messages, code }));
        });
      const before = hostile.requests.length;
      const redirect = await terminal('redirect');
      expect(redirect.messages).toEqual([{ type: 'error', status: 502, message: 'Cluster user:hostile answered the terminal with a redirect (HTTP 302), which Cairn does not follow.' }]);
      let endless: Awaited<ReturnType<typeof terminal>> | undefined;
      const growth = await peakGrowth(async () => {
        endless = await terminal('endless');
      });
      expect(endless?.messages).toEqual([expect.objectContaining({ type: 'error', status: 403 })]);
      expect(growth).toBeLessThan(MEMORY_BOUND);
      // Two upgrades reached the hostile server, and nothing else: the redirect was not followed.
      expect(hostile.requests.slice(before)).toEqual(['GET /api/v1/namespaces/x/pods/redirect/exec?command=sh&stdin=true&stdout=true&stderr=false&tty=true', expect.stringMatching(/^GET \/api\/v1\/namespaces\/x\/pods\/endless\/exec/)]);
    });

    it(`keeps the gateway's memory growth under ${MEMORY_BOUND / 1024 / 1024} MiB while the upstream sends a 512 MiB endless line and a 512 MiB body`, async () => {
      let watchText = '';
      let bodyStatus = 0;
      let bodyMessage: string | undefined;
      const growth = await peakGrowth(async () => {
        const watch = await sse(watchPath('endless-line'), { ...alice, ...userCluster() }, (t) => t.includes('"ERROR"'), 30_000);
        watchText = watch.text;
        watch.close();
        const body = await call('GET', '/api/v1/clusters/user:hostile/resources/core/v1/configmaps/huge?namespace=x', { headers: { ...alice, ...userCluster() } });
        bodyStatus = body.status;
        bodyMessage = body.json.message;
      });
      expect(watchText).toContain('longer than 1048576 bytes, the bound on one watch event or log line (CAIRN_MAX_LINE_BYTES)');
      expect({ bodyStatus, bodyMessage }).toEqual({ bodyStatus: 502, bodyMessage: expect.stringContaining('larger than 8388608 bytes, the bound on what Cairn reads whole (CAIRN_MAX_UPSTREAM_BODY_BYTES)') });
      expect(growth).toBeLessThan(MEMORY_BOUND);
    }, 60_000);

    it('refuses a redirect, invalid JSON and a 429 storm with a clear status, never a 500', async () => {
      const get = (name: string) => call('GET', `/api/v1/clusters/user:hostile/resources/core/v1/configmaps/${name}?namespace=x`, { headers: { ...alice, ...userCluster() } });
      const redirect = await get('redirect');
      expect({ status: redirect.status, message: redirect.json.message }).toEqual({ status: 502, message: expect.stringContaining('redirect (HTTP 302), which Cairn does not follow') });
      const garbage = await get('garbage');
      expect({ status: garbage.status, message: garbage.json.message }).toEqual({ status: 502, message: 'Cluster user:hostile answered with something that is not JSON.' });
      // An upstream 429 on a read is retried after its Retry-After (1 s here), twice, then passed on.
      const stormRequests = () => hostile.requests.filter((r) => r.includes('/configmaps/storm')).length;
      const before = stormRequests();
      const started = Date.now();
      const storm = await get('storm');
      expect(storm.status).toBe(429);
      expect(stormRequests() - before).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      // The redirect's target was never dialled: it is not even an allowed address.
    }, 30_000);

    it('refuses a list in an encoding Cairn did not ask for, instead of relaying bytes the browser cannot read', async () => {
      const list = (resource: string, acceptEncoding: string) =>
        call('GET', `/api/v1/clusters/user:hostile/resources/core/v1/${resource}?namespace=encoded`, { headers: { ...alice, ...userCluster(), 'accept-encoding': acceptEncoding } });
      // Asked for gzip (the browser accepts it), answered in br.
      const pods = await list('pods', 'gzip, deflate, br');
      expect({ status: pods.status, message: pods.json.message }).toEqual({ status: 502, message: 'Cluster user:hostile answered with Content-Encoding br, which Cairn did not ask for.' });
      // Secrets are never asked compressed (they are read whole and redacted).
      const secrets = await list('secrets', 'gzip');
      expect({ status: secrets.status, message: secrets.json.message }).toEqual({ status: 502, message: 'Cluster user:hostile answered with Content-Encoding br, which Cairn did not ask for.' });
      expect(hostile.requests.filter((r) => r.includes('/namespaces/encoded/')).length).toBe(2);
    }, 30_000);

    it('gives up on a body that drips in, instead of holding the request open', async () => {
      const started = Date.now();
      const drip = await call('GET', '/api/v1/clusters/user:hostile/status', { headers: { ...alice, ...userCluster() } });
      expect(drip.json).toMatchObject({ reachable: true });
      const res = await fetch(`${base}/api/v1/clusters/user:hostile/resources/core/v1/configmaps/drip?namespace=x`, { headers: { ...alice, ...userCluster() }, signal: AbortSignal.timeout(90_000) });
      expect(res.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(75_000);
    }, 100_000);

    it('bounds the request body and the streams one identity may hold open, naming each bound', async () => {
      const big = await call('POST', '/api/v1/clusters/check-kubeconfig', { token: 'good-token', rawBody: JSON.stringify({ kubeconfig: 'x'.repeat(1024 * 1024 + 10) }) });
      expect({ status: big.status, message: big.json.message }).toEqual({ status: 413, message: expect.stringContaining('(1048576 bytes, the request-body bound CAIRN_MAX_BODY_BYTES)') });
      const open = [];
      for (let i = 0; i < 3; i++) open.push(await sse(watchPath('secrets'), { ...alice, ...userCluster({ token: `t${i}` }) }, (t) => t.includes('"ADDED"')));
      const fourth = await sse(watchPath('secrets'), { ...alice, ...userCluster({ token: 't9' }) }, () => true);
      expect({ status: fourth.status, text: JSON.parse(fourth.text).message }).toEqual({ status: 429, text: expect.stringContaining('at most 3 are allowed per user (CAIRN_MAX_STREAMS_PER_USER)') });
      for (const s of open) s.close();
      fourth.close();
      // The gateway sees the tabs go and gives their places back.
      await settled();
    }, 30_000);
  });

  describe('per-identity and fan-out bounds', () => {
    const alice = { authorization: 'Bearer good-token' };
    const logPath = (pod: string, follow: boolean) => `/api/v1/clusters/user:hostile/namespaces/x/pods/${pod}/log${follow ? '?follow=true' : ''}`;

    it('refuses the upstream watch past CAIRN_MAX_WATCHES_PER_USER with an ERROR for that subscription, keeping the others', async () => {
      const subscriptions = Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, cluster: 'user:hostile', group: 'core', version: 'v1', resource: 'secrets', namespace: `ns${i}` }));
      const stream = await sse(`/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { ...alice, ...userCluster({ token: 'watches' }) }, (t) => t.includes('CAIRN_MAX_WATCHES_PER_USER') && (t.match(/"ADDED"/g) ?? []).length >= 4);
      stream.close();
      expect((stream.text.match(/"ADDED"/g) ?? []).length).toBe(4);
      expect(stream.text).toContain('"id":"s4","type":"ERROR","status":429');
      expect(stream.text).toContain('at most 4 are allowed per user (CAIRN_MAX_WATCHES_PER_USER)');
      await settled();
    }, 30_000);

    it('refuses a followed log past CAIRN_MAX_FOLLOWED_LOGS_PER_USER with a 429, and counts it again once one ends', async () => {
      const aborts = [new AbortController(), new AbortController()];
      const open = await Promise.all(aborts.map((a, i) => fetch(base + logPath(`p${i}`, true), { headers: { ...alice, ...userCluster() }, signal: a.signal })));
      expect(open.map((r) => r.status)).toEqual([200, 200]);
      const third = await call('GET', logPath('p2', true), { headers: { ...alice, ...userCluster() } });
      expect({ status: third.status, message: third.json.message }).toEqual({ status: 429, message: expect.stringContaining('at most 2 are allowed per user (CAIRN_MAX_FOLLOWED_LOGS_PER_USER)') });
      // A log that is not followed is not counted.
      expect((await call('GET', logPath('p3', false), { headers: { ...alice, ...userCluster() } })).text).toBe('hello from p3\n');
      aborts[0]?.abort();
      // Once the gateway has let the first go (one followed log left open), a place is free again.
      await settled(1);
      const again = await fetch(base + logPath('p4', true), { headers: { ...alice, ...userCluster() }, signal: aborts[0] ? AbortSignal.timeout(5000) : undefined }).catch(() => undefined);
      expect(again?.status).toBe(200);
      aborts[1]?.abort();
      await again?.body?.cancel().catch(() => undefined);
      await settled();
    }, 30_000);

    it('follows at most CAIRN_MAX_MERGED_LOG_STREAMS containers of a workload with 2 000 of them, and says so', async () => {
      const before = hostile.requests.filter((r) => r.includes('/log')).length;
      const merged = await call('GET', '/api/v1/clusters/user:hostile/namespaces/x/workloads/apps/v1/deployments/many/logs', { headers: { ...alice, ...userCluster({ token: 'merged' }) } });
      expect(merged.status).toBe(200);
      const lines = merged.text.trim().split('\n').map((l) => JSON.parse(l) as { notice?: string; line?: string });
      expect(lines[0]?.notice).toBe('following 40 of 2000 containers, the bound on one merged log (CAIRN_MAX_MERGED_LOG_STREAMS)');
      expect(lines.filter((l) => l.line)).toHaveLength(40);
      expect(hostile.requests.filter((r) => r.includes('/log')).length - before).toBe(40);
    }, 30_000);

    it('keeps at most CAIRN_MAX_REPLAY_BYTES of events per watch: a subscriber that asks for older ones gets its own upstream, not a replay', async () => {
      const watchRequests = () => hostile.requests.filter((r) => r.includes('/namespaces/replay/configmaps') && r.includes('watch=1')).length;
      const hub = gateway.get(WatchHub);
      const headers = { ...alice, ...userCluster({ token: 'replay' }) };
      const first = await sse(watchPath('configmaps', 'user:hostile', 'replay'), headers, (t) => t.includes('"resourceVersion":"50"'));
      expect(watchRequests()).toBe(1);
      const upstreams = hub.stats().upstreams;
      // 50 events of 100 KiB: with a 1 MiB bound only the last ten are kept, so resourceVersion 5 is not.
      const from = (rv: string) => `/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify([{ id: 'w', cluster: 'user:hostile', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'replay', resourceVersion: rv }]))}`;
      const recent = await sse(from('45'), headers, (t) => t.includes('"resourceVersion":"50"'));
      expect(hub.stats().upstreams).toBe(upstreams);
      expect((recent.text.match(/"ADDED"/g) ?? []).length).toBe(5);
      const old = await sse(from('5'), headers, (t) => t.includes('"resourceVersion":"50"'));
      expect(hub.stats().upstreams).toBe(upstreams + 1);
      expect(watchRequests()).toBe(2);
      for (const s of [first, recent, old]) s.close();
      await settled();
    }, 30_000);
  });

  describe('nothing shared across credentials', () => {
    it('keeps a caller with the same client certificate and a made-up key out of the first caller\u2019s watch, and redacts the Secret it streams', async () => {
      const hub = gateway.get(WatchHub);
      const { cert, key, otherKey } = hostile.client;
      const first = await sse(watchPath('secrets'), { authorization: 'Bearer good-token', ...userCluster({ token: undefined, cert, key }) }, (t) => t.includes('"ADDED"'));
      expect(first.text).toContain('"password":null');
      expect(first.text).not.toContain(Buffer.from('hunter2').toString('base64'));
      const upstreams = hub.stats().upstreams;
      const second = await sse(watchPath('secrets'), { authorization: 'Bearer bob-token', ...userCluster({ token: undefined, cert, key: otherKey }) }, (t) => t.includes('"ERROR"') || t.includes('"ADDED"'));
      expect(second.text).not.toContain('"ADDED"');
      expect(second.text).toContain('"ERROR"');
      // The second caller got no share of the first one's upstream.
      expect(hub.stats().upstreams).toBeGreaterThanOrEqual(upstreams);
      first.close();
      second.close();
    }, 30_000);

    it('redacts the Secrets of a RESYNC (after 410 Gone) as it does those of a live event', async () => {
      const resync = await sse(watchPath('secrets', 'user:hostile', 'gone'), { authorization: 'Bearer good-token', ...userCluster({ token: 'resync' }) }, (t) => t.includes('"RESYNC"'));
      resync.close();
      expect(resync.text).toContain('"RESYNC"');
      expect(resync.text).toContain('"password":null');
      expect(resync.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    }, 30_000);

    it('ends a watch whose list after 410 Gone is not a Kubernetes list with an ERROR, instead of retrying for ever', async () => {
      const broken = await sse(watchPath('secrets', 'user:hostile', 'badlist'), { authorization: 'Bearer good-token', ...userCluster({ token: 'badlist' }) }, (t) => t.includes('"ERROR"'));
      broken.close();
      expect(broken.text).toContain('is not a Kubernetes list; the watch is stopped');
    }, 30_000);

    it('holds 300 requests with 300 different made-up bearers to the per-source limit (429s), like 300 with one', async () => {
      const statuses: number[] = [];
      for (let batch = 0; batch < 6; batch++) {
        const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call('GET', '/api/v1/clusters/main/resources/core/v1/pods?namespace=x', { token: `junk-${batch}-${i}` })));
        statuses.push(...answers.map((a) => a.status));
      }
      const refused = statuses.filter((s) => s === 429).length;
      expect(refused).toBeGreaterThan(30);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      // Checking a made-up bearer costs the configured cluster a request: those share the budget too.
      const reviews = () => configured.requests.filter((r) => r.includes('selfsubjectreviews')).length;
      const before = reviews();
      const checks = await Promise.all(Array.from({ length: 100 }, (_, i) => call('POST', '/api/v1/clusters/check-kubeconfig', { token: `junk-check-${i}`, body: { kubeconfig: 'x' } })));
      expect(checks.filter((c) => c.status === 429).length).toBeGreaterThan(30);
      expect(reviews() - before).toBeLessThan(70);
    }, 60_000);
  });
});
