import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import type { ClusterSummary } from '@cairn/api-contracts';
import { ApiClient, ConsoleContext, KubeObject, LiveList, POLL_MS, ScopedLiveList, WatchStream } from '@cairn/data-access';
import { cellsByObject, mergedClustersParam, mergedRowKey, PrinterColumn, printerColumns, unionPrinterColumns } from '@cairn/kube-model';
import { Notice, PROBLEM_HEALTHS, ResourceTable, TableColumn } from '@cairn/ui-kit';
import { KindResolver } from '../kind-resolver';
import { WorkloadKind } from '../workload-kinds';
import { ClusterChooser, clusterLabel } from './cluster-chooser';
import { FilterAddress } from '../filter-address';

/** One cluster's part of a merged list: its live list (or why there is none) and its printed table. */
interface ClusterPart {
  cluster: string;
  /** Why nothing is listed from it before any list starts: discovery failed, or it does not serve the kind. */
  notice: ReturnType<typeof signal<string | undefined>>;
  list: ReturnType<typeof signal<LiveList | ScopedLiveList | undefined>>;
  /** The API server's printer columns and each object's cells, for kinds whose columns are kubectl's. */
  table: ReturnType<typeof signal<{ columns: PrinterColumn[]; cells: Map<string, string[]> } | undefined>>;
  tableError: ReturnType<typeof signal<string | undefined>>;
  timer?: ReturnType<typeof setTimeout>;
}

/** What one cluster contributes, in words, for the list under the table. */
interface PartState {
  cluster: string;
  label: string;
  tone: 'ok' | 'error' | 'warn' | 'loading';
  text: string;
}

/**
 * One kind listed from several clusters at once (`?clusters=a,b`, kube-model's
 * `mergedClusters`): a live list per cluster (watched as a single-cluster list is; per namespace
 * for someone refused the cluster-wide list), merged into one table with a Cluster column, rows
 * told apart by `cluster/namespace/name`, each linking to its page in its own cluster. A cluster
 * that fails (unreachable, 401/403, the kind not served there) says why under the table while
 * the others' rows show; where the API servers print different columns, the union by name is
 * shown and said so. No actions here: a row's page offers what its cluster allows.
 */
@Component({
  selector: 'cairn-merged-list',
  imports: [ResourceTable, Notice, ClusterChooser],
  templateUrl: './merged-list.html',
  styleUrl: './merged-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MergedList {
  readonly kind = input.required<WorkloadKind>();
  /** The clusters read, in order (already bounded). */
  readonly clusters = input.required<readonly string[]>();
  /** Every cluster the user has, for the chooser. */
  readonly known = input.required<readonly ClusterSummary[]>();
  /** What was left out of the address's choice (unknown names, past the bound). */
  readonly problem = input<string>();
  readonly q = input<string>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly resolver = inject(KindResolver);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly filterAddress = new FilterAddress();
  protected readonly context = inject(ConsoleContext);
  protected readonly pollSeconds = POLL_MS / 1000;
  protected readonly problemsOnly = signal(false);
  protected readonly parts = signal<ClusterPart[]>([]);
  /** Each row's cluster: the lists hand out their own objects, so an object's identity says where it came from. */
  private readonly clusterOf = new WeakMap<KubeObject, string>();

  constructor() {
    effect(() => {
      const kind = this.kind();
      const clusters = this.clusters();
      const namespace = this.context.namespace();
      untracked(() => {
        this.stopAll();
        this.parts.set(clusters.map((cluster) => this.start(kind, cluster, namespace)));
      });
    });
    // Kinds whose columns are kubectl's: each cluster's printed table, read again shortly after its live list changes.
    effect(() => {
      const kind = this.kind();
      const namespace = this.context.namespace();
      for (const part of this.parts()) {
        const list = part.list();
        list?.items();
        if (!list || !kind.printed) continue;
        untracked(() => {
          clearTimeout(part.timer);
          part.timer = setTimeout(() => void this.print(part, kind, namespace), part.table() ? 500 : 0);
        });
      }
    });
    inject(DestroyRef).onDestroy(() => this.stopAll());
  }

  private start(kind: WorkloadKind, cluster: string, namespace: string | undefined): ClusterPart {
    const part: ClusterPart = { cluster, notice: signal(undefined), list: signal(undefined), table: signal(undefined), tableError: signal(undefined) };
    void this.resolver.resources(cluster).then(
      (served) => {
        if (this.parts().indexOf(part) < 0) return;
        if (!served.some((r) => r.group === kind.group && r.version === kind.version && r.resource === kind.resource)) {
          part.notice.set(`does not serve ${kind.resource} (${kind.group === 'core' ? '' : `${kind.group}/`}${kind.version})`);
          return;
        }
        const query = { cluster, group: kind.group, version: kind.version, resource: kind.resource };
        part.list.set(
          kind.namespaced !== false && !namespace
            ? new ScopedLiveList(this.api, this.watch, query, () => this.context.namespacesFor(this.api, cluster))
            : new LiveList(this.api, this.watch, { ...query, namespace: kind.namespaced === false ? undefined : namespace }),
        );
      },
      (err: unknown) => {
        if (this.parts().indexOf(part) >= 0) part.notice.set(err instanceof Error ? err.message : String(err));
      },
    );
    return part;
  }

  private async print(part: ClusterPart, kind: WorkloadKind, namespace: string | undefined): Promise<void> {
    try {
      const table = await this.api.table(part.cluster, kind, { namespace: kind.namespaced === false ? undefined : namespace });
      part.table.set({ columns: printerColumns(table), cells: cellsByObject(table) });
      part.tableError.set(undefined);
    } catch (err) {
      // Someone listing per namespace is refused the table across the cluster: the list says so; no columns from it then.
      part.tableError.set(err instanceof Error ? err.message : String(err));
    }
  }

  private stopAll(): void {
    for (const part of this.parts()) {
      clearTimeout(part.timer);
      part.list()?.stop();
    }
  }

  /** Every cluster's objects, each remembered with its cluster. */
  private readonly items = computed(() =>
    this.parts().flatMap((part) => {
      const items = part.list()?.items() ?? [];
      for (const item of items) this.clusterOf.set(item, part.cluster);
      return items;
    }),
  );

  protected readonly rows = computed(() => {
    const kind = this.kind();
    const items = this.items();
    return this.problemsOnly() ? items.filter((o) => PROBLEM_HEALTHS.includes(kind.status(o).health)) : items;
  });

  protected readonly loading = computed(() => this.parts().some((p) => !p.notice() && (!p.list() || p.list()?.loading())));

  /** The clusters' printer columns joined by name (kube-model's `unionPrinterColumns`). */
  protected readonly merged = computed(() => unionPrinterColumns(this.parts().map((p) => ({ cluster: p.cluster, columns: p.table()?.columns }))));

  /** Said when the API servers print different columns for this kind. */
  protected readonly columnNote = computed(() => {
    const merged = this.merged();
    if (!merged.differ && merged.typeConflicts.length === 0) return undefined;
    const missing = merged.missing.map((m) => `${clusterLabel(m.cluster)} prints no ${m.columns.join(', ')}`);
    const conflicts = merged.typeConflicts.length ? [`${merged.typeConflicts.join(', ')} ${merged.typeConflicts.length === 1 ? 'has' : 'have'} different types, sorted as text`] : [];
    return `The clusters' API servers print different columns for ${this.kind().label}: ${[...missing, ...conflicts].join('; ')}. Shown: every column by name, empty where a cluster does not print it.`;
  });

  protected readonly rowKey = (o: KubeObject): string => mergedRowKey(this.clusterOf.get(o) ?? '', o);
  protected readonly labels = (o: KubeObject): Record<string, string> | undefined => o.metadata.labels;
  protected readonly rowLabel = (o: KubeObject): string => `${clusterLabel(this.clusterOf.get(o) ?? '')}: ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

  protected readonly columns = computed<TableColumn<KubeObject>[]>(() => {
    const kind = this.kind();
    const acrossNamespaces = !this.context.namespace() && kind.namespaced !== false;
    const merged = this.merged();
    const parts = new Map(this.parts().map((p) => [p.cluster, p]));
    const printed = merged.columns
      .filter((column) => column.name !== 'Name' && column.name !== 'Age')
      .map<TableColumn<KubeObject>>((column) => ({
        id: `printer.${column.name}`,
        label: column.name,
        hidden: column.priority > 0,
        numeric: column.type === 'integer' || column.type === 'number',
        value: (o) => {
          const cluster = this.clusterOf.get(o) ?? '';
          const index = column.indexIn[cluster];
          return index === undefined ? '' : (parts.get(cluster)?.table()?.cells.get(o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`)?.[index] ?? '');
        },
      }));
    const anyTable = this.parts().some((p) => p.table());
    return [
      {
        id: 'name', label: 'Name', value: (o) => o.metadata.name, fixed: true, minWidth: 14, grow: 2.5,
        link: (o) => [...kind.path, o.metadata.namespace ?? '_', o.metadata.name],
        // Its page is in its own cluster.
        linkQuery: (o) => ({ cluster: this.clusterOf.get(o) ?? null }),
      },
      { id: 'cluster', label: 'Cluster', value: (o) => clusterLabel(this.clusterOf.get(o) ?? ''), minWidth: 11, grow: 1.2 },
      ...(acrossNamespaces ? [{ id: 'namespace', label: 'Namespace', value: (o: KubeObject) => o.metadata.namespace ?? '' }] : []),
      ...(kind.hasStatus === false ? [] : [{ id: 'status', label: 'Status', value: (o: KubeObject) => kind.status(o).text, status: kind.status, minWidth: 11, grow: 1.5 }]),
      ...printed,
      // A CRD whose printer columns leave out Age is listed by kubectl without it: Age starts hidden then.
      ...kind.columns.map((column) => (column.id === 'age' && kind.printed && anyTable && !merged.columns.some((c) => c.name === 'Age') ? { ...column, hidden: true } : column)),
    ];
  });

  /** Each cluster's part in words: how many rows, or why none. */
  protected readonly states = computed<PartState[]>(() =>
    this.parts().map((part) => {
      const label = clusterLabel(part.cluster);
      const base = { cluster: part.cluster, label };
      const notice = part.notice();
      if (notice) return { ...base, tone: 'error', text: notice };
      const list = part.list();
      if (!list || list.loading()) return { ...base, tone: 'loading', text: 'loading…' };
      const kind = this.kind().label;
      if (list instanceof LiveList) {
        const error = list.error();
        if (error) return { ...base, tone: 'error', text: list.forbidden() ? `you may not list ${kind} here: ${error}` : error };
      } else {
        const namespaces = list.namespaces();
        const refused = list.refused();
        if (refused && !namespaces) return { ...base, tone: 'error', text: `you may not list ${kind} across this cluster (${refused}); choose a namespace of yours in the top bar` };
        const errors = list.errors();
        if (errors.length && list.items().length === 0) return { ...base, tone: 'error', text: errors.join('; ') };
      }
      const count = list.items().length;
      const parts = [`${count} ${count === 1 ? this.kind().singular : kind}`];
      if (list instanceof ScopedLiveList && list.namespaces()) parts.push(`in your namespaces ${list.namespaces()?.join(', ')}`);
      if (list.refresh() === 'poll') parts.push(`read again every ${this.pollSeconds} s (you may list, not watch)`);
      const tableError = part.tableError();
      if (tableError && this.kind().printed) parts.push(`its printer columns could not be read: ${tableError}`);
      return { ...base, tone: tableError && this.kind().printed ? 'warn' : 'ok', text: parts.join(', ') };
    }),
  );

  protected readonly failed = computed(() => this.states().filter((s) => s.tone === 'error').length);

  /** With no rows: none there, or none could be read (each cluster's reason is under the table). */
  protected readonly emptyText = computed(() => {
    const label = this.kind().label;
    if (this.failed() === this.parts().length && this.failed() > 0) return `No ${label} could be listed from these clusters: see why below.`;
    return this.problemsOnly() ? `No ${label} need attention in these clusters.` : `There are no ${label} in these clusters${this.failed() ? ' that answered' : ''}.`;
  });

  protected readonly scope = computed(() => {
    const kind = this.kind();
    const where = kind.namespaced === false ? '' : this.context.namespace() ? `in ${this.context.namespace()} ` : 'in all namespaces ';
    const n = this.clusters().length;
    return `${where}of ${n} cluster${n === 1 ? '' : 's'}${this.failed() ? ` (${this.failed()} failed: see below)` : ''}`;
  });

  protected setFilter(q: string): void {
    this.filterAddress.set(q);
  }

  protected choose(clusters: string[]): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: this.filterAddress.with({ clusters: chosenParam(clusters, this.context.cluster()) }), queryParamsHandling: 'merge' });
  }
}

/** The `clusters` parameter for a choice: none (a plain list) when only the current cluster is chosen. */
export function chosenParam(clusters: readonly string[], current: string | undefined): string | null {
  if (clusters.length === 0 || (clusters.length === 1 && clusters[0] === current)) return null;
  return mergedClustersParam(clusters) ?? null;
}
