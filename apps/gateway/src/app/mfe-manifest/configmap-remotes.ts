import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { KubeService } from '../kube/kube.service';
import { lines } from '../kube/lines';
import { GATEWAY_SETTINGS, GatewaySettings } from '../settings/gateway-settings';
import { MfeManifestService } from './mfe-manifest.service';

/** The label that registers a ConfigMap's remote; its `remote.json` key holds the entry. */
export const REMOTE_LABEL = 'cairn.dev/micro-frontend';
export const REMOTE_KEY = 'remote.json';

type ConfigMap = { metadata: { name: string; namespace: string; resourceVersion: string }; data?: Record<string, string> };

/**
 * The second source of the manifest: a team registers its remote by applying one ConfigMap
 * labelled `cairn.dev/micro-frontend=true` in the gateway's namespace; no shell rebuild, no
 * gateway restart. The gateway lists and watches them with its own service account (this
 * is its configuration, not a user's request), re-reading the projected token each time.
 */
@Injectable()
export class ConfigMapRemotes implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MicroFrontends');
  private readonly abort = new AbortController();
  private readonly known = new Map<string, ConfigMap>();

  constructor(
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    private readonly kube: KubeService,
    private readonly manifests: MfeManifestService,
  ) {}

  onModuleInit(): void {
    const source = this.settings.remotesConfigMaps;
    if (!source) return;
    this.logger.log(`watching ConfigMaps labelled ${REMOTE_LABEL}=true in ${source.cluster}/${source.namespace}`);
    void this.run(source.cluster, source.namespace);
  }

  onModuleDestroy(): void {
    this.abort.abort();
  }

  private publish(): void {
    this.manifests.setRegisteredRemotes(
      [...this.known.values()]
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map((cm) => {
          const source = `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}`;
          const text = cm.data?.[REMOTE_KEY];
          if (text === undefined) return { source, value: `has no "${REMOTE_KEY}" key` };
          try {
            return { source, value: JSON.parse(text) as unknown };
          } catch (err) {
            return { source, value: `"${REMOTE_KEY}" is not JSON: ${(err as Error).message}` };
          }
        }),
    );
  }

  private async run(cluster: string, namespace: string): Promise<void> {
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?labelSelector=${encodeURIComponent(`${REMOTE_LABEL}=true`)}`;
    let backoff = 500;
    while (!this.abort.signal.aborted) {
      try {
        const list = await this.kube.openAsGateway(cluster, { method: 'GET', path: base, signal: this.abort.signal });
        const parsed = this.kube.parse(cluster, await this.kube.readBody(list)) as { metadata: { resourceVersion: string }; items: ConfigMap[] };
        this.known.clear();
        for (const cm of parsed.items) this.known.set(cm.metadata.name, cm);
        this.publish();
        await this.follow(cluster, base, parsed.metadata.resourceVersion);
        backoff = 500;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.logger.warn(`registered micro-frontends: ${(err as Error).message}; retrying in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /** Follows the watch, reconnecting from the last resourceVersion; returns on 410 to re-list. */
  private async follow(cluster: string, base: string, resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.abort.signal.aborted) {
      const res = await this.kube.openAsGateway(cluster, {
        method: 'GET',
        path: `${base}&watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`,
        signal: this.abort.signal,
      });
      for await (const line of lines(res, { maxLine: this.kube.limits.lineBytes })) {
        const event = JSON.parse(line) as { type: string; object: ConfigMap & { code?: number } };
        if (event.type === 'ERROR') {
          if (event.object.code === 410) return;
          throw new Error(`watch error ${event.object.code}`);
        }
        rv = event.object.metadata.resourceVersion;
        if (event.type === 'ADDED' || event.type === 'MODIFIED') this.known.set(event.object.metadata.name, event.object);
        else if (event.type === 'DELETED') this.known.delete(event.object.metadata.name);
        if (event.type !== 'BOOKMARK') this.publish();
      }
    }
  }
}
