import { ConsoleLogger, DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MetricsRegistry } from '../metrics/metrics';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ErrorBodyFilter, NotFoundFallback } from './error-body.filter';
import { LOG_LEVELS, LogLevel, SettingError } from '../settings/settings';
import { currentHeapLimitLine } from './heap-limit';

export interface ServiceOptions {
  /** The service's name in logs. */
  name: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Fastify plugins and routes that live outside Nest's controllers (static files, proxies). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Answers requests for paths nothing else serves, before they become a 404 error body. */
  notFoundFallback?: NotFoundFallback;
  /** `json`: one JSON object per log line (for log collectors); `text`: for people. Default text. */
  logFormat?: LogFormat;
  /** Served at /metrics, with the HTTP figures every service records added. */
  metrics?: MetricsRegistry;
  /** Largest request body in bytes; a larger one is a 413 naming the bound. Default 2 MiB. */
  bodyLimit?: number;
  /** Largest request head (request line and headers) in bytes; a larger one is a 431 naming the bound. Default Node's (16 KiB). */
  maxHeaderBytes?: number;
}

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Routes whose every request is not worth a log line. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Creates the Nest application on Fastify with the conventions every Cairn service shares. */
export async function createService(module: Type<unknown> | DynamicModule, options: ServiceOptions): Promise<NestFastifyApplication> {
  const logLevels = LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(options.logLevel) + 1) as LogLevel[];
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      // Request bodies are YAML manifests at most; 2 MiB leaves room without inviting abuse.
      bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
      http: { maxHeaderSize: options.maxHeaderBytes ?? maxHeaderSize },
      // Errors Node's parser finds before Fastify sees a request: Fastify's default answers, but a 431 names the bound.
      clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
        if (err.code === 'ECONNRESET' || socket.destroyed) return;
        const [statusCode, message] =
          err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, `The request's headers are larger than ${options.maxHeaderBytes ?? maxHeaderSize} bytes, the most ${options.name} reads: send fewer or smaller headers (cookies, a user-added cluster's entry).`]
            : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? [408, 'The request was not sent in time.']
              : [400, 'The request could not be read.'];
        const body = JSON.stringify({ statusCode, error: STATUS_CODES[statusCode], message });
        if (socket.writable) socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
        socket.destroy(err);
      },
      trustProxy: true,
      // A caller's (or the ingress's) X-Request-Id is kept; otherwise each request gets one.
      requestIdHeader: 'x-request-id',
      genReqId: () => randomUUID(),
      // A path parameter holds at most a 253-character name, percent-encoded (Fastify's default, 100, refused valid names).
      routerOptions: { maxParamLength: 1024 },
      // Errors Fastify finds before routing (a malformed URL, a parameter over the bound) get the same body as every other error.
      frameworkErrors: (error: Error & { code?: string; statusCode?: number }, _request: FastifyRequest, reply: FastifyReply) => {
        const statusCode = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 400;
        const message =
          error.code === 'FST_ERR_BAD_URL'
            ? 'The URL is not valid: a percent sign must start an escape such as %2F.'
            : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
              ? 'A part of the path is longer than 1024 characters; no Kubernetes name is that long.'
              : 'The request could not be read.';
        // No route, so no route's hooks: the headers every answer carries are set here.
        void reply
          .code(statusCode)
          .type('application/json')
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .header('x-frame-options', 'DENY')
          .header('referrer-policy', 'same-origin')
          .send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
      },
    }),
    {
      logger: new ConsoleLogger({ logLevels, json: options.logFormat === 'json', colors: options.logFormat !== 'json' }),
      // Let start-up errors reach runService, which knows a bad setting from a bug.
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new ErrorBodyFilter(options.notFoundFallback));
  app.enableShutdownHooks();
  instrument(app, options);
  await options.configure?.(app);
  return app;
}

/** Request ids on every response, one access-log line per request, and /metrics. */
function instrument(app: NestFastifyApplication, options: ServiceOptions): void {
  const fastify = app.getHttpAdapter().getInstance();
  const log = new Logger('Http');
  const metrics = options.metrics ?? new MetricsRegistry();
  const prefix = `cairn_${options.name.replace(/[^a-z0-9]/gi, '_')}`;
  const requests = metrics.counter(`${prefix}_http_requests_total`, 'HTTP requests answered, by method, route and status.');
  const latency = metrics.histogram(`${prefix}_http_request_duration_seconds`, 'Time to answer an HTTP request (until the end of the response), by method and route.');
  let open = 0;
  metrics.gauge(`${prefix}_http_requests_in_flight`, 'HTTP requests (and streams) open now.').track(() => open);
  const route = (request: FastifyRequest) => request.routeOptions?.url ?? 'unmatched';
  fastify.addHook('onRequest', async (request, reply) => {
    open++;
    // 'close' also fires for streams the handler took over (server-sent events, logs).
    reply.raw.once('close', () => open--);
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const status = String(reply.statusCode);
    requests.inc({ method: request.method, route: route(request), status });
    latency.observe(reply.elapsedTime / 1000, { method: request.method, route: route(request) });
    if (!QUIET_ROUTES.has(route(request))) {
      log.log(`${request.method} ${request.url.split('?')[0]} ${status} ${Math.round(reply.elapsedTime)} ms id=${request.id}`);
    }
  });
  fastify.get('/metrics', async (_request, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store');
    return metrics.render();
  });
}

/** Starts listening and logs where; a port that is taken ends the process with a clear message. */
export async function listen(app: INestApplication, options: ServiceOptions): Promise<void> {
  try {
    await app.listen(options.port, options.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const reason = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
      Logger.error(`${options.host}:${options.port} ${reason}; choose another port with the service's port setting`, options.name);
      process.exit(1);
    }
    throw error;
  }
  Logger.log(`listening on http://${options.host}:${options.port}`, options.name);
  const heap = currentHeapLimitLine();
  Logger[heap.level](heap.text, options.name);
}

/**
 * Runs a service's start-up. A `SettingError` anywhere in it (reading settings, building
 * providers) becomes one line on stderr and exit code 2; anything else exits 1 with its stack.
 */
export function runService(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof SettingError) {
      process.stderr.write(`Cairn cannot start: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Cairn failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
