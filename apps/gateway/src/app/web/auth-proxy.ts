import { Logger } from '@nestjs/common';
import type { ApiErrorBody } from '@cairn/api-contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The browser sees one origin: sign-in pages, the OIDC callback and session endpoints are
 * the auth service's, forwarded by the gateway so the session cookie is first-party.
 */
export async function forwardToAuthService(app: NestFastifyApplication, upstream: URL): Promise<void> {
  const logger = new Logger('AuthProxy');
  // Loaded here, not with the module: the all-in-one console (forwardInProcess) never needs it or its HTTP client (about 4 MiB of heap; issue 20).
  const { default: fastifyHttpProxy } = await import('@fastify/http-proxy');
  for (const prefix of ['/auth', '/oidc-callback']) {
    await app.register(fastifyHttpProxy, {
      upstream: upstream.origin,
      prefix,
      rewritePrefix: prefix,
      replyOptions: {
        onError: (reply, { error }) => {
          logger.warn(`auth service at ${upstream.origin} did not answer: ${error.message}`);
          const body: ApiErrorBody = {
            statusCode: 502,
            error: 'Bad Gateway',
            message: 'The sign-in service is not answering; try again shortly, and tell your operator if it persists.',
          };
          void reply.code(502).header('cache-control', 'no-store').send(body);
        },
      },
    });
  }
}

/**
 * An auth service running in this same process (the all-in-one mode): what the gateway hands a
 * request for `/auth/*` or `/oidc-callback` to, in memory (Fastify's `inject`), instead of over
 * a loopback connection. Resolves with the auth service's whole answer.
 */
export type InProcessAuth = (request: {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  payload?: Buffer;
  remoteAddress: string;
}) => Promise<{ statusCode: number; headers: Record<string, string | string[] | number | undefined>; rawPayload: Buffer }>;

/** The in-process twin of `forwardToAuthService`: same paths, same first-party cookies, no socket. */
export async function forwardInProcess(app: NestFastifyApplication, auth: InProcessAuth): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(async (scope) => {
    // The auth service parses its own bodies: hand it the bytes as they came.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const forward = async (request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body?: unknown; ip: string }, reply: { code: (n: number) => unknown; header: (k: string, v: unknown) => unknown; send: (b: unknown) => unknown }) => {
      const answer = await auth({ method: request.method, url: request.url, headers: request.headers, payload: Buffer.isBuffer(request.body) ? request.body : undefined, remoteAddress: request.ip });
      reply.code(answer.statusCode);
      for (const [name, value] of Object.entries(answer.headers)) {
        // Framing is the gateway's own connection's business.
        if (value === undefined || ['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) continue;
        reply.header(name, value);
      }
      return reply.send(answer.rawPayload);
    };
    for (const prefix of ['/auth', '/oidc-callback']) {
      scope.all(prefix, forward as never);
      scope.all(`${prefix}/*`, forward as never);
    }
  });
}
