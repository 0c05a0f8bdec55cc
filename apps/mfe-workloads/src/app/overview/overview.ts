import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KubeObject, WatchStream, LiveList } from '@cairn/data-access';
import { EmptyState, NoCluster, Notice, StatusBadge, TimeAgo } from '@cairn/ui-kit';
import { byLastSeen, eventLastSeen, involvedObject, Problem, PROBLEM_KINDS, problemsAmong } from '@cairn/kube-model';
import { findWorkloadKind, objectPath, WorkloadKind } from '../workload-kinds';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * `/workloads`: problems first — pods that crash-loop or cannot start, pods nobody can
 * schedule, failed jobs, workloads short of replicas, and the latest warning events — then
 * how many of each kind are healthy.
 */
@Component({
  selector: 'cairn-workloads-overview',
  imports: [RouterLink, EmptyState, NoCluster, Notice, StatusBadge, TimeAgo],
  templateUrl: './overview.html',
  styleUrl: './overview.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Overview {
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  protected readonly context = inject(ConsoleContext);
  private readonly lists = signal<Record<string, LiveList>>({});
  protected readonly warnings = signal<KubeObject[]>([]);
  protected readonly warningsError = signal<string | undefined>(undefined);
  private static readonly WATCHED = PROBLEM_KINDS.map((k) => k.resource);

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      untracked(() => {
        for (const list of Object.values(this.lists())) list.stop();
        if (!cluster) return this.lists.set({});
        const lists: Record<string, LiveList> = {};
        for (const resource of Overview.WATCHED) {
          const kind = kindOf(resource);
          lists[resource] = new LiveList(this.api, this.watch, { cluster, namespace, group: kind.group, version: kind.version, resource });
        }
        this.lists.set(lists);
        void this.loadWarnings(cluster, namespace);
      });
    });
    inject(DestroyRef).onDestroy(() => Object.values(this.lists()).forEach((l) => l.stop()));
  }

  private async loadWarnings(cluster: string, namespace: string | undefined): Promise<void> {
    try {
      const events = await this.api.list(cluster, { group: 'core', version: 'v1', resource: 'events' }, { namespace, fieldSelector: 'type=Warning', limit: 200 });
      this.warnings.set([...events.items].sort(byLastSeen).slice(0, 25));
      this.warningsError.set(undefined);
    } catch (err) {
      this.warningsError.set((err as Error).message);
    }
  }

  protected readonly errors = computed(() => [...new Set(Object.values(this.lists()).map((l) => l.error()).filter((e): e is string => Boolean(e)))]);
  protected readonly loading = computed(() => Object.values(this.lists()).some((l) => l.loading()));
  /** Every list refused: the user may not read workloads here at all (all namespaces, or one that is not theirs). */
  protected readonly refusedEverywhere = computed(() => {
    const lists = Object.values(this.lists());
    return lists.length > 0 && !this.loading() && lists.every((l) => l.forbidden());
  });
  /** The namespaces this user said they work in on this cluster (kept in this browser). */
  protected readonly yourNamespaces = computed(() => {
    const cluster = this.context.cluster();
    return cluster ? this.context.allowedNamespaces(cluster).filter((ns) => ns !== this.context.namespace()) : [];
  });

  /** Opens a namespace and remembers it as one of the user's on this cluster. */
  protected open(value: string): void {
    const ns = value.trim();
    const cluster = this.context.cluster();
    if (!ns || !cluster || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) return;
    if (!this.context.allowedNamespaces(cluster).includes(ns)) this.context.setAllowedNamespaces(cluster, [...this.context.allowedNamespaces(cluster), ns]);
    this.context.selectNamespace(ns);
  }

  /** kube-model's rule (`objectProblem`), the same one the home page applies to every cluster. */
  protected readonly problems = computed<Problem[]>(() => {
    const lists = this.lists();
    return problemsAmong((resource) => lists[resource]?.items());
  });

  protected readonly summary = computed(() =>
    Overview.WATCHED.map((resource) => {
      const kind = kindOf(resource);
      const items = this.lists()[resource]?.items() ?? [];
      const healthy = items.filter((o) => ['ok', 'done', 'suspended'].includes(kind.status(o).health)).length;
      return { resource, label: kind.label, total: items.length, healthy };
    }),
  );

  protected field(e: KubeObject, path: string): string {
    return String(path.split('.').reduce<unknown>((v, k) => (v as Any | undefined)?.[k], e) ?? '');
  }

  protected eventTimestamp(e: KubeObject): string | undefined {
    return eventLastSeen(e);
  }

  protected eventLink(e: KubeObject): string[] | undefined {
    const o = involvedObject(e);
    return objectPath(o.kind, o.namespace, o.name);
  }
}

function kindOf(resource: string): WorkloadKind {
  const kind = findWorkloadKind(resource);
  if (!kind) throw new Error(`unknown workload kind ${resource}`);
  return kind;
}
