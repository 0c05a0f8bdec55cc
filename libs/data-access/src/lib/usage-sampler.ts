import { computed, signal } from '@angular/core';
import type { MetricsReply, UsageSample } from '@cairn/api-contracts';
import { ApiClient, ApiError, query } from './api-client';
import { Permissions } from './permissions';
import { addPoints, USAGE_POLL_MS, type UsagePoint } from './usage-points';

export interface UsageTarget {
  cluster: string;
  kind: 'pods' | 'nodes';
  /** Pods: one namespace (all without). */
  namespace?: string;
  /** One pod or node (a detail page): its points are kept for a chart. */
  name?: string;
}

/**
 * `not-allowed`: the person may not read metrics here (RBAC), so nothing is shown, not an
 * error; `not-served`: the cluster has no metrics.k8s.io (or it is unavailable), said in one
 * quiet line; `error`: reading failed otherwise.
 */
export type UsageState = 'checking' | 'ok' | 'not-allowed' | 'not-served' | 'error';

/** A pod's key in `latest`: `namespace/name`; a node's: its name. */
export const usageKey = (name: string, namespace?: string): string => (namespace ? `${namespace}/${name}` : name);

/**
 * CPU and memory usage of pods or nodes (the gateway's `kubectl top`), read every USAGE_POLL_MS
 * while a page is open and only when an access review says the person may read
 * `metrics.k8s.io` there. `latest` holds the newest sample of each object; for one object
 * (`name`) `points` keeps one point per metrics-server sample, at most MAX_USAGE_POINTS.
 */
export class UsageSampler {
  readonly state = signal<UsageState>('checking');
  /** Why not: the gateway's words for `not-served` and `error`. */
  readonly message = signal('');
  readonly latest = signal<ReadonlyMap<string, UsageSample>>(new Map());
  readonly points = signal<readonly UsagePoint[]>([]);
  readonly shown = computed(() => this.state() === 'ok');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly permissions: Permissions,
    readonly target: UsageTarget,
    private readonly pollMs = USAGE_POLL_MS,
  ) {
    void this.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async start(): Promise<void> {
    const { cluster, kind, namespace, name } = this.target;
    const allowed = await this.permissions
      .can(cluster, { verb: name ? 'get' : 'list', group: 'metrics.k8s.io', resource: kind, namespace: kind === 'pods' ? namespace : undefined, name })
      .catch(() => false);
    if (this.stopped) return;
    if (!allowed) {
      this.state.set('not-allowed');
      return;
    }
    await this.read();
  }

  private async read(): Promise<void> {
    const { cluster, kind, namespace, name } = this.target;
    try {
      const reply = await this.api.json<MetricsReply>('GET', `api/v1/clusters/${encodeURIComponent(cluster)}/metrics/${kind}${query({ namespace: kind === 'pods' ? namespace : undefined, name })}`, { cluster });
      if (this.stopped) return;
      if (!reply.served) {
        this.state.set('not-served');
        this.message.set(reply.message);
      } else {
        this.latest.set(new Map(reply.items.map((s) => [usageKey(s.name, s.namespace), s])));
        if (name) this.points.set(addPoints(this.points(), reply.items));
        this.state.set('ok');
        this.message.set('');
      }
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ApiError && err.status === 403) {
        this.state.set('not-allowed');
        return;
      }
      this.state.set('error');
      this.message.set((err as Error).message);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.read(), this.pollMs);
  }
}
