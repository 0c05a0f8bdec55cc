import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';

export interface Timing {
  status: number;
  /** Request sent → response headers, ms. */
  ttfb: number;
  /** Request sent → last byte of the body, ms. */
  total: number;
  bytes: number;
  /** The body as received (still gzip when the server compressed it), when `keepBody` was asked for. */
  body?: Buffer;
  /** The response's Content-Encoding, when `keepBody` was asked for. */
  encoding?: string;
  /** The response's headers. */
  headers: Record<string, string | string[] | undefined>;
}

export interface TimedGetOptions {
  /** Keep the body's bytes (read after the clock stops: decompressing and parsing are the client's time, not the server's). */
  keepBody?: boolean;
  /** Give up after this many ms: the promise rejects, as for a connection error. */
  timeoutMs?: number;
}

/**
 * A GET over a kept-alive connection that reads the whole body and times it. Used for both
 * the gateway (http) and the API server (https) so the client side costs the same.
 */
export class TimedClient {
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(
    private readonly base: URL,
    private readonly headers: Record<string, string>,
    ca?: string,
  ) {
    this.agent = base.protocol === 'https:' ? new HttpsAgent({ ca, keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  get(path: string, options: TimedGetOptions = {}): Promise<Timing> {
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = send(
        { host: this.base.hostname, port: this.base.port, path, method: 'GET', agent: this.agent, headers: { Accept: 'application/json', ...this.headers } },
        (res) => {
          const ttfb = performance.now() - started;
          let bytes = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (options.keepBody) chunks.push(chunk);
          });
          res.on('end', () => {
            const total = performance.now() - started;
            const kept = options.keepBody ? { body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] } : {};
            resolve({ status: res.statusCode ?? 0, ttfb, total, bytes, headers: res.headers, ...kept });
          });
          res.on('error', reject);
        },
      );
      if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The same timed GET as TimedClient, over one HTTP/2 connection (Node's `http2` client), with a
 * stream window large enough (16 MiB) that flow control never waits: how fast the API server
 * itself delivers a body over HTTP/2, beside TimedClient's HTTP/1.1 in the same run.
 */
export class Http2TimedClient {
  private session?: ClientHttp2Session;

  constructor(
    private readonly base: URL,
    private readonly headers: Record<string, string>,
    private readonly ca?: string,
  ) {}

  async get(path: string): Promise<Timing> {
    const session = await this.connect();
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const stream = session.request({ ':path': path, accept: 'application/json', ...Object.fromEntries(Object.entries(this.headers).map(([k, v]) => [k.toLowerCase(), v])) });
      let ttfb = 0;
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      let bytes = 0;
      stream.on('response', (h) => {
        ttfb = performance.now() - started;
        status = Number(h[':status']);
        headers = h;
      });
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => resolve({ status, ttfb, total: performance.now() - started, bytes, headers }));
      stream.on('error', reject);
    });
  }

  close(): void {
    this.session?.close();
  }

  private async connect(): Promise<ClientHttp2Session> {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = connectHttp2(this.base.origin, { ca: this.ca, settings: { initialWindowSize: 16 * 1024 * 1024 - 1 } });
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    session.setLocalWindowSize(64 * 1024 * 1024);
    // A connection lost later fails the stream in flight (its own 'error'); the next get connects again.
    session.on('error', () => undefined);
    this.session = session;
    return session;
  }
}
