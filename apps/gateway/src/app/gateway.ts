import { createService, MetricsRegistry, ServiceOptions } from '@cairn/server-runtime';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { MfeManifestService } from './mfe-manifest/mfe-manifest.service';
import { GatewaySettings } from './settings/gateway-settings';
import { forwardInProcess, forwardToAuthService, InProcessAuth } from './web/auth-proxy';
import { serveWebAssets, spaFallback } from './web/web-assets';
import { addSecurityHeaders } from './web/security-headers';
import { WatchHub } from './watch/watch-hub';
import { registerExecRoute } from './exec/exec.route';
import { ExecService } from './exec/exec.service';
import { guardWrites } from './edge/read-only';
import { CALLERS, Callers } from './auth/callers';

/**
 * The gateway's bound on a request's headers, in bytes (Node's default is 16 KiB): room for the
 * largest session cookie (3 × 3800 bytes, libs/session) beside the largest user-added cluster's
 * entry (USER_CLUSTER_ENTRY_MAX_BYTES, 32 KiB), which the browser sends with every request to
 * that cluster. Past it: a 431 naming the bound.
 */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * `auth`: the auth service running in this process (the all-in-one mode, apps/console); without
 * it `/auth/*` goes to CAIRN_AUTH_SERVICE_URL over HTTP.
 */
export function gatewayOptions(settings: GatewaySettings, auth?: InProcessAuth): ServiceOptions {
  const metrics = new MetricsRegistry();
  return {
    name: 'gateway',
    host: settings.host,
    port: settings.port,
    logLevel: settings.logLevel,
    logFormat: settings.logFormat,
    metrics,
    bodyLimit: settings.limits.bodyBytes,
    maxHeaderBytes: MAX_HEADER_BYTES,
    notFoundFallback: spaFallback(settings.webRoot),
    configure: async (app: NestFastifyApplication) => {
      // Before any route is registered: every route is recorded, and a read-only console refuses the writes.
      guardWrites(app, settings.readOnly ?? false, app.get<Callers>(CALLERS));
      const hub = app.get(WatchHub);
      metrics.gauge('cairn_gateway_upstream_watches', 'Watches open to API servers (shared by subscribers with the same credentials and query).').track(() => hub.stats().upstreams);
      metrics.gauge('cairn_gateway_watch_subscriptions', 'Watch subscriptions of open browser streams.').track(() => hub.stats().subscribers);
      metrics.gauge('cairn_gateway_watch_stream_buffered_bytes', 'Bytes written to browser tabs\' watch streams that their sockets have not taken yet (each tab at most CAIRN_MAX_STREAM_BUFFER_BYTES; upstream watches wait for tabs to drain).').track(() => hub.stats().bufferedBytes);
      const terminals = app.get(ExecService);
      metrics.gauge('cairn_gateway_exec_sessions', 'Open terminals (exec and attach sessions).').track(() => terminals.openSessions());
      metrics.gauge('cairn_gateway_exec_sessions_paused', 'Terminals whose output is paused because their browser does not read.').track(() => terminals.pausedSessions());
      const manifests = app.get(MfeManifestService);
      addSecurityHeaders(app, () => manifests.manifest.remotes);
      // Kubernetes patch bodies are JSON under their own media types.
      const fastify = app.getHttpAdapter().getInstance();
      fastify.addContentTypeParser(
        ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'],
        { parseAs: 'string' },
        (_request, body, done) => {
          try {
            done(null, JSON.parse(body as string));
          } catch {
            done(Object.assign(new Error('The patch body is not valid JSON.'), { statusCode: 400 }), undefined);
          }
        },
      );
      // Built on the first request for it (then kept): a console nobody reads the API document of does not hold it in its heap.
      const document = () => SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Cairn gateway')
          .setDescription(
            "The console's REST API. Every Kubernetes call is made with the caller's own credentials: an `Authorization: Bearer` token (API clients), or the session cookie the auth service writes (the browser). A request that may change something and carries the cookie (and no Authorization or X-Cairn-Cluster header) also needs the header `X-Cairn-CSRF: 1`; the Origin, when sent, must be the console's. Parameters and bodies are validated by the schemas this document is generated from: a 400 names each field and its rule, a 413 the bound a body crossed, and a query or body field a route does not take is a 400.",
          )
          .addBearerAuth()
          .addCookieAuth(settings.sessionCookie ?? 'cairn_session')
          .setVersion('v1')
          .build(),
      );
      SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
      await registerExecRoute(app);
      if (auth) await forwardInProcess(app, auth);
      else await forwardToAuthService(app, settings.authServiceUrl);
      await serveWebAssets(app, settings.webRoot, app.get(MfeManifestService).builtInRemotes);
    },
  };
}

/** The whole gateway, ready to listen: what `main.ts` starts and the tests drive. */
export function createGateway(settings: GatewaySettings, auth?: InProcessAuth): Promise<NestFastifyApplication> {
  return createService(AppModule.forSettings(settings), gatewayOptions(settings, auth));
}
