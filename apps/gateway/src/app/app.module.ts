import { DynamicModule, Module } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HealthModule } from '@cairn/server-runtime';
import type { ReadinessCheck } from '@cairn/api-contracts';
import { GATEWAY_SETTINGS, GatewaySettings } from './settings/gateway-settings';
import { MfeManifestController } from './mfe-manifest/mfe-manifest.controller';
import { MfeManifestService } from './mfe-manifest/mfe-manifest.service';
import { ConfigMapRemotes } from './mfe-manifest/configmap-remotes';
import { VersionController } from './version/version.controller';
import { shellDirectory } from './web/web-assets';
import { CALLERS, Callers } from './auth/callers';
import { AddressPolicy } from './clusters/address-policy';
import { ClustersController } from './clusters/clusters.controller';
import { CLUSTER_CONNECTIONS, ClusterConnections } from './kube/cluster-connections';
import { KubeService, REQUEST_BUDGET } from './kube/kube.service';
import { RequestBudget } from './kube/request-budget';
import { LogsController } from './logs/logs.controller';
import { PermissionsController } from './permissions/permissions.controller';
import { ResourcesController } from './resources/resources.controller';
import { DiscoveryService } from './resources/discovery.service';
import { ChangesController } from './changes/changes.controller';
import { WatchController } from './watch/watch.controller';
import { WatchHub } from './watch/watch-hub';

@Module({})
export class AppModule {
  static forSettings(settings: GatewaySettings): DynamicModule {
    const shellIndex = join(shellDirectory(settings.webRoot), 'index.html');
    const connections = new ClusterConnections(settings, settings.userClusterAllow ? new AddressPolicy(settings.userClusterAllow) : undefined);
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
      controllers: [VersionController, MfeManifestController, ClustersController, ResourcesController, PermissionsController, LogsController, ChangesController, WatchController],
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: settings },
        // Built here, outside Nest's injector, so a bad remotes file stops start-up with one
        // clear line instead of an injector stack trace.
        { provide: MfeManifestService, useValue: new MfeManifestService(settings) },
        { provide: CLUSTER_CONNECTIONS, useValue: connections },
        { provide: CALLERS, useValue: new Callers(settings.sessionKeys) },
        { provide: REQUEST_BUDGET, useValue: new RequestBudget(settings.userRequestRate, settings.userRequestRate * 4) },
        KubeService,
        DiscoveryService,
        WatchHub,
        ConfigMapRemotes,
      ],
    };
  }
}

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
