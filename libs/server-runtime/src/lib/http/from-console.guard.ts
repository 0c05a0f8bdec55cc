import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Provider } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CSRF_HEADER } from '@cairn/api-contracts';

/** Methods that change nothing: never refused by the guard. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How one service tells the console's own requests from another site's. */
export interface ConsoleOriginRule {
  /**
   * Whether `origin` (an Origin header, `null` included) is the console's own. The gateway
   * compares it with the Host it was reached at; the auth service with CAIRN_PUBLIC_URL.
   */
  isConsole(origin: string, request: FastifyRequest): boolean;
  /**
   * Requests that cannot have been made by a cross-site page, so need no proof: the gateway
   * exempts requests without any cookie (nothing for another site to ride on) and requests
   * authenticated by a header (Authorization, X-Cairn-Cluster), which a cross-site form cannot
   * send. Absent: no request is exempt (the auth service: a signed-in session is the cookie).
   */
  exempt?(request: FastifyRequest): boolean;
  /** Ends the refusal's first sentence: what the request was trying to do (`change anything here`). */
  action: string;
  /** Added to the refusal for a missing header: what else the caller can do, if anything. */
  hint?: string;
}

export const CONSOLE_ORIGIN_RULE = Symbol('CONSOLE_ORIGIN_RULE');

/**
 * The one CSRF and Origin check of both services (issue 19): every request that may change
 * something (any method but GET, HEAD, OPTIONS) and is not exempt must carry the console's
 * custom header `x-cairn-csrf: 1` (which a cross-site form cannot send, and a cross-site
 * script cannot send without a CORS preflight this server never grants) and, when the browser
 * names an Origin, the console's own. `Origin: null` (a sandboxed frame, a file, a redirect
 * across origins) is never the console's. A refusal is a 403 saying which proof was missing.
 */
@Injectable()
export class FromConsoleGuard implements CanActivate {
  constructor(@Inject(CONSOLE_ORIGIN_RULE) private readonly rule: ConsoleOriginRule) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method) || this.rule.exempt?.(request)) return true;
    if (request.headers[CSRF_HEADER] !== '1') {
      throw new ForbiddenException(`This request needs the ${CSRF_HEADER}: 1 header (the console sends it${this.rule.hint ? `; ${this.rule.hint}` : ''}).`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.rule.isConsole(origin, request)) {
      throw new ForbiddenException(`Requests from ${JSON.stringify(origin).slice(0, 200)} may not ${this.rule.action}.`);
    }
    return true;
  }
}

/** The providers that put FromConsoleGuard in front of every route of a module. */
export function fromConsoleGuard(rule: ConsoleOriginRule): Provider[] {
  return [
    { provide: CONSOLE_ORIGIN_RULE, useValue: rule },
    { provide: APP_GUARD, useClass: FromConsoleGuard },
  ];
}
