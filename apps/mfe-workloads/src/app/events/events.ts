import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KubeObject, LiveList, ScopedLiveList, WatchStream } from '@cairn/data-access';
import { byLastSeen, eventCount, eventFieldSelector, EventFilter, eventLastSeen, groupByInvolvedObject, text } from '@cairn/kube-model';
import { EmptyState, NoCluster, Notice, StatusBadge, Status, TimeAgo } from '@cairn/ui-kit';
import { objectPath } from '../workload-kinds';

/**
 * At most this many events are kept in the browser (the newest); past it the page says so and
 * asks for a narrower filter. The list stops there too, so a busy cluster's thousands of events
 * are never read at once.
 */
export const MAX_EVENTS = 500;

/** Kinds offered in the kind filter (any other may be typed). */
const KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Node', 'Service', 'PersistentVolumeClaim', 'HorizontalPodAutoscaler'];

/**
 * `/workloads/events`: the events of the chosen namespace (or every namespace; for someone who
 * may not list them cluster-wide, the namespaces they said are theirs), live on the tab's watch
 * stream, grouped by the object they are about, newest first. Filters (type, reason, involved
 * kind and name) go to the API server as a field selector, exactly as
 * `kubectl get events --field-selector` takes them (kube-model's `eventFieldSelector`).
 */
@Component({
  selector: 'cairn-events',
  imports: [RouterLink, EmptyState, NoCluster, Notice, StatusBadge, TimeAgo],
  templateUrl: './events.html',
  styleUrl: './events.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Events {
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  protected readonly context = inject(ConsoleContext);
  protected readonly kinds = KINDS;
  protected readonly max = MAX_EVENTS;
  protected readonly filter = signal<EventFilter>({});
  protected readonly filterError = signal<string | undefined>(undefined);
  private readonly list = signal<LiveList | ScopedLiveList | undefined>(undefined);

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      const filter = this.filter();
      untracked(() => this.follow(cluster, namespace, filter));
    });
    inject(DestroyRef).onDestroy(() => this.list()?.stop());
  }

  private follow(cluster: string | undefined, namespace: string | undefined, filter: EventFilter): void {
    this.list()?.stop();
    this.list.set(undefined);
    if (!cluster) return;
    let fieldSelector: string | undefined;
    try {
      fieldSelector = eventFieldSelector(filter);
      this.filterError.set(undefined);
    } catch (err) {
      this.filterError.set((err as Error).message);
      return;
    }
    const query = { cluster, group: 'core', version: 'v1', resource: 'events', fieldSelector };
    const options = { maxItems: MAX_EVENTS, keep: { max: MAX_EVENTS, compare: byLastSeen } };
    this.list.set(
      namespace
        ? new LiveList(this.api, this.watch, { ...query, namespace }, options)
        : new ScopedLiveList(this.api, this.watch, query, () => this.context.namespacesFor(this.api, cluster), options),
    );
  }

  protected readonly loading = computed(() => this.list()?.loading() ?? false);
  protected readonly errors = computed(() => {
    const list = this.list();
    if (!list) return [];
    return list instanceof LiveList ? [list.error()].filter((e): e is string => Boolean(e)) : list.errors();
  });
  /** Namespaces followed one by one because the cluster-wide list was refused. */
  protected readonly perNamespace = computed(() => {
    const list = this.list();
    return list instanceof ScopedLiveList ? list.namespaces() : undefined;
  });
  protected readonly refused = computed(() => {
    const list = this.list();
    return list instanceof ScopedLiveList ? list.refused() : undefined;
  });
  protected readonly scope = computed(() => {
    const namespace = this.context.namespace();
    const namespaces = this.perNamespace();
    return namespace ? `in ${namespace}` : namespaces ? `in ${namespaces.join(', ')}` : 'in every namespace';
  });
  protected readonly refresh = computed(() => this.list()?.refresh());
  /** The newest MAX_EVENTS of what the lists hold (several namespaces' lists may hold more together). */
  private readonly events = computed(() => [...(this.list()?.items() ?? [])].sort(byLastSeen).slice(0, MAX_EVENTS));
  protected readonly truncated = computed(() => (this.list()?.truncated() ?? false) || (this.list()?.items().length ?? 0) > MAX_EVENTS);
  protected readonly count = computed(() => this.events().length);
  protected readonly groups = computed(() => groupByInvolvedObject(this.events()));
  protected readonly filtered = computed(() => Object.values(this.filter()).some((v) => Boolean(v)));

  protected setFilter(form: HTMLFormElement): void {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() || undefined;
    const type = value('type');
    const next: EventFilter = { type: type === 'Normal' || type === 'Warning' ? type : undefined, reason: value('reason'), kind: value('kind'), name: value('name') };
    const current = this.filter();
    if (next.type !== current.type || next.reason !== current.reason || next.kind !== current.kind || next.name !== current.name) this.filter.set(next);
  }

  protected clearFilter(form: HTMLFormElement): void {
    form.reset();
    this.filter.set({});
  }

  protected link(kind: string, namespace: string, name: string): string[] | undefined {
    return objectPath(kind, namespace, name);
  }

  protected typeStatus(e: KubeObject): Status {
    const type = text(e['type']) || 'Normal';
    return { health: type === 'Warning' ? 'warning' : 'ok', text: type };
  }

  protected field(e: KubeObject, name: string): string {
    return text(e[name]);
  }

  protected lastSeen(e: KubeObject): string | undefined {
    return eventLastSeen(e);
  }

  protected times(e: KubeObject): number {
    return eventCount(e);
  }
}
