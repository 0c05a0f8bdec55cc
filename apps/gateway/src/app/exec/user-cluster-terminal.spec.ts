import { EXEC_CLOSE, EXEC_CLUSTER_ENTRY_PROTOCOL, EXEC_PROTOCOL, execProtocols } from '@cairn/api-contracts';
import { connect, createServer, Server, Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeUserCluster, USER_CLUSTER_ENTRY_MAX_BYTES, UserCluster } from '../clusters/user-clusters';
import { MAX_HEADER_BYTES } from '../gateway';
import { gatewayAgainst, TestGateway } from '../testing/gateway-against';
import { HostileUpstream, selfSigned, startHostileUpstream } from '../testing/hostile-upstream';
import { captureJsonLogs } from '../testing/json-logs';
import { openWatchTab } from '../testing/watch-tab';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { ExecService } from './exec.service';

/**
 * A terminal on a user-added cluster, tried as an attacker (or a careless client) would,
 * against real HTTPS servers on 127.0.0.1 (testing/hostile-upstream.ts): `configured` stands
 * for the console's cluster (it checks bearer tokens: `good-token` is alice), `hostile` for
 * the cluster a user adds. Every server here listens on 127.0.0.1; the addresses the policy
 * refuses are asserted refused before any connection.
 */
describe('a terminal on a user-added cluster (hostile upstream)', () => {
  let configured: HostileUpstream;
  let hostile: HostileUpstream;
  let test: TestGateway;
  let host: string;
  /** Every log line the gateways write (JSON, every level): searched for the entry's secrets at the end. */
  let logs: ReturnType<typeof captureJsonLogs>;

  beforeAll(async () => {
    logs = captureJsonLogs();
    configured = await startHostileUpstream({ users: { 'good-token': 'alice' } });
    hostile = await startHostileUpstream({ users: {} });
    test = await gatewayAgainst(configured, { CAIRN_MAX_EXEC_SESSIONS_PER_USER: '1', CAIRN_EXEC_IDLE_SECONDS: '2', CAIRN_LOG_LEVEL: 'verbose', CAIRN_LOG_FORMAT: 'json' });
    host = new URL(test.base).host;
  }, 60_000);

  afterAll(async () => {
    logs?.restore();
    await test?.close();
    await configured?.stop();
    await hostile?.stop();
  });

  const alice = { authorization: 'Bearer good-token' };
  const entry = (overrides: Partial<UserCluster> = {}) => encodeUserCluster({ server: hostile.url, ca: hostile.ca, insecureSkipTlsVerify: false, token: 'user-cluster-secret-token', ...overrides });
  const path = (pod = 'p') => `/api/v1/clusters/user:hostile/namespaces/x/pods/${pod}/exec?command=sh`;

  /** Opens a terminal; resolves with how it went: refused before the upgrade (status, body) or its messages and close code. */
  const terminal = (protocols: string[], headers: Record<string, string> = alice, pod = 'p') =>
    new Promise<{ status?: number; body?: string; protocol?: string; messages: Array<{ type: string; status?: number; message?: string }>; code?: number; error?: string }>((resolve) => {
      const messages: Array<{ type: string; status?: number; message?: string }> = [];
      const socket = new WebSocket(`ws://${host}${path(pod)}`, protocols, { headers });
      socket.on('message', (data: Buffer, binary) => (binary ? undefined : messages.push(JSON.parse(data.toString('utf8')))));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode, body, messages }));
      });
      socket.once('error', (err) => resolve({ messages, error: err.message }));
      socket.once('close', (code) => resolve({ messages, code, protocol: socket.protocol }));
    });

  /** Sends a raw upgrade request and resolves with the response head (what a non-browser client can send). */
  const rawUpgrade = (headers: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(test.base).port), '127.0.0.1');
      let head = '';
      socket.on('data', (c: Buffer) => {
        head += c.toString('latin1');
        if (head.includes('\r\n\r\n')) socket.destroy();
      });
      socket.on('close', () => resolve(head));
      socket.on('error', reject);
      const lines = Object.entries({ host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', ...headers }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`GET ${path()} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    });

  /**
   * An API server on 127.0.0.1 that speaks the channel protocol (v5.channel.k8s.io) and says
   * nothing unless the test makes it; the upgrade of pod `revoked` is refused 401, as an API
   * server refuses an expired or revoked token.
   */
  const upgradingServer = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attack-upgrading-'));
    const tlsPair = selfSigned(dir, 'upgrading');
    rmSync(dir, { recursive: true, force: true });
    const https = createHttpsServer(tlsPair);
    const wss = new WebSocketServer({
      server: https,
      handleProtocols: (offered) => (offered.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false),
      verifyClient: (info, done) => (info.req.url?.includes('/pods/revoked/') ? done(false, 401, 'Unauthorized') : done(true)),
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    return { https, wss, tlsPair, server: `https://127.0.0.1:${(https.address() as { port: number }).port}` };
  };
  const stopUpgrading = async (https: ReturnType<typeof createHttpsServer>, wss: WebSocketServer) => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    https.closeAllConnections();
    await new Promise((resolve) => https.close(resolve));
  };

  const sessions = () => test.gateway.get(ExecService).openSessions();
  const until = async (check: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return check();
  };

  it('refuses, before the upgrade and before dialling, a client that offers the entry but not terminal.cairn.v1 (it would not take the session, and the command would run all the same)', async () => {
    const before = hostile.connections;
    const only = await terminal([EXEC_CLUSTER_ENTRY_PROTOCOL + entry()]);
    expect(only.status).toBe(400);
    expect(JSON.parse(only.body ?? '{}').message).toBe(`A terminal speaks the ${EXEC_PROTOCOL} subprotocol: offer it (the console's browser client does), or offer no subprotocol at all.`);
    const other = await terminal(['v5.channel.k8s.io']);
    expect(other.status).toBe(400);
    expect(hostile.connections).toBe(before);
    expect(sessions()).toBe(0);
  });

  it('gives the session slot back when the WebSocket handshake fails after admission (a bad Sec-WebSocket-Key, a malformed protocol list)', async () => {
    // Admitted (alice, within CAIRN_MAX_EXEC_SESSIONS_PER_USER=1), then refused by the WebSocket server itself.
    const badKey = await rawUpgrade({ ...alice, 'sec-websocket-key': 'not-a-key', 'sec-websocket-protocol': execProtocols(entry()).join(', ') });
    expect(badKey).toMatch(/^HTTP\/1\.1 400 /);
    expect(await until(() => sessions() === 0)).toBe(true);
    const badList = await rawUpgrade({ ...alice, 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': `${execProtocols(entry()).join(', ')}, not;a;token` });
    expect(badList).toMatch(/^HTTP\/1\.1 400 /);
    expect(await until(() => sessions() === 0)).toBe(true);
    // And alice's one terminal is still hers to open: the API server's own answer, not a 429.
    const next = await terminal(execProtocols(entry()));
    expect(next.status).toBeUndefined();
    expect(next.messages).toEqual([expect.objectContaining({ type: 'error', status: 404 })]);
    expect(await until(() => sessions() === 0)).toBe(true);
  });

  it('lets go of a dial to a cluster that never answers as soon as the browser leaves: its socket closed, its slot given back', async () => {
    const held: Socket[] = [];
    let closed = 0;
    const silent: Server = createServer((c) => {
      held.push(c);
      c.resume(); // reads (and drops) the TLS hello, so the gateway's end of the connection is seen
      c.on('close', () => closed++);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const socket = new WebSocket(`ws://${host}${path()}`, execProtocols(entry({ server: `https://127.0.0.1:${(silent.address() as { port: number }).port}` })), { headers: alice });
      await new Promise((resolve) => socket.once('open', resolve));
      expect(await until(() => held.length === 1)).toBe(true);
      expect(sessions()).toBe(1);
      // The per-user bound counts terminals on user-added clusters too (any of them: alice's identity, not the entry's).
      const second = await terminal(execProtocols(entry()));
      expect([second.status, JSON.parse(second.body ?? '{}').message]).toEqual([429, 'You have 1 terminals open, the most this console allows (CAIRN_MAX_EXEC_SESSIONS_PER_USER=1); close one first.']);
      socket.close();
      // Not the upstream handshake's 30 s: at once.
      expect(await until(() => sessions() === 0, 3000)).toBe(true);
      expect(await until(() => closed === 1, 3000)).toBe(true);
    } finally {
      for (const c of held) c.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("names a client certificate whose key does not belong to it, as every other request to the cluster does (a 400, nothing dialled)", async () => {
    const before = hostile.connections;
    const mismatched = await terminal(execProtocols(entry({ token: undefined, cert: hostile.client.cert, key: hostile.client.otherKey })));
    expect(mismatched.messages).toEqual([{ type: 'error', status: 400, message: expect.stringMatching(/^Cairn cannot connect to https:\/\/127\.0\.0\.1:\d+ with these credentials: /) }]);
    expect(hostile.connections).toBe(before);
    expect(await until(() => sessions() === 0)).toBe(true);
  });

  it("tells a user whose user-added cluster refuses the entry's credential (401: expired, revoked) to add it again, not that the console session ended", async () => {
    const expected = { status: 403, message: "Cluster user:hostile did not accept the credential in its kubeconfig entry (an expired or revoked token or certificate); add the cluster again with a current one. You are still signed in to the console." };
    // HTTP: the hostile upstream answers an unknown token's SelfSubjectReview with 401.
    const whoami = await fetch(`${test.base}/api/v1/clusters/user:hostile/whoami`, { headers: { ...alice, 'x-cairn-cluster': entry({ token: 'expired' }) } });
    expect({ status: whoami.status, message: ((await whoami.json()) as { message: string }).message }).toEqual(expected);
    // A watch whose stream reports the 401 (an ERROR event), as an API server does when a token expires under an open watch.
    const tab = openWatchTab(test.base, [{ id: 'cms', cluster: 'user:hostile', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'revoked' }], { ...alice, 'x-cairn-cluster': entry({ token: 'expired' }) });
    try {
      const refused = await tab.waitFor('the ERROR', (f) => f.data.type === 'ERROR');
      expect(refused.data).toEqual({ id: 'cms', type: 'ERROR', ...expected });
    } finally {
      tab.close();
    }
    // The terminal: its upgrade refused 401.
    const { https, wss, server, tlsPair } = await upgradingServer();
    try {
      const revoked = await terminal(execProtocols(entry({ server, ca: tlsPair.cert, token: 'expired' })), alice, 'revoked');
      expect(revoked.messages).toEqual([{ type: 'error', ...expected }]);
      expect(revoked.code).toBe(EXEC_CLOSE.refused);
    } finally {
      await stopUpgrading(https, wss);
    }
  });

  describe('the size of the entry', () => {
    /** What a large session cookie (three pieces of 3800 bytes, libs/session cookies.ts MAX_CHUNKS) adds to every request. */
    const bigCookie = { cookie: ['a', 'b', 'c'].map((n) => `pad${n}=${'x'.repeat(3800)}`).join('; ') };

    it('takes an entry up to its bound beside a full-size session cookie, as a subprotocol and as the header', async () => {
      // A client certificate and a CA bundle's worth (the hostile upstream, a Node server, reads at most 16 KiB of headers itself: the token stays small).
      const large = entry({ token: 't'.repeat(4000), ca: `${hostile.ca}\n${hostile.client.cert.repeat(4)}`, cert: hostile.client.cert, key: hostile.client.key });
      expect(large.length).toBeLessThan(USER_CLUSTER_ENTRY_MAX_BYTES);
      // Together more than Node's default bound on headers (16 KiB), which the gateway used to keep.
      expect(large.length + bigCookie.cookie.length).toBeGreaterThan(16 * 1024);
      const opened = await terminal(execProtocols(large), { ...alice, ...bigCookie });
      expect(opened.status).toBeUndefined();
      expect(opened.messages).toEqual([expect.objectContaining({ type: 'error', status: 404 })]);
      const res = await fetch(`${test.base}/api/v1/clusters/user:hostile/status`, { headers: { ...alice, ...bigCookie, 'x-cairn-cluster': large } });
      expect(await res.json()).toMatchObject({ reachable: true, version: 'v0.0.0-hostile' });
      expect(await until(() => sessions() === 0)).toBe(true);
    });

    it('refuses an entry over its bound with a message naming it, before dialling; headers over the server\'s bound are a 431 naming that', async () => {
      const before = hostile.connections;
      const over = await terminal(execProtocols(entry({ token: 't'.repeat(USER_CLUSTER_ENTRY_MAX_BYTES) })));
      expect(over.status).toBe(400);
      expect(JSON.parse(over.body ?? '{}').message).toMatch(new RegExp(`larger than ${USER_CLUSTER_ENTRY_MAX_BYTES} bytes.*USER_CLUSTER_ENTRY_MAX_BYTES`));
      expect(hostile.connections).toBe(before);
      const huge = await terminal(execProtocols(), { ...alice, 'x-padding': 'p'.repeat(MAX_HEADER_BYTES) });
      expect(huge.status).toBe(431);
      expect(JSON.parse(huge.body ?? '{}').message).toMatch(new RegExp(`larger than ${MAX_HEADER_BYTES} bytes`));
    });
  });

  describe('what held (tried, not broken)', () => {
    it('bounds an API server that accepts the terminal and then floods it (output paused while the browser does not read) or says nothing (closed when idle)', async () => {
      const { https, wss, server, tlsPair } = await upgradingServer();
      let sent = 0;
      const seen: Array<Record<string, string | string[] | undefined>> = [];
      wss.on('connection', (upstream, req) => {
        seen.push(req.headers);
        if (!req.url?.includes('/pods/flood/')) return;
        const chunk = Buffer.concat([Buffer.from([1]), Buffer.alloc(64 * 1024, 'y')]);
        const timer = setInterval(() => {
          while (upstream.readyState === upstream.OPEN && upstream.bufferedAmount < 1024 * 1024) {
            upstream.send(chunk);
            sent += chunk.length;
          }
        }, 5);
        upstream.on('close', () => clearInterval(timer));
      });
      try {
        const browser = new WebSocket(`ws://${host}${path('flood')}`, execProtocols(entry({ server, ca: tlsPair.cert })), { headers: alice });
        await new Promise((resolve) => browser.once('open', resolve));
        browser.pause(); // a browser that does not read
        expect(await until(() => test.gateway.get(ExecService).pausedSessions() === 1, 10_000)).toBe(true);
        await new Promise((r) => setTimeout(r, 1000));
        const settled = sent;
        await new Promise((r) => setTimeout(r, 1000));
        // Nothing more is read from the API server while paused (its sends stop at its own 1 MiB buffer).
        expect(sent).toBe(settled);
        expect(sent).toBeLessThan(64 * 1024 * 1024);
        browser.terminate();
        expect(await until(() => sessions() === 0 && test.gateway.get(ExecService).pausedSessions() === 0)).toBe(true);

        // A client certificate alone: no Authorization header at all.
        const silent = await terminal(execProtocols(entry({ server, ca: tlsPair.cert, token: undefined, cert: hostile.client.cert, key: hostile.client.key })), alice, 'silent');
        expect(silent.code).toBe(EXEC_CLOSE.idle);
        expect(silent.messages).toEqual([{ type: 'started', protocol: 'v5.channel.k8s.io' }, { type: 'error', status: 408, message: expect.stringContaining('CAIRN_EXEC_IDLE_SECONDS') }]);
        expect(await until(() => sessions() === 0)).toBe(true);
        // The cluster got the entry's credential and the channel protocols: not alice's console bearer, her cookie, or the entry.
        expect(seen).toHaveLength(2);
        expect(seen.map((h) => h['authorization'])).toEqual(['Bearer user-cluster-secret-token', undefined]);
        for (const headers of seen) {
          expect(headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io,v4.channel.k8s.io');
          expect(Object.keys(headers).filter((h) => /cookie|cairn/.test(h))).toEqual([]);
        }
      } finally {
        await stopUpgrading(https, wss);
      }
    }, 30_000);

    it('dials nothing for an anonymous caller, a made-up bearer or a page of another origin, whatever entry it offers', async () => {
      const before = hostile.connections;
      const now = Math.floor(Date.now() / 1000);
      const session: Session = { v: 1, issuedAt: now, oidc: { token: 'good-token', expiresAt: now + 300, user: { name: 'alice' } } };
      const cookie = `${SESSION_COOKIE}=${await new SealedBox(['s'.repeat(48)], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`;
      const anonymous = await terminal(execProtocols(entry()), {});
      expect([anonymous.status, JSON.parse(anonymous.body ?? '{}').message]).toEqual([401, 'Sign in first: a user-added cluster is only for signed-in users.']);
      // Not even decoded: an entry that is not one is the same 401.
      expect((await terminal(execProtocols('not-an-entry'), {})).status).toBe(401);
      expect((await terminal(execProtocols(entry()), { authorization: 'Bearer made-up' })).status).toBe(401);
      // alice's cookie, sent by her browser from a page of another site (Origin), or with none.
      expect((await terminal(execProtocols(entry()), { cookie, origin: 'https://attacker.example' })).status).toBe(403);
      expect((await terminal(execProtocols(entry()), { cookie, origin: 'null' })).status).toBe(403);
      expect((await terminal(execProtocols(entry()), { cookie })).status).toBe(403);
      // The entry twice, or beside the header: one credential per session.
      expect((await terminal([EXEC_PROTOCOL, EXEC_CLUSTER_ENTRY_PROTOCOL + entry(), EXEC_CLUSTER_ENTRY_PROTOCOL + entry({ token: 'other' })])).status).toBe(400);
      expect((await terminal(execProtocols(entry()), { ...alice, 'x-cairn-cluster': entry({ token: 'other' }) })).status).toBe(400);
      expect(hostile.connections).toBe(before);
      // Her own page, with the same cookie, is let through to the cluster (its 404: no such pod).
      const own = await terminal(execProtocols(entry()), { cookie, origin: test.base });
      expect(own.messages).toEqual([expect.objectContaining({ type: 'error', status: 404 })]);
      expect(own.protocol).toBe(EXEC_PROTOCOL);
      expect(await until(() => sessions() === 0)).toBe(true);
    });

    it('refuses every spelling of a refused address, and a name that resolves to one, before any connection', async () => {
      const strict = await gatewayAgainst(configured, { CAIRN_USER_CLUSTER_ALLOW: '10.0.0.0/8' });
      try {
        const port = new URL(hostile.url).port;
        const before = hostile.connections;
        for (const server of ['127.0.0.1', '2130706433', '0x7f.0.0.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '[0:0:0:0:0:0:0:1]', 'localhost']) {
          const socket = new WebSocket(`${strict.base.replace('http', 'ws')}${path()}`, execProtocols(entry({ server: `https://${server}:${port}` })), { headers: alice });
          const messages: Array<{ type: string; status?: number; message?: string }> = [];
          socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
          await new Promise((resolve) => socket.once('close', resolve));
          expect({ server, messages }).toEqual({ server, messages: [{ type: 'error', status: 400, message: expect.stringMatching(/^Cairn will not connect to .*(loopback|outside the addresses allowed)/) }] });
        }
        expect(hostile.connections).toBe(before);
      } finally {
        await strict.close();
      }
    });

    it('lets nothing of the entry reach a log line, an audit line, an error message or the protocol echoed back', async () => {
      const secret = 'user-cluster-secret-token';
      const offered = entry({ token: secret, cert: hostile.client.cert, key: hostile.client.key });
      const seen = [await terminal(execProtocols(offered)), await terminal(execProtocols(entry({ token: secret, server: 'https://[::1]:1' }))), await terminal(execProtocols(entry({ token: secret, cert: hostile.client.cert, key: hostile.client.otherKey })))];
      expect(seen.map((t) => t.protocol)).toEqual([EXEC_PROTOCOL, EXEC_PROTOCOL, EXEC_PROTOCOL]);
      expect(await until(() => sessions() === 0)).toBe(true);
      const keyBody = hostile.client.key.split('\n')[1] ?? '';
      const everything = [JSON.stringify(seen), ...logs.lines].join('\n');
      expect(logs.audits().filter((a) => a['cluster'] === 'user:hostile').length).toBeGreaterThan(0);
      for (const leak of [secret, offered, offered.slice(0, 40), keyBody, Buffer.from(hostile.client.key).toString('base64').slice(0, 40)]) expect(everything).not.toContain(leak);
    });
  });
});
