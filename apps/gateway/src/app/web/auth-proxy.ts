import fastifyHttpProxy from '@fastify/http-proxy';
import { Logger } from '@nestjs/common';
import type { ApiErrorBody } from '@cairn/api-contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The browser sees one origin: sign-in pages, the OIDC callback and session endpoints are
 * the auth service's, forwarded by the gateway so the session cookie is first-party.
 */
export async function forwardToAuthService(app: NestFastifyApplication, upstream: URL): Promise<void> {
  const logger = new Logger('AuthProxy');
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
