import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { connect as connectHttp2, constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { connect as connectTls } from 'node:tls';

/**
 * What an upstream request resolves with: the body as a stream, with the status and the
 * headers (lower-case names, no HTTP/2 pseudo-headers). An `IncomingMessage` over HTTP/1.1,
 * a `ClientHttp2Stream` over HTTP/2; `destroy()` ends the request either way (HTTP/2:
 * RST_STREAM CANCEL, the other streams of the connection go on).
 */
export interface UpstreamResponse extends Readable {
  statusCode?: number;
  statusMessage?: string;
  headers: IncomingHttpHeaders;
}

export interface Http2PoolOptions {
  /** `https://host:port` of the API server. */
  origin: URL;
  tls: { ca: string[]; rejectUnauthorized: boolean; servername?: string };
  /**
   * Bytes one stream may have received and not yet been read (the SETTINGS_INITIAL_WINDOW_SIZE
   * this side announces, RFC 9113 §6.9.2): the most a stream whose reader has paused holds in
   * this process. The connection's own window is larger (CONNECTION_WINDOW_BYTES): Node gives
   * back the connection's window as data arrives, so a paused stream never holds up the others.
   */
  streamWindowBytes: number;
  /**
   * Streams one connection carries at most, below the server's own limit (default 100). The
   * API server writes each connection's frames from one goroutine, through one TLS stream: 150
   * streams on one connection moved a 500-pod page and 100 watches' first bursts slower than the
   * same streams over several (issue 20's load), while each connection costs ~200 KiB here.
   */
  maxStreamsPerConnection?: number;
  /** A connection with no stream for this long is closed (milliseconds; default 30 000). */
  idleMs?: number;
  /** Milliseconds to connect, TLS and the server's first SETTINGS included (default 30 000). */
  connectTimeoutMs?: number;
}

/** The connection-level receive window (bytes) announced on every connection. */
export const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** How long a server that did not offer h2 is asked over HTTP/1.1 before it is asked again (ms). */
const HTTP1_RECHECK_MS = 10 * 60 * 1000;

/** Streams one connection carries before the server's SETTINGS say how many it accepts. */
const UNANNOUNCED_STREAMS = 100;

type Connection = { session: ClientHttp2Session; streams: number; limit: number; draining: boolean; idle?: NodeJS.Timeout };

/** The API server did not offer HTTP/2 in the TLS handshake (ALPN): use HTTP/1.1 with it. */
export class Http1Only extends Error {
  constructor(origin: string, protocol: string | false | null) {
    super(`${origin} speaks ${protocol || 'no ALPN protocol'}, not h2`);
  }
}

/**
 * HTTP/2 connections to one API server, shared by every caller (a bearer token travels in each
 * request, never in the connection, as on an HTTP/1.1 keep-alive agent); ClusterConnections
 * sends only watches and followed logs this way (lists read faster over HTTP/1.1, see there). A
 * request goes on an open connection with a free stream (the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS, read before the first request is sent, or
 * `maxStreamsPerConnection` if lower) or on a new one, never into a queue: the streams on it
 * are held for minutes, and a queue behind them would hold a new request back as long. One TLS connection in Node costs about 200 KiB of native memory
 * (OpenSSL's buffers and state): 150 HTTP/1.1 streams cost 33 MiB, the same streams on one
 * HTTP/2 connection 13 MiB, module included (issue 20's footprint). A server that answers
 * ALPN with anything but `h2` makes `request` throw Http1Only, and is asked again only after
 * HTTP1_RECHECK_MS (the caller falls back to HTTP/1.1 meanwhile): a proxy that speaks only
 * HTTP/1.1 costs one extra TLS handshake every 10 minutes, not one per request.
 */
export class Http2Pool {
  private readonly connections: Connection[] = [];
  private opening?: Promise<Connection>;
  private http1Until = 0;
  private readonly idleMs: number;
  private readonly maxStreams: number;
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: Http2PoolOptions) {
    this.idleMs = options.idleMs ?? 30_000;
    this.maxStreams = options.maxStreamsPerConnection ?? UNANNOUNCED_STREAMS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  }

  /** False while the server is known to speak only HTTP/1.1. */
  get speaksHttp2(): boolean {
    return Date.now() >= this.http1Until;
  }

  /** Open connections and the streams each carries (for metrics and tests). */
  get streamsPerConnection(): number[] {
    return this.connections.map((c) => c.streams);
  }

  /**
   * Sends one request and resolves with the response once its headers have arrived. `headers`
   * are regular request headers (any case); `path` includes the query. Rejects with the network
   * or TLS error, an `AbortError` when `signal` aborts, a `TimeoutError`-named error when no
   * headers came within `timeoutMs`, or Http1Only. A stream refused before it was processed
   * (the server's REFUSED_STREAM, beyond a GOAWAY's last stream, or Node's ENHANCE_YOUR_CALM on a
   * connection past its session memory) is sent again once, on another connection.
   */
  async request(req: { method: string; path: string; headers: Record<string, string | string[]>; body?: string; signal?: AbortSignal; timeoutMs: number }): Promise<UpstreamResponse> {
    const deadline = Date.now() + req.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const connection = await this.connection(deadline, req.signal);
      try {
        return await this.send(connection, req, deadline);
      } catch (err) {
        if (attempt === 0 && (err as { refused?: boolean }).refused) continue;
        throw err;
      }
    }
  }

  /** Closes every connection (in-flight streams are cancelled). */
  close(): void {
    for (const c of this.connections.splice(0)) {
      clearTimeout(c.idle);
      c.session.destroy();
    }
  }

  private async connection(deadline: number, signal?: AbortSignal): Promise<Connection> {
    for (;;) {
      if (!this.speaksHttp2) throw new Http1Only(this.options.origin.origin, 'http/1.1');
      signal?.throwIfAborted();
      const free = this.connections.find((c) => !c.draining && !c.session.closed && !c.session.destroyed && c.streams < Math.min(c.limit, this.maxStreams));
      if (free) {
        // Taken now, before any other request awaiting the same connection looks.
        free.streams++;
        clearTimeout(free.idle);
        free.session.ref();
        return free;
      }
      this.opening ??= this.open().finally(() => (this.opening = undefined));
      const left = deadline - Date.now();
      if (left <= 0) throw timeoutError(this.options.origin.origin, 0);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([this.opening, new Promise((_, reject) => (timer = setTimeout(() => reject(timeoutError(this.options.origin.origin, left)), left)))]);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private open(): Promise<Connection> {
    const { origin, tls, streamWindowBytes } = this.options;
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    return new Promise<Connection>((resolve, reject) => {
      const socket = connectTls({
        host,
        port: Number(origin.port || 443),
        ca: tls.ca,
        rejectUnauthorized: tls.rejectUnauthorized,
        servername: tls.servername ?? (isIP(host) ? undefined : host),
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(this.connectTimeoutMs, () => fail(timeoutError(origin.origin, this.connectTimeoutMs)));
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== 'h2') {
          this.http1Until = Date.now() + HTTP1_RECHECK_MS;
          return fail(new Http1Only(origin.origin, socket.alpnProtocol));
        }
        const session = connectHttp2(origin, { createConnection: () => socket, settings: { enablePush: false, initialWindowSize: streamWindowBytes } });
        const connection: Connection = { session, streams: 0, limit: UNANNOUNCED_STREAMS, draining: false };
        session.on('error', (err) => {
          // The streams on it fail with their own errors; a connection that never came up fails its request.
          fail(err);
        });
        session.on('goaway', () => (connection.draining = true));
        session.on('close', () => {
          clearTimeout(connection.idle);
          const at = this.connections.indexOf(connection);
          if (at >= 0) this.connections.splice(at, 1);
          fail(new Error(`${origin.origin} closed the HTTP/2 connection before its settings`));
        });
        session.once('remoteSettings', (settings) => {
          socket.setTimeout(0);
          socket.removeListener('error', fail);
          connection.limit = Math.max(1, Math.min(settings.maxConcurrentStreams ?? UNANNOUNCED_STREAMS, 1000));
          session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
          this.connections.push(connection);
          this.idle(connection);
          resolve(connection);
        });
      });
    });
  }

  private send(connection: Connection, req: { method: string; path: string; headers: Record<string, string | string[]>; body?: string; signal?: AbortSignal }, deadline: number): Promise<UpstreamResponse> {
    const headers: OutgoingHttpHeaders = { [constants.HTTP2_HEADER_METHOD]: req.method, [constants.HTTP2_HEADER_PATH]: req.path };
    for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
    let stream: ClientHttp2Stream;
    try {
      req.signal?.throwIfAborted();
      stream = connection.session.request(headers, { endStream: req.body === undefined });
    } catch (err) {
      this.done(connection);
      throw err;
    }
    stream.once('close', () => this.done(connection));
    // The caller gave up: before the answer, the request fails with the signal's AbortError; after
    // it, the stream is cancelled as a reader's destroy() would (an error emitted then would
    // reach no listener).
    const aborted = () => stream.destroy();
    req.signal?.addEventListener('abort', aborted, { once: true });
    stream.once('close', () => req.signal?.removeEventListener('abort', aborted));
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const left = Math.max(0, deadline - Date.now());
      const timer = setTimeout(() => {
        stream.removeListener('error', failed);
        stream.close(constants.NGHTTP2_CANCEL);
        reject(timeoutError(this.options.origin.origin, left));
      }, left);
      const failed = (err: Error) => {
        clearTimeout(timer);
        if (req.signal?.aborted) return reject(req.signal.reason);
        // Node refuses a new stream itself (ENHANCE_YOUR_CALM) while the connection is past its
        // maxSessionMemory (10 MB of header tables and unsent data): that connection is full.
        const calm = stream.rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM;
        if (calm) connection.limit = Math.max(1, connection.streams - 1);
        const refused = calm || stream.rstCode === constants.NGHTTP2_REFUSED_STREAM || (connection.draining && stream.id === undefined);
        reject(refused ? Object.assign(err, { refused: true }) : err);
      };
      stream.once('error', failed);
      // Closed without an error and without headers (RST_STREAM NO_ERROR, the connection gone).
      stream.once('close', () => failed(new Error(`${this.options.origin.origin} closed the stream before answering`)));
      stream.once('response', (raw) => {
        clearTimeout(timer);
        stream.removeListener('error', failed);
        // From here its reader sees a failure through its reading (for await, pipeline), as it
        // does an IncomingMessage's; the connection going down must not also throw unhandled.
        stream.on('error', () => undefined);
        const status = Number(raw[constants.HTTP2_HEADER_STATUS]);
        const plain: IncomingHttpHeaders = {};
        for (const [name, value] of Object.entries(raw)) if (!name.startsWith(':')) (plain as Record<string, unknown>)[name] = value;
        resolve(Object.assign(stream, { statusCode: status, statusMessage: STATUS_CODES[status] ?? '', headers: plain }));
      });
      if (req.body !== undefined) stream.end(req.body);
    });
  }

  private done(connection: Connection): void {
    connection.streams--;
    if (connection.streams === 0) this.idle(connection);
  }

  /** No stream: the connection stops holding the process up, and closes after `idleMs`. */
  private idle(connection: Connection): void {
    connection.session.unref();
    clearTimeout(connection.idle);
    connection.idle = setTimeout(() => connection.session.close(), this.idleMs);
    connection.idle.unref();
  }
}

function timeoutError(origin: string, ms: number): Error {
  return Object.assign(new Error(`${origin} did not answer within ${Math.round(ms / 1000)} s`), { name: 'TimeoutError' });
}
