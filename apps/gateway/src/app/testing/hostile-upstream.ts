import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real HTTPS "API server" that misbehaves on purpose, for the gateway's tests (DESIGN.md:
 * "a hostile upstream"): what a user-added cluster under an attacker's control would do. It
 * listens on 127.0.0.1 on a free port with a self-signed certificate made for the test, asks
 * for (but does not require) a client certificate, and counts every TCP connection, so a
 * test can show that the gateway opened none.
 *
 * Paths (any prefix; the query is ignored unless said):
 * - `/version`: `{"gitVersion": "v0.0.0-hostile"}`;
 * - `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: 201 for a bearer in `users`, else 401;
 * - `.../endless-line` (and any `?watch=1`): one line that never ends, at full speed, up to `maxBytes`;
 * - `.../huge`: a 200 body of `maxBytes` bytes without a newline;
 * - `.../drip`: headers at once, then one byte every 200 ms, forever;
 * - `.../redirect`: 302 to the cloud metadata address;
 * - `.../garbage`: 200 with a body that is not JSON;
 * - `.../storm`: 429 with Retry-After: 1, always;
 * - `.../secrets` with `?watch=1`: one ADDED Secret with its values, then silence; in namespace
 *   `gone`, a 410 Gone instead, and its list (no `watch`) holds that Secret: a RESYNC follows;
 *   in `badlist`, a 410 Gone and then a list whose items are not a list;
 * - `/apis/apps/v1/namespaces/x/deployments/many`: a Deployment whose pods are the 20 below;
 * - `/api/v1/namespaces/x/pods` (a list): 20 pods of 100 containers each;
 * - `/api/v1/namespaces/encoded/<resource>` (a list): 200 with `Content-Encoding: br`, asked or
 *   not (a server that compresses as it likes);
 * - `.../pods/<pod>/log`: one line, then the end; with `follow=true`, one line and silence;
 * - `/api/v1/namespaces/replay/configmaps?watch=1`: 50 ADDED events of 100 KiB (resourceVersions 1 to 50), then silence;
 * - `/api/v1/namespaces/flood/pods?watch=1`: FLOOD_EVENTS ADDED Pods of about 4 KiB each, laid out as
 *   an API server writes a built-in kind, as fast as the connection takes them (each write waits
 *   for the socket to drain), then silence; `floodWritten` counts the events written so far;
 * - `/api/v1/namespaces/revoked/configmaps?watch=1`: one ADDED ConfigMap (resourceVersion 5), then an
 *   `ERROR` event with a 401 Status in the stream, then silence;
 * - `/api/v1/namespaces/gone-at-open/configmaps`: a watch is answered 410 Gone (the HTTP status, as
 *   a watch cache answers a resourceVersion it no longer has), a list holds one ConfigMap at 9;
 * - anything else: 404 Status.
 */
/** Events the flood watch sends (about 20 MiB). */
export const FLOOD_EVENTS = 5000;

export interface HostileUpstream {
  url: string;
  /** PEM of the server's self-signed certificate (its own CA). */
  ca: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Events of `/api/v1/namespaces/flood/pods?watch=1` written to the connection so far. */
  readonly floodWritten: number;
  /** Request lines seen, e.g. `GET /version`, with the client certificate's subject CN when one was sent. */
  readonly requests: string[];
  /** A self-signed client certificate and its key, and a second key that does not belong to it. */
  client: { cert: string; key: string; otherKey: string };
  stop(): Promise<void>;
}

export interface HostileOptions {
  /** Bearer tokens the SelfSubjectReview accepts, with the user name it answers. */
  users?: Record<string, string>;
  /** How much an endless line or a huge body sends at most (default 512 MiB). */
  maxBytes?: number;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A self-signed EC certificate and key for `cn`, valid a day, naming 127.0.0.1. */
export function selfSigned(dir: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1']);
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

export async function startHostileUpstream(options: HostileOptions = {}): Promise<HostileUpstream> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-hostile-'));
  const server = selfSigned(dir, 'hostile');
  const client = selfSigned(dir, 'client');
  const other = selfSigned(dir, 'other');
  rmSync(dir, { recursive: true, force: true });
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const state = { connections: 0, requests: [] as string[], floodWritten: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const pump = (res: ServerResponse, chunk: Buffer, total: number) => {
    let sent = 0;
    const write = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const peerCert = (req.socket as TLSSocket).getPeerCertificate?.();
    const cn = peerCert && 'subject' in peerCert && peerCert.subject ? ` cn=${peerCert.subject.CN}` : '';
    state.requests.push(`${req.method} ${req.url}${cn}`);
    const url = new URL(req.url ?? '/', 'https://hostile');
    const path = url.pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (path === '/version') return json(200, { gitVersion: 'v0.0.0-hostile' });
    if (path === '/apis/authentication.k8s.io/v1/selfsubjectreviews') {
      req.resume();
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const name = options.users?.[token];
      return name ? json(201, { kind: 'SelfSubjectReview', status: { userInfo: { username: name } } }) : json(401, { kind: 'Status', code: 401, message: 'Unauthorized' });
    }
    if (path === '/apis/apps/v1/namespaces/x/deployments/many') return json(200, { kind: 'Deployment', metadata: { name: 'many', namespace: 'x' }, spec: { selector: { matchLabels: { app: 'many' } } } });
    if (path === '/api/v1/namespaces/x/pods' && !url.searchParams.get('watch')) {
      const containers = Array.from({ length: 100 }, (_, c) => ({ name: `c${c}`, image: 'i' }));
      return json(200, { kind: 'PodList', metadata: { resourceVersion: '1' }, items: Array.from({ length: 20 }, (_, p) => ({ metadata: { name: `many-${p}`, namespace: 'x' }, spec: { containers } })) });
    }
    if (/^\/api\/v1\/namespaces\/encoded\/[a-z]+$/.test(path)) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      return res.end(Buffer.from([0x0b, 0x02, 0x80, 0x7b, 0x7d, 0x03]));
    }
    if (/^\/api\/v1\/namespaces\/x\/pods\/[^/]+\/log$/.test(path)) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`hello from ${path.split('/')[6]}\n`);
      if (url.searchParams.get('follow') !== 'true') return res.end();
      return; // and silence
    }
    if (path === '/api/v1/namespaces/replay/configmaps' && url.searchParams.get('watch')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const filler = 'r'.repeat(100 * 1024);
      for (let rv = 1; rv <= 50; rv++) res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: `cm-${rv}`, namespace: 'replay', resourceVersion: String(rv) }, data: { filler } } })}\n`);
      return; // and silence
    }
    if (path === '/api/v1/namespaces/flood/pods' && url.searchParams.get('watch')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const spec = { containers: [{ name: 'app', image: 'registry.test/app:1', args: ['f'.repeat(3800)] }] };
      let rv = 0;
      const write = () => {
        while (rv < FLOOD_EVENTS && !res.destroyed) {
          rv++;
          const line = `${JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `p-${rv}`, namespace: 'flood', uid: `u-${rv}`, resourceVersion: String(rv) }, spec } })}\n`;
          state.floodWritten++;
          if (!res.write(line)) return void res.once('drain', write);
        }
      };
      write();
      return; // and silence
    }
    // An overloaded API server: an ERROR event that is not 410 or a refusal (`hiccup-500`: etcd
    // timed out; `-504`, `-429`; `-none`: a Status without a code), then silence. A watch asked
    // again from resourceVersion 5 gets the next event; the list is at resourceVersion 6 (a watch
    // from there: silence).
    const hiccup = /^\/api\/v1\/namespaces\/(hiccup-(\w+))\/configmaps$/.exec(path);
    if (hiccup) {
      const [, namespace, code] = hiccup;
      const after = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'after', namespace, resourceVersion: '6' } };
      if (!url.searchParams.get('watch')) return json(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '6' }, items: [after] });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (url.searchParams.get('resourceVersion') === '6') return; // silence
      if (url.searchParams.get('resourceVersion') === '5') {
        res.write(`${JSON.stringify({ type: 'ADDED', object: after })}\n`);
        return; // and silence
      }
      const statuses: Record<string, object> = {
        '500': { code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' },
        '504': { code: 504, reason: 'Timeout', message: 'Too large resource version: 12, current: 9' },
        '429': { code: 429, reason: 'TooManyRequests', message: 'the server has received too many requests and has asked us to try again later' },
        none: { message: `something went wrong\n${'x'.repeat(10_000)}` },
      };
      res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'before', namespace, resourceVersion: '5' } } })}\n`);
      res.write(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', ...statuses[code] } })}\n`);
      return; // and silence: the gateway ends this stream itself
    }
    if (path === '/api/v1/namespaces/revoked/configmaps' && url.searchParams.get('watch')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'before', namespace: 'revoked', resourceVersion: '5' } } })}\n`);
      res.write(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' } })}\n`);
      return; // and silence
    }
    if (path === '/api/v1/namespaces/gone-at-open/configmaps') {
      if (url.searchParams.get('watch')) return json(410, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 3 (9)' });
      return json(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: [{ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'current', namespace: 'gone-at-open', resourceVersion: '9' } }] });
    }
    const secret = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db', namespace: 'x', resourceVersion: '7' }, data: { password: Buffer.from('hunter2').toString('base64') } };
    if (path === '/api/v1/namespaces/badlist/secrets') {
      if (!url.searchParams.get('watch')) return json(200, { kind: 'SecretList', items: 'not a list' });
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } })}\n`);
    }
    if (path === '/api/v1/namespaces/gone/secrets') {
      if (!url.searchParams.get('watch')) return json(200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '8' }, items: [secret] });
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } })}\n`);
    }
    if (path.endsWith('/secrets') && url.searchParams.get('watch')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db', namespace: 'x', resourceVersion: '7' }, data: { password: Buffer.from('hunter2').toString('base64') } } })}\n`);
      return; // and silence
    }
    // A terminal (pods/exec, a WebSocket upgrade answered as a plain request): a redirect to the metadata address, or a refusal with an endless body.
    if (path === '/api/v1/namespaces/x/pods/redirect/exec') {
      res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' });
      return res.end();
    }
    if (path === '/api/v1/namespaces/x/pods/endless/exec') {
      res.writeHead(403, { 'content-type': 'application/json' });
      return pump(res, Buffer.alloc(64 * 1024, 'x'), maxBytes);
    }
    if (path.endsWith('/endless-line') || url.searchParams.get('watch')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return pump(res, Buffer.alloc(64 * 1024, 'x'), maxBytes);
    }
    if (path.endsWith('/huge')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return pump(res, Buffer.alloc(64 * 1024, ' '), maxBytes);
    }
    if (path.endsWith('/drip')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 200);
      timers.add(timer);
      return;
    }
    if (path.endsWith('/redirect')) {
      res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' });
      return res.end();
    }
    if (path.endsWith('/garbage')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"kind": "Pod", "metadata": ');
    }
    if (path.endsWith('/storm')) return json(429, { kind: 'Status', code: 429, message: 'storm' }, { 'retry-after': '1' });
    return json(404, { kind: 'Status', code: 404, message: `${path} not found` });
  };

  const https: Server = createServer({ cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false }, handler);
  https.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const address = https.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: server.cert,
    get connections() {
      return state.connections;
    },
    get floodWritten() {
      return state.floodWritten;
    },
    get requests() {
      return state.requests;
    },
    client: { cert: client.cert, key: client.key, otherKey: other.key },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    },
  };
}
