import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterConnections, readBody } from './cluster-connections';
import { CONNECTION_WINDOW_BYTES, Http1Only, Http2Pool } from './http2-pool';
import { selfSigned } from '../testing/hostile-upstream';

/**
 * Against Node's own HTTP/2 server (and an HTTP/1.1-only HTTPS server), on 127.0.0.1 with a
 * certificate made for the test. The real API server's side is in kube-api.spec.ts.
 */
describe('Http2Pool', () => {
  let dir: string;
  let cert: { cert: string; key: string };
  const servers: Array<Http2SecureServer | HttpsServer> = [];
  const pools: Http2Pool[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-h2-'));
    cert = selfSigned(dir, 'h2');
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) pool.close();
    for (const server of servers.splice(0)) await new Promise((r) => server.close(() => r(undefined)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An HTTP/2 server: `/held` answers its headers and holds the stream; `/big` sends `bytes` bytes; anything else echoes method, path and authorization. */
  const h2Server = async (settings: { maxConcurrentStreams?: number } = {}) => {
    const state = { connections: 0, held: [] as ServerHttp2Stream[] };
    const server = createSecureServer({ ...cert, settings });
    server.on('connection', () => state.connections++);
    server.on('stream', (stream, headers) => {
      // The client cancels some streams on purpose.
      stream.on('error', () => undefined);
      const path = String(headers[':path']);
      if (path === '/held') {
        stream.respond({ ':status': 200 });
        state.held.push(stream);
        return;
      }
      if (path.startsWith('/big')) {
        const total = Number(new URL(path, 'https://x').searchParams.get('bytes'));
        stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 'x');
        let written = 0;
        const pump = () => {
          while (written < total && !stream.destroyed) {
            written += chunk.length;
            if (!stream.write(chunk)) return void stream.once('drain', pump);
          }
          stream.end();
        };
        pump();
        return;
      }
      if (path === '/silent') return;
      stream.respond({ ':status': 201, 'content-type': 'application/json', 'x-seen': 'yes' });
      stream.end(JSON.stringify({ method: headers[':method'], path, authorization: headers['authorization'] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const origin = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { origin, state };
  };
  const pool = (origin: URL, extra: Partial<ConstructorParameters<typeof Http2Pool>[0]> = {}) => {
    const made = new Http2Pool({ origin, tls: { ca: [cert.cert], rejectUnauthorized: true }, streamWindowBytes: 64 * 1024, ...extra });
    pools.push(made);
    return made;
  };
  const until = async (ok: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const get = (p: Http2Pool, path: string, extra: { signal?: AbortSignal; timeoutMs?: number; token?: string } = {}) =>
    p.request({ method: 'GET', path, headers: extra.token ? { Authorization: `Bearer ${extra.token}` } : {}, signal: extra.signal, timeoutMs: extra.timeoutMs ?? 5000 });

  it('carries every caller\u2019s requests on one connection, each with its own credential, answering status and plain headers', async () => {
    const { origin, state } = await h2Server();
    const p = pool(origin);
    const answers = await Promise.all(['alice', 'bob', 'carol'].map((token) => get(p, `/api/v1/namespaces?as=${token}`, { token })));
    expect(state.connections).toBe(1);
    for (const [i, token] of ['alice', 'bob', 'carol'].entries()) {
      const res = answers[i];
      expect(res?.statusCode).toBe(201);
      expect(res?.statusMessage).toBe('Created');
      expect(res?.headers['x-seen']).toBe('yes');
      expect(Object.keys(res?.headers ?? {}).some((h) => h.startsWith(':'))).toBe(false);
      expect(JSON.parse(await readBody(res as NonNullable<typeof res>))).toEqual({ method: 'GET', path: `/api/v1/namespaces?as=${token}`, authorization: `Bearer ${token}` });
    }
  });

  it('opens another connection when the server\u2019s stream limit is reached, so held streams never queue a short request', async () => {
    const { origin, state } = await h2Server({ maxConcurrentStreams: 3 });
    const p = pool(origin);
    const held = await Promise.all(Array.from({ length: 5 }, () => get(p, '/held')));
    expect(p.streamsPerConnection.sort()).toEqual([2, 3]);
    const short = await get(p, '/short');
    expect(short.statusCode).toBe(201);
    await readBody(short);
    expect(state.connections).toBe(2);
    for (const res of held) res.destroy();
    await until(() => p.streamsPerConnection.every((n) => n === 0));
    expect(p.streamsPerConnection).toEqual([0, 0]);
  });

  it('spreads streams over connections at its own cap, below the server\u2019s limit', async () => {
    const { origin, state } = await h2Server({ maxConcurrentStreams: 100 });
    const p = pool(origin, { maxStreamsPerConnection: 2 });
    const held = await Promise.all(Array.from({ length: 5 }, () => get(p, '/held')));
    expect(p.streamsPerConnection.sort()).toEqual([1, 2, 2]);
    expect(state.connections).toBe(3);
    for (const res of held) res.destroy();
  });

  it('holds at most the stream window for a paused reader, and the connection\u2019s other streams go on at full speed', async () => {
    const { origin } = await h2Server();
    const p = pool(origin, { streamWindowBytes: 64 * 1024 });
    const paused = await Promise.all(Array.from({ length: 20 }, () => get(p, '/big?bytes=10000000')));
    for (const res of paused) res.pause();
    // 20 × 64 KiB is more than the default connection window (64 KiB): only the connection's own window (CONNECTION_WINDOW_BYTES) lets this pass.
    const flowing = await get(p, `/big?bytes=${4 * CONNECTION_WINDOW_BYTES}`);
    let read = 0;
    for await (const chunk of flowing) read += (chunk as Buffer).length;
    expect(read).toBe(4 * CONNECTION_WINDOW_BYTES);
    await new Promise((r) => setTimeout(r, 200));
    for (const res of paused) expect(res.readableLength).toBeLessThanOrEqual(64 * 1024);
    for (const res of paused) res.destroy();
  });

  it('says when headers did not come in time, and when the caller gave up, and the connection serves the next request', async () => {
    const { origin, state } = await h2Server();
    const p = pool(origin);
    await expect(get(p, '/silent', { timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
    const abort = new AbortController();
    const pending = get(p, '/silent', { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect((await get(p, '/after')).statusCode).toBe(201);
    expect(state.connections).toBe(1);
  });

  it('closes a connection left without streams after its idle time, and opens a new one when asked again', async () => {
    const { origin, state } = await h2Server();
    const p = pool(origin, { idleMs: 200 });
    await readBody(await get(p, '/one'));
    await until(() => p.streamsPerConnection[0] === 0);
    await until(() => p.streamsPerConnection.length === 0);
    await readBody(await get(p, '/two'));
    expect(state.connections).toBe(2);
  });

  it('throws Http1Only for a server that does not offer h2; ClusterConnections then asks it over HTTP/1.1', async () => {
    const seen: string[] = [];
    const server = createHttpsServer(cert, (req, res) => {
      seen.push(`HTTP/${req.httpVersion} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"Status"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const origin = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await expect(get(pool(origin), '/version')).rejects.toBeInstanceOf(Http1Only);
    const connections = new ClusterConnections({ clusters: [{ name: 'old', server: origin.href, ca: cert.cert, insecureSkipTlsVerify: false, source: 'kubeconfig' }], extraCa: [], insecureSkipTlsVerify: false });
    try {
      const res = await connections.request('old', { method: 'GET', path: '/api/v1/namespaces?watch=1', token: 't' });
      expect(await readBody(res)).toBe('{"kind":"Status"}');
      await readBody(await connections.request('old', { method: 'GET', path: '/api/v1/pods', token: 't' }));
      expect(seen).toEqual(['HTTP/1.1 /api/v1/namespaces?watch=1', 'HTTP/1.1 /api/v1/pods']);
      expect(connections.http2Streams('old')).toEqual([]);
    } finally {
      connections.onModuleDestroy();
    }
  });

  it('sends watches and followed logs over HTTP/2 and everything else over HTTP/1.1; CAIRN_UPSTREAM_HTTP2=false sends all over HTTP/1.1', async () => {
    const seen: string[] = [];
    const server = createSecureServer({ ...cert, allowHTTP1: true }, (req, res) => {
      seen.push(`HTTP/${req.httpVersion} ${req.url}`);
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const origin = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const clusters = [{ name: 'both', server: origin.href, ca: cert.cert, insecureSkipTlsVerify: false, source: 'kubeconfig' as const }];
    const paths = ['/api/v1/pods?limit=500', '/api/v1/namespaces/a/pods/p', '/api/v1/pods?watch=1', '/api/v1/namespaces/a/pods/p/log?follow=true&container=c', '/api/v1/pods?watch=false'];
    for (const upstreamHttp2 of [false, true]) {
      const connections = new ClusterConnections({ clusters, extraCa: [], insecureSkipTlsVerify: false, upstreamHttp2 });
      try {
        for (const path of paths) expect(await readBody(await connections.request('both', { method: 'GET', path: `${path}${path.includes('?') ? '&' : '?'}http2=${upstreamHttp2}`, token: 't' }))).toBe('ok');
      } finally {
        connections.onModuleDestroy();
      }
    }
    expect(seen).toEqual([
      'HTTP/1.1 /api/v1/pods?limit=500&http2=false',
      'HTTP/1.1 /api/v1/namespaces/a/pods/p?http2=false',
      'HTTP/1.1 /api/v1/pods?watch=1&http2=false',
      'HTTP/1.1 /api/v1/namespaces/a/pods/p/log?follow=true&container=c&http2=false',
      'HTTP/1.1 /api/v1/pods?watch=false&http2=false',
      'HTTP/1.1 /api/v1/pods?limit=500&http2=true',
      'HTTP/1.1 /api/v1/namespaces/a/pods/p?http2=true',
      'HTTP/2.0 /api/v1/pods?watch=1&http2=true',
      'HTTP/2.0 /api/v1/namespaces/a/pods/p/log?follow=true&container=c&http2=true',
      'HTTP/1.1 /api/v1/pods?watch=false&http2=true',
    ]);
  });

  it('keeps at most 8 idle HTTP/1.1 connections after a burst of 20 requests at once, and closes the rest', async () => {
    const open = new Set<unknown>();
    const waiting: Array<() => void> = [];
    const server = createHttpsServer(cert, (req, res) => {
      // Answer once all 20 are in, so each needed a connection of its own.
      waiting.push(() => res.writeHead(200).end('ok'));
      if (waiting.length === 20) for (const answer of waiting.splice(0)) answer();
    });
    let made = 0;
    server.on('secureConnection', (socket) => {
      made++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const origin = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const connections = new ClusterConnections({ clusters: [{ name: 'c', server: origin.href, ca: cert.cert, insecureSkipTlsVerify: false, source: 'kubeconfig' }], extraCa: [], insecureSkipTlsVerify: false });
    try {
      const bodies = await Promise.all(Array.from({ length: 20 }, async (_, i) => readBody(await connections.request('c', { method: 'GET', path: `/api/v1/pods?limit=500&i=${i}`, token: 't' }))));
      expect(bodies.every((b) => b === 'ok')).toBe(true);
      expect(open.size).toBeGreaterThanOrEqual(8);
      await until(() => open.size === 8);
      expect(made).toBe(20);
      // The 8 kept are used again: the next burst of 20 opens 12.
      await Promise.all(Array.from({ length: 20 }, async (_, i) => readBody(await connections.request('c', { method: 'GET', path: `/again?i=${i}`, token: 't' }))));
      expect(made).toBe(32);
      await until(() => open.size === 8);
    } finally {
      connections.onModuleDestroy();
    }
  });

  it('sends a GET once more on a new connection when the server closed the kept-alive one under it; a POST is not sent twice', async () => {
    // The server answers the first request on each connection and drops the connection when a
    // second arrives on it, as a server closing an idle connection just as a request is sent.
    const seen: string[] = [];
    const server = createHttpsServer({ ...cert, keepAlive: true }, (req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      seen.push(`${req.method} ${req.url} #${socket.served}`);
      if (socket.served > 1) return void socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const origin = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const connections = new ClusterConnections({ clusters: [{ name: 'c', server: origin.href, ca: cert.cert, insecureSkipTlsVerify: false, source: 'kubeconfig' }], extraCa: [], insecureSkipTlsVerify: false });
    try {
      expect(await readBody(await connections.request('c', { method: 'GET', path: '/api/v1/pods?limit=1', token: 't' }))).toBe('{}');
      expect(await readBody(await connections.request('c', { method: 'GET', path: '/api/v1/pods?limit=2', token: 't' }))).toBe('{}');
      await expect(connections.request('c', { method: 'POST', path: '/api/v1/namespaces/a/configmaps', token: 't', body: '{}' })).rejects.toMatchObject({ status: 502, message: expect.stringContaining('reset') });
      expect(seen).toEqual(['GET /api/v1/pods?limit=1 #1', 'GET /api/v1/pods?limit=2 #2', 'GET /api/v1/pods?limit=2 #1', 'POST /api/v1/namespaces/a/configmaps #2']);
    } finally {
      connections.onModuleDestroy();
    }
  });

  it('names the cause when the server cannot be reached or its certificate is not trusted', async () => {
    const { origin } = await h2Server();
    const untrusting = new Http2Pool({ origin, tls: { ca: [], rejectUnauthorized: true }, streamWindowBytes: 65535 });
    pools.push(untrusting);
    await expect(get(untrusting, '/x')).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const connections = new ClusterConnections({ clusters: [{ name: 'h2', server: origin.href, insecureSkipTlsVerify: false, source: 'kubeconfig' }], extraCa: [], insecureSkipTlsVerify: false });
    try {
      await expect(connections.request('h2', { method: 'GET', path: '/x', token: 't' })).rejects.toMatchObject({ status: 502, message: expect.stringContaining('its certificate is not trusted') });
    } finally {
      connections.onModuleDestroy();
    }
  });
});
