import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { READ_ONLY_REASON } from '@cairn/api-contracts';
import type { Callers } from '../auth/callers';
import { ATTACH_ROUTE, EXEC_ROUTE } from '../exec/exec.route';
import { AuditRecord, writeAuditLine } from './audit';

/** One route of the gateway's router, as Fastify registered it. */
export interface GatewayRoute {
  method: string;
  /** The route's pattern, e.g. `/api/v1/clusters/:cluster/apply`. */
  url: string;
}

/**
 * Routes whose method is not GET but that change nothing in any cluster: questions asked with
 * a body (access reviews, a pasted kubeconfig checked) and the sign-in conversation the auth
 * service owns (a read-only console is still signed in to). Every other non-GET route is a
 * write: a route added later is refused by a read-only console until it is listed here.
 */
const READS_WITH_A_BODY = new Set([
  'POST /api/v1/clusters/:cluster/access-reviews',
  'POST /api/v1/clusters/check-kubeconfig',
]);
const SIGN_IN_PREFIXES = ['/auth', '/oidc-callback'];

/** GET routes that change something: a terminal creates `pods/exec` (or `pods/attach`) on the API server. */
const WRITES_BY_GET = new Set([EXEC_ROUTE, ATTACH_ROUTE]);

/** Whether `route` may change something in a cluster, so that a read-only console refuses it. */
export function isWriteRoute(route: GatewayRoute): boolean {
  const method = route.method.toUpperCase();
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return WRITES_BY_GET.has(route.url);
  if (SIGN_IN_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) return false;
  return !READS_WITH_A_BODY.has(`${method} ${route.url}`);
}

/**
 * Records every route the gateway's router gets (Nest's controllers, the terminal's WebSocket,
 * the auth proxy, the web assets), so that `gatewayRoutes(app)` is the router's own list, and — when
 * `readOnly` (CAIRN_READ_ONLY) — answers every write route (isWriteRoute) with 403 and
 * READ_ONLY_REASON before its handler, body parser or upgrade runs, whatever the caller's
 * RBAC, leaving an audit line `{"action":"<METHOD> <route>","result":"refused","status":403,
 * "reason":"read-only"}`. Call before any route is registered.
 */
export function guardWrites(app: NestFastifyApplication, readOnly: boolean, callers: Callers): void {
  const fastify = app.getHttpAdapter().getInstance();
  const routes: GatewayRoute[] = [];
  ROUTES.set(app, routes);
  fastify.addHook('onRoute', (options) => {
    for (const method of [options.method].flat()) routes.push({ method: String(method).toUpperCase(), url: options.url });
  });
  if (readOnly) {
    const logger = new Logger('Audit');
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.routeOptions?.url;
      if (url === undefined || !isWriteRoute({ method: request.method, url })) return;
      const record = new AuditRecord();
      record.who = (await callers.signedIn(request).catch(() => undefined))?.name ?? 'unknown';
      record.cluster = (request.params as Record<string, string> | undefined)?.['cluster'];
      record.describe(`${request.method} ${url}`, request.url.split('?')[0]);
      writeAuditLine(logger, record, { result: 'refused', status: 403, reason: 'read-only' });
      // A terminal's handshake answered without an upgrade: this hook runs before @fastify/websocket's own, which would
      // otherwise end that socket, so it is ended here once the answer is out (else it stays half-open and the gateway cannot close).
      if (request.headers.upgrade) reply.raw.once('finish', () => request.raw.socket?.destroy());
      // The body (up to CAIRN_MAX_BODY_BYTES) is never read: the connection ends with the answer instead of waiting for it.
      return reply.code(403).header('cache-control', 'no-store').header('connection', 'close').send({ statusCode: 403, error: 'Forbidden', message: `Refused: ${READ_ONLY_REASON}. Reading still works; ask the console's administrator if you need to change something.` });
    });
  }
}

const ROUTES = new WeakMap<NestFastifyApplication, GatewayRoute[]>();

/** Every route the gateway's router has (recorded by guardWrites), for the tests that must not miss one. */
export function gatewayRoutes(app: NestFastifyApplication): GatewayRoute[] {
  return [...(ROUTES.get(app) ?? [])];
}
