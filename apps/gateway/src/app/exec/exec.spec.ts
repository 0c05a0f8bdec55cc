import { DevCluster } from '@cairn/kube-testenv';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EXEC_CLOSE, EXEC_CLUSTER_ENTRY_PROTOCOL, EXEC_PROTOCOL, execProtocols, ExecServerMessage } from '@cairn/api-contracts';
import { SealedBox, Session as SignedInSession, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { createServer, Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createGateway } from '../gateway';
import { encodeUserCluster, UserCluster } from '../clusters/user-clusters';
import { readGatewaySettings } from '../settings/gateway-settings';
import { ExecService } from './exec.service';

/**
 * Terminals against the real dev cluster: the API server authorizes `create pods/exec` with
 * the caller's own token (victor's 403 is its answer), and kwok's ClusterExec runs each
 * command as a real local process (team-a's pods). Two gateways: one with the default
 * bounds, one with small ones to cross.
 */

interface Session {
  socket: WebSocket;
  out: () => string;
  messages: ExecServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
  until(what: string, test: () => boolean, ms?: number): Promise<void>;
}

describe('exec: a terminal on a pod, against the real cluster', () => {
  let cluster: DevCluster;
  const gateways: NestFastifyApplication[] = [];
  let base: string;
  let bounded: string;
  /** A gateway whose user-added clusters may be on loopback (the dev cluster's address). */
  let loopback: string;
  let dir: string;
  let pod: string;
  const tokens: Record<string, string> = {};
  const auditLines: string[] = [];
  let writeSpy: jest.SpyInstance;

  async function start(env: Record<string, string>): Promise<string> {
    const settings = readGatewaySettings(
      { KUBECONFIG: cluster.info.kubeconfig, CAIRN_WEB_ROOT: dir, CAIRN_SESSION_KEY: 's'.repeat(48), CAIRN_IN_CLUSTER: 'false', CAIRN_LOG_FORMAT: 'json', CAIRN_LOG_LEVEL: 'log', ...env },
      process.cwd(),
    );
    const gateway = await createGateway({ ...settings, port: 0 });
    await gateway.listen(0, '127.0.0.1');
    gateways.push(gateway);
    const address = gateway.getHttpServer().address();
    return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.includes('"context"')) {
        auditLines.push(...text.split('\n').filter((l) => l.includes('"audit":true') || l.includes('\\"audit\\":true')));
        return true;
      }
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
    cluster = await DevCluster.start();
    for (const user of ['admin', 'alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    dir = mkdtempSync(join(tmpdir(), 'cairn-exec-'));
    base = await start({});
    bounded = await start({ CAIRN_MAX_EXEC_SESSIONS_PER_USER: '2', CAIRN_EXEC_IDLE_SECONDS: '2', CAIRN_MAX_EXEC_BUFFER_BYTES: '1Ki' });
    loopback = await start({ CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32' });
    const pods = await cluster.adminApi().json<{ items: Array<{ metadata: { name: string }; status: { phase: string } }> }>('GET', '/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
    pod = pods.items[0]?.metadata.name ?? '';
    expect(pod).not.toBe('');
  }, 300_000);

  afterAll(async () => {
    for (const g of gateways) await g.close();
    await cluster?.stop();
    writeSpy?.mockRestore();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const boundedExec = () => {
    const gateway = gateways[1];
    if (!gateway) throw new Error('the bounded gateway did not start');
    return gateway.get(ExecService);
  };
  const path = (command: string[], extra = '', target = pod) => `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${target}/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}${extra.includes('container=') ? '' : '&container=web'}${extra}`;

  function open(host: string, url: string, options: { token?: string; headers?: Record<string, string>; protocols?: string[] } = {}): Session {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const socket = new WebSocket(`ws://${host}${url}`, options.protocols ?? [], { headers });
    let out = '';
    const messages: ExecServerMessage[] = [];
    socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary) out += data.subarray(1).toString('utf8');
      else messages.push(JSON.parse(data.toString('utf8')));
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const until = async (what: string, test: () => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(out.slice(-500))}, messages ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    return { socket, out: () => out, messages, closed, until };
  }

  /** The HTTP answer to an upgrade the gateway refuses before it happens. */
  function refused(host: string, url: string, headers: Record<string, string>, protocols: string[] = []): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${host}${url}`, protocols, { headers });
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
  }

  it('runs a command and shows its output and exit code 0 (alice, edit in team-a)', async () => {
    const s = open(base, path(['sh', '-c', 'echo hello from $(pwd | tr -d /)'], '&container=web&tty=false'), { token: tokens['alice'] });
    const { code } = await s.closed;
    expect(s.out()).toContain('hello from');
    expect(s.messages).toEqual([{ type: 'started', protocol: 'v5.channel.k8s.io' }, { type: 'exit', code: 0 }]);
    expect(code).toBe(EXEC_CLOSE.exited);
  });

  it('sends what is typed to the process (a shell on a terminal) and its answers back', async () => {
    const s = open(base, path(['/bin/sh']), { token: tokens['alice'] });
    await s.until('the session to start', () => s.messages.some((m) => m.type === 'started'));
    s.socket.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    s.socket.send(Buffer.from('stty size; echo typed-$((40 + 2))\n'));
    await s.until('the answer', () => s.out().includes('typed-42'));
    expect(s.out()).toContain('30 100');
    s.socket.send(Buffer.from('exit 0\n'));
    expect((await s.closed).code).toBe(EXEC_CLOSE.exited);
  });

  it('shows a failing command\'s exit code and its stderr', async () => {
    const s = open(base, path(['sh', '-c', 'echo oops >&2; exit 3'], '&tty=false'), { token: tokens['admin'] });
    await s.closed;
    expect(s.out()).toContain('oops');
    expect(s.messages.at(-1)).toEqual(expect.objectContaining({ type: 'exit', code: 3 }));
  });

  it('is refused by the API server for victor (view), and audited as refused', async () => {
    const s = open(base, path(['/bin/sh']), { token: tokens['victor'] });
    const { code } = await s.closed;
    expect(code).toBe(EXEC_CLOSE.refused);
    expect(s.messages).toEqual([expect.objectContaining({ type: 'error', status: 403 })]);
    // The API server's own answer: victor may not create pods/exec.
    const review = await new Promise<number>((resolve) => {
      const direct = new WebSocket(`${cluster.info.server.replace('https', 'wss')}/api/v1/namespaces/team-a/pods/${pod}/exec?command=sh&stdout=true`, ['v5.channel.k8s.io'], { headers: { authorization: `Bearer ${tokens['victor']}` }, ca: cluster.info.ca });
      direct.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      direct.once('open', () => resolve(101));
    });
    expect(review).toBe(403);
    await waitFor(() => auditLines.some((l) => l.includes('victor') && l.includes('refused') && l.includes('403')));
  });

  it('writes an audit line when a session starts and when it ends, with the exit code', async () => {
    await waitFor(() => auditLines.some((l) => l.includes('alice') && l.includes('\\"started\\"')) && auditLines.some((l) => l.includes('admin') && l.includes('\\"exitCode\\":3')));
    const line = auditLines.find((l) => l.includes('\\"exitCode\\":3')) ?? '';
    for (const fact of ['\\"action\\":\\"exec\\"', `pods/team-a/${pod}`, '\\"cluster\\":\\"cairn-dev\\"', '\\"ended\\"']) expect(line).toContain(fact);
  });

  it('refuses another origin, a cookie without an origin, bad parameters and no credentials before the upgrade', async () => {
    expect((await refused(base, path(['/bin/sh']), { authorization: `Bearer ${tokens['alice']}`, origin: 'https://evil.example' })).status).toBe(403);
    expect((await refused(base, path(['/bin/sh']), { cookie: 'cairn_session=x' })).status).toBe(403);
    const bad = await refused(base, path([], '&container=Web_'), { authorization: `Bearer ${tokens['alice']}`, origin: `http://${base}` });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/command/);
    expect((await refused(base, path(['/bin/sh']), { origin: `http://${base}` })).status).toBe(401);
    // A user-added cluster with no entry at all (neither the header nor the subprotocol).
    expect((await refused(base, '/api/v1/clusters/user:mine/namespaces/team-a/pods/x/exec?command=sh', { authorization: `Bearer ${tokens['alice']}` })).status).toBe(400);
  });

  it('attaches to a container\'s main process and shows its output as it comes (alice), refused for victor', async () => {
    const attach = `/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/attach?container=web`;
    const s = open(base, attach, { token: tokens['alice'] });
    await s.until('the session to start', () => s.messages.some((m) => m.type === 'started'));
    // kwok's attach follows the container's log from now on: the dev cluster appends a line a second.
    await s.until('a new line of the web server', () => /HTTP\/1\.1" \d{3}/.test(s.out()));
    s.socket.close();
    await s.closed;
    const v = open(base, attach, { token: tokens['victor'] });
    expect((await v.closed).code).toBe(EXEC_CLOSE.refused);
    expect(v.messages).toEqual([expect.objectContaining({ type: 'error', status: 403 })]);
    await waitFor(() => auditLines.some((l) => l.includes('alice') && l.includes('\\"action\\":\\"attach\\"') && l.includes('\\"ended\\"')));
    expect((await refused(base, `${attach}&command=sh`, { authorization: `Bearer ${tokens['alice']}` })).status).toBe(400);
  });

  it('allows CAIRN_MAX_EXEC_SESSIONS_PER_USER terminals per user, then a 429 until one closes', async () => {
    const a = open(bounded, path(['/bin/sh']), { token: tokens['alice'] });
    const b = open(bounded, path(['/bin/sh']), { token: tokens['alice'] });
    await a.until('both to start', () => a.messages.length > 0 && b.messages.length > 0);
    const third = await refused(bounded, path(['/bin/sh']), { authorization: `Bearer ${tokens['alice']}` });
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body).message).toContain('CAIRN_MAX_EXEC_SESSIONS_PER_USER');
    // Another user is not affected.
    const other = open(bounded, path(['sh', '-c', 'exit 0'], '&tty=false'), { token: tokens['admin'] });
    await other.closed;
    expect(other.messages.at(-1)).toEqual({ type: 'exit', code: 0 });
    a.socket.close();
    await a.closed;
    await waitFor(() => boundedExec().openSessions() === 1);
    const again = open(bounded, path(['sh', '-c', 'exit 0'], '&tty=false'), { token: tokens['alice'] });
    await again.closed;
    expect(again.messages.at(-1)).toEqual({ type: 'exit', code: 0 });
    b.socket.close();
    await b.closed;
  });

  it('closes a terminal idle for CAIRN_EXEC_IDLE_SECONDS', async () => {
    const s = open(bounded, path(['/bin/sh']), { token: tokens['alice'] });
    const { code } = await s.closed;
    expect(code).toBe(EXEC_CLOSE.idle);
    expect(s.messages.at(-1)).toEqual(expect.objectContaining({ type: 'error', status: 408, message: expect.stringContaining('CAIRN_EXEC_IDLE_SECONDS') }));
    await waitFor(() => boundedExec().openSessions() === 0);
  });

  it('pauses the process\'s output while the browser does not read (CAIRN_MAX_EXEC_BUFFER_BYTES), then goes on', async () => {
    const exec = boundedExec();
    const s = open(bounded, path(['sh', '-c', 'yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 20000000; echo; echo all-done'], '&tty=false'), { token: tokens['alice'] });
    await s.until('the session to start', () => s.messages.length > 0);
    s.socket.pause();
    await waitFor(() => exec.pausedSessions() === 1, 30_000);
    s.socket.resume();
    await s.closed;
    expect(s.out().length).toBeGreaterThan(20_000_000);
    expect(s.out()).toContain('all-done');
    expect(exec.pausedSessions()).toBe(0);
  });

  describe('on a user-added cluster: its entry offered as a subprotocol, as the browser sends it', () => {
    /** A browser of `user`: the session cookie the auth service seals, and the console's Origin. */
    const browser = async (user: string, host: string) => {
      const now = Math.floor(Date.now() / 1000);
      const session: SignedInSession = { v: 1, issuedAt: now, oidc: { token: tokens[user] ?? '', expiresAt: now + 300, user: { name: user } } };
      return { cookie: `${SESSION_COOKIE}=${await new SealedBox(['s'.repeat(48)], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}`, origin: `http://${host}` };
    };
    const entry = (overrides: Partial<UserCluster> = {}) => encodeUserCluster({ server: cluster.info.server, ca: cluster.info.ca, insecureSkipTlsVerify: false, ...overrides });
    const userPath = (command: string[], name = 'dev') => path(command, '&tty=false').replace('/clusters/cairn-dev/', `/clusters/user:${name}/`);

    it('runs a command with the entry\'s own credential (alice\'s token: her rights; the admin\'s client certificate), and selects only the terminal protocol', async () => {
      const alice = open(loopback, userPath(['sh', '-c', 'echo user-added-$((20 + 1))']), { headers: await browser('alice', loopback), protocols: execProtocols(entry({ token: tokens['alice'] })) });
      expect((await alice.closed).code).toBe(EXEC_CLOSE.exited);
      expect(alice.out()).toContain('user-added-21');
      expect(alice.socket.protocol).toBe(EXEC_PROTOCOL);
      const admin = open(loopback, userPath(['sh', '-c', 'echo by-certificate']), { headers: await browser('alice', loopback), protocols: execProtocols(entry({ cert: cluster.info.admin.cert, key: cluster.info.admin.key })) });
      await admin.closed;
      expect(admin.out()).toContain('by-certificate');
      expect(admin.messages.at(-1)).toEqual({ type: 'exit', code: 0 });
      // victor's token in the entry: the API server refuses him, as on the configured cluster.
      const victor = open(loopback, userPath(['/bin/sh']), { headers: await browser('victor', loopback), protocols: execProtocols(entry({ token: tokens['victor'] })) });
      expect((await victor.closed).code).toBe(EXEC_CLOSE.refused);
      expect(victor.messages).toEqual([expect.objectContaining({ type: 'error', status: 403 })]);
      await waitFor(() => auditLines.some((l) => l.includes('\\"cluster\\":\\"user:dev\\"') && l.includes('\\"exitCode\\":0')));
    });

    it('dials no address the policy refuses: loopback by IP and by a name that resolves to it, before any connection', async () => {
      const counted: Server = createServer((c) => c.destroy());
      let connections = 0;
      counted.on('connection', () => connections++);
      await new Promise<void>((resolve) => counted.listen(0, '127.0.0.1', resolve));
      const port = (counted.address() as { port: number }).port;
      try {
        for (const server of [`https://127.0.0.1:${port}`, `https://localhost:${port}`, 'https://169.254.169.254']) {
          const s = open(base, userPath(['/bin/sh']), { headers: await browser('alice', base), protocols: execProtocols(entry({ server, token: tokens['alice'] })) });
          await s.closed;
          expect(s.messages).toEqual([{ type: 'error', status: 400, message: expect.stringMatching(/^Cairn will not connect to .*(loopback|link-local)/) }]);
        }
        expect(connections).toBe(0);
      } finally {
        counted.close();
      }
    });

    it('refuses before the upgrade: no signed-in user (the entry is not even read), the entry twice or beside the header, an entry that is not one', async () => {
      const alice = await browser('alice', loopback);
      const url = userPath(['/bin/sh']);
      const anonymous = await refused(loopback, url, { origin: `http://${loopback}` }, execProtocols(entry({ token: tokens['alice'] })));
      expect({ status: anonymous.status, message: JSON.parse(anonymous.body).message }).toEqual({ status: 401, message: expect.stringContaining('Sign in first') });
      const twice = await refused(loopback, url, alice, [EXEC_PROTOCOL, EXEC_CLUSTER_ENTRY_PROTOCOL + entry(), EXEC_CLUSTER_ENTRY_PROTOCOL + entry({ token: 'x' })]);
      expect({ status: twice.status, message: JSON.parse(twice.body).message }).toEqual({ status: 400, message: expect.stringContaining("Send a user-added cluster's entry once") });
      const both = await refused(loopback, url, { ...alice, 'x-cairn-cluster': entry() }, execProtocols(entry()));
      expect(both.status).toBe(400);
      const junk = await refused(loopback, url, alice, execProtocols('bm90LWpzb24'));
      expect({ status: junk.status, message: JSON.parse(junk.body).message }).toEqual({ status: 400, message: expect.stringContaining('Cairn cannot use this cluster') });
    });
  });
});

async function waitFor(test: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
