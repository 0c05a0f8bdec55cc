import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { ApiErrorBody } from '@cairn/api-contracts';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type NotFoundFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * Every error leaves the service as an `ApiErrorBody`. A Nest `HttpException` keeps its
 * status and message; anything else is a bug on our side: it is logged with its stack
 * and the caller gets a 500 that says so, never the stack itself.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** `notFound` may answer a 404 itself (a single-page app's index.html); it returns true when it did. */
  constructor(private readonly notFound?: NotFoundFallback) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (exception instanceof NotFoundException && this.notFound?.(request, reply)) {
      return;
    }
    const body = this.toBody(exception, request);
    // An exception may carry response headers, e.g. Retry-After on a 429.
    const headers = (exception as { headers?: unknown } | null)?.headers;
    if (exception instanceof HttpException && headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') void reply.header(name, value);
    }
    void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ApiErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      if (typeof response === 'object' && response !== null && 'message' in response) {
        const detail = (response as { message: unknown }).message;
        message = Array.isArray(detail) ? detail.join('; ') : String(detail);
      }
      if (statusCode === HttpStatus.PAYLOAD_TOO_LARGE && message === 'Request body is too large') message = tooLargeMessage(request);
      if (statusCode === HttpStatus.NOT_FOUND && message.startsWith('Cannot ')) {
        const path = request.url.split('?')[0] ?? '';
        // The path is the caller's: echo a bounded piece of it.
        message = `There is nothing at ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}; see /api/docs for the API.`;
      }
      // An upstream's reason and field errors (KubeHttpException's `detail`), for views that point at the field.
      const detail = (exception as { detail?: Pick<ApiErrorBody, 'reason' | 'causes'> }).detail;
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(detail?.reason ? { reason: detail.reason } : {}), ...(detail?.causes?.length ? { causes: detail.causes } : {}) };
    }
    // Fastify's own errors (a body that is not JSON, a payload too large) carry a 4xx statusCode.
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      if ((exception as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, error: STATUS_CODES[413] ?? 'Error', message: tooLargeMessage(request) };
      return {
        statusCode: fastifyStatus,
        error: STATUS_CODES[fastifyStatus] ?? 'Error',
        message: (exception as Error).message,
      };
    }
    this.logger.error(
      `${request.method} ${request.url} failed`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      statusCode: 500,
      error: STATUS_CODES[500] ?? 'Internal Server Error',
      message: 'The server failed to answer this request; the error is in its log.',
    };
  }
}

/** Fastify's "Request body is too large", with the bound named (the gateway's CAIRN_MAX_BODY_BYTES). */
function tooLargeMessage(request: FastifyRequest): string {
  const limit = request.routeOptions?.bodyLimit;
  return `The request body is larger than this service accepts${limit ? ` (${limit} bytes, the request-body bound CAIRN_MAX_BODY_BYTES)` : ''}.`;
}
