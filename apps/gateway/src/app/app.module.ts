import { DynamicModule, Logger, Module } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromConsoleGuard, HealthModule } from '@cairn/server-runtime';
import type { FastifyRequest } from 'fastify';
import type { ReadinessCheck } from '@cairn/api-contracts';
import { GATEWAY_SETTINGS, GatewaySettings } from './settings/gateway-settings';
import { MfeManifestController } from './mfe-manifest/mfe-manifest.controller';
import { MfeManifestService } from './mfe-manifest/mfe-manifest.service';
import { ConfigMapRemotes } from './mfe-manifest/configmap-remotes';
import { VersionController } from './version/version.controller';
import { shellDirectory } from './web/web-assets';
import { CALLERS, Callers } from './auth/callers';
import { ClustersService } from './clusters/clusters.service';
import { USER_CLUSTER_HEADER } from './clusters/user-clusters';
import { ChangesService } from './changes/changes.service';
import { AuditInterceptor } from './edge/audit';
import { SignedInGuard } from './edge/signed-in.guard';
import { ExecService } from './exec/exec.service';
import { LogsService } from './logs/logs.service';
import { PermissionsService } from './permissions/permissions.service';
import { ResourcesService } from './resources/resources.service';
import { AddressPolicy } from './clusters/address-policy';
import { ClustersController } from './clusters/clusters.controller';
import { CLUSTER_CONNECTIONS, ClusterConnections, readBody } from './kube/cluster-connections';
import { KubeService, REQUEST_BUDGET } from './kube/kube.service';
import { RequestBudget } from './kube/request-budget';
import { LogsController } from './logs/logs.controller';
import { PermissionsController } from './permissions/permissions.controller';
import { ResourcesController } from './resources/resources.controller';
import { DiscoveryService } from './resources/discovery.service';
import { ChangesController } from './changes/changes.controller';
import { WatchController } from './watch/watch.controller';
import { WatchHub } from './watch/watch-hub';
import { NodesController } from './nodes/nodes.controller';
import { DebugController } from './debug/debug.controller';
import { DebugService } from './debug/debug.service';
import { HelmController } from './helm/helm.controller';
import { HelmService } from './helm/helm.service';
import { DrainService } from './nodes/drain.service';
import { ConsoleSettingsController } from './settings/console-settings.controller';
import { MyNamespacesController } from './my-namespaces/my-namespaces.controller';
import { MyNamespacesService } from './my-namespaces/my-namespaces.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { SearchController } from './search/search.controller';
import { SearchService } from './search/search.service';

@Module({})
export class AppModule {
  static forSettings(settings: GatewaySettings): DynamicModule {
    const shellIndex = join(shellDirectory(settings.webRoot), 'index.html');
    const connections = new ClusterConnections(settings, settings.userClusterAllow ? new AddressPolicy(settings.userClusterAllow, { internal: settings.userClusterDeny }) : undefined);
    const budget = new RequestBudget(settings.userRequestRate, settings.userRequestRate * 4, settings.sourceRequestRate);
    const callers = new Callers(settings.sessionKeys, {
      beforeVerify: (source) => budget.takeSource(source),
      verifyBearer: connections.list().length ? bearerVerifier(connections) : undefined,
      anonymousUserClusters: settings.anonymousUserClusters,
      sessionCookie: settings.sessionCookie,
      impersonation: { clusters: new Set(settings.clusters.filter((c) => c.impersonation).map((c) => c.name)), mapping: settings.claimMapping },
    });
    warnAboutSignIn(settings, callers);
    const clustersCheck = reachability(connections);
    return {
      module: AppModule,
      imports: [
        HealthModule.register(async () => [
          existsSync(shellIndex)
            ? { name: 'shell', ok: true }
            : { name: 'shell', ok: false, message: `${shellIndex} is missing: build the shell or fix CAIRN_WEB_ROOT` },
          await clustersCheck(),
        ]),
      ],
      controllers: [VersionController, MfeManifestController, ClustersController, ResourcesController, PermissionsController, LogsController, ChangesController, WatchController, NodesController, DebugController, ConsoleSettingsController, HelmController, MyNamespacesController, MetricsController, SearchController],
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: settings },
        // Built here, outside Nest's injector, so a bad remotes file stops start-up with one
        // clear line instead of an injector stack trace.
        { provide: MfeManifestService, useValue: new MfeManifestService(settings) },
        { provide: CLUSTER_CONNECTIONS, useValue: connections },
        { provide: CALLERS, useValue: callers },
        { provide: REQUEST_BUDGET, useValue: budget },
        ...fromConsoleGuard(GATEWAY_ORIGIN_RULE),
        SignedInGuard,
        AuditInterceptor,
        KubeService,
        DiscoveryService,
        SearchService,
        ResourcesService,
        MetricsService,
        ChangesService,
        ClustersService,
        LogsService,
        ExecService,
        DebugService,
        HelmService,
        PermissionsService,
        WatchHub,
        ConfigMapRemotes,
        DrainService,
        MyNamespacesService,
      ],
    };
  }
}

/**
 * The gateway's side of the one CSRF/Origin rule (FromConsoleGuard): the console is whatever
 * Host the gateway was reached at (it may be served under several names), and a request with
 * no cookie at all, or authenticated by a header a cross-site form cannot send
 * (Authorization, X-Cairn-Cluster), needs no proof.
 */
const GATEWAY_ORIGIN_RULE = {
  action: 'change anything here',
  hint: 'an API client sends an Authorization header instead of the cookie',
  isConsole(origin: string, request: FastifyRequest): boolean {
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  },
  exempt(request: FastifyRequest): boolean {
    return !request.headers.cookie || Boolean(request.headers.authorization) || request.headers[USER_CLUSTER_HEADER] !== undefined;
  },
};

/**
 * The readiness check for the configured clusters: ready when none is configured (users add
 * their own) or at least one answers (any HTTP status means it is there). Asked at most every
 * 10 s, so probes do not load the API servers.
 */
function reachability(connections: ClusterConnections): () => Promise<ReadinessCheck> {
  let cached: { at: number; check: ReadinessCheck } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < 10_000) return cached.check;
    const clusters = connections.list();
    const results = await Promise.all(
      clusters.map(async (c) => {
        try {
          const res = await connections.request(c.name, { method: 'GET', path: '/version', timeoutMs: 2000 });
          res.resume();
          return { name: c.name, error: undefined };
        } catch (err) {
          return { name: c.name, error: (err as Error).message };
        }
      }),
    );
    const down = results.filter((r) => r.error);
    const check: ReadinessCheck =
      clusters.length === 0 || down.length < clusters.length
        ? { name: 'clusters', ok: true, ...(down.length ? { message: `unreachable: ${down.map((d) => d.error).join(' ')}` } : {}) }
        : { name: 'clusters', ok: false, message: `no configured cluster answers: ${down.map((d) => d.error).join(' ')}` };
    cached = { at: Date.now(), check };
    return check;
  };
}

/** Says at start who may make the gateway dial user-added clusters. */
function warnAboutSignIn(settings: GatewaySettings, callers: Callers): void {
  const logger = new Logger('Clusters');
  if (!settings.userClusterAllow) return;
  if (settings.anonymousUserClusters) {
    logger.warn('CAIRN_ANONYMOUS_USER_CLUSTERS is true: anyone who reaches this console can make it connect to the addresses CAIRN_USER_CLUSTER_ALLOW permits and read the answers. Use it only on a trusted network.');
  } else if (!callers.hasSignIn) {
    logger.warn('This console has no sign-in (no CAIRN_SESSION_KEY, no configured cluster), so nobody can use user-added clusters; set CAIRN_ANONYMOUS_USER_CLUSTERS=true to let anonymous callers use them.');
  }
}

/**
 * Checks a bearer token with the configured clusters, in order, with a SelfSubjectReview (the
 * API server's own word on whose token it is): the user name from the first that accepts it,
 * else undefined. At most three clusters are asked, each with a 5 s timeout.
 */
function bearerVerifier(connections: ClusterConnections): (token: string) => Promise<string | undefined> {
  return async (token) => {
    // A cluster reached by impersonation does not take people's own tokens (and is not sent one).
    for (const cluster of connections.list().filter((c) => !c.impersonation).slice(0, 3)) {
      try {
        const res = await connections.request(cluster.name, {
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          token,
          body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
          timeoutMs: 5000,
        });
        const text = await readBody(res, 256 * 1024);
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
          const name = (JSON.parse(text) as { status?: { userInfo?: { username?: unknown } } }).status?.userInfo?.username;
          if (typeof name === 'string' && name) return name;
        }
      } catch {
        // Unreachable or unreadable: ask the next one.
      }
    }
    return undefined;
  };
}
