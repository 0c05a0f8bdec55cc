import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KindRef, KubeObject, LiveList, LiveLists, OpenedList, Permissions, POLL_MS, PrintedRows, UsageSampler, usageKey, USAGE_POLL_MS } from '@cairn/data-access';
import type { ClusterSummary } from '@cairn/api-contracts';
import { cellsByObject, durationSeconds, mergedClusters, PrinterColumn, printerColumns } from '@cairn/kube-model';
import { EmptyState, ForbiddenState, NoCluster, parseFilter, PROBLEM_HEALTHS, ResourceTable, Status, TableColumn } from '@cairn/ui-kit';
import { BulkActions } from '../bulk-actions/bulk-actions';
import { kindFromRoute } from '../kind-resolver';
import { WORKLOAD_KINDS } from '../workload-kinds';
import { CreateButton } from '../create/create-button';
import { ClusterChooser } from '../merged-list/cluster-chooser';
import { chosenParam, MergedList } from '../merged-list/merged-list';
import { FilterAddress } from '../filter-address';

/** At most this many namespaces are asked about to decide whether rows can be selected. */
const MAX_NAMESPACE_REVIEWS = 50;

/** The API server's printed table last read for a list, kept with it (LiveLists keeps lists for going back). */
const printedFor = new WeakMap<LiveList, { columns: PrinterColumn[]; cells: Map<string, string[]> }>();

/**
 * One of a kind's columns while its rows are the API server's printed ones: the printed `cell`
 * (none: empty), kubectl's `<none>` as our columns show it (empty), sorted as the column sorts
 * its objects: numbers by the number the cell starts with (`3 (5m ago)`), ages by their
 * duration (youngest first, as `since` sorts).
 */
function printedColumn(column: TableColumn<KubeObject>, cell: string | undefined, cellsOf: (o: KubeObject) => Readonly<Record<string, string>> | undefined): TableColumn<KubeObject> {
  const text = (o: KubeObject) => {
    const value = cell ? (cellsOf(o)?.[cell] ?? '') : '';
    return value === '<none>' ? '' : value;
  };
  const sortValue = column.since
    ? (o: KubeObject) => {
        const seconds = durationSeconds(text(o));
        return Number.isNaN(seconds) ? Number.POSITIVE_INFINITY : seconds;
      }
    : column.numeric || column.sortValue
      ? (o: KubeObject) => {
          const number = parseFloat(text(o));
          return Number.isNaN(number) ? -1 : number;
        }
      : undefined;
  return { ...column, value: text, sortValue, since: undefined };
}

/**
 * `/workloads/:kind`: every object of one kind in the chosen namespace (or all), live, in the
 * console's resource table (filter, sort, columns, virtual scroll), with "problems only", and
 * rows to select for bulk actions where the person may delete or patch them.
 */
@Component({
  selector: 'cairn-workload-list',
  imports: [RouterLink, ResourceTable, EmptyState, ForbiddenState, NoCluster, CreateButton, BulkActions, MergedList, ClusterChooser],
  templateUrl: './workload-list.html',
  styleUrl: './workload-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadList {
  protected readonly pollSeconds = POLL_MS / 1000;
  /** A built-in kind (`/workloads/deployments`)… */
  readonly kind = input<string>();
  /** …or any kind the cluster serves (`/workloads/other/:group/:version/:resource`). */
  readonly group = input<string>();
  readonly version = input<string>();
  readonly resource = input<string>();
  /** The filter, from the address (`?q=app=web`), so a filtered list can be shared. */
  readonly q = input<string>();
  /** Several clusters at once, from the address (`?clusters=a,b`): the merged list (kube-model's `mergedClusters`). */
  readonly clusters = input<string>();
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly filterAddress = new FilterAddress();
  private readonly api = inject(ApiClient);
  private readonly lists = inject(LiveLists);
  private opened: OpenedList | undefined;
  private readonly permissions = inject(Permissions);
  protected readonly context = inject(ConsoleContext);
  /** The keys (`rowKey`) of the rows selected for a bulk action. */
  protected readonly selection = signal<ReadonlySet<string>>(new Set());
  /** Whether rows can be selected: the person may delete or patch this kind in at least one namespace listed. */
  protected readonly selectable = signal(false);
  protected readonly emptySelection: ReadonlySet<string> = new Set();
  protected readonly workloadKind = kindFromRoute(this);
  protected readonly knownKinds = WORKLOAD_KINDS.map((kind) => kind.label).join(', ');
  protected readonly list = signal<LiveList | undefined>(undefined);
  protected readonly problemsOnly = signal(false);
  protected readonly unknownKind = computed(() => `"${this.kind()}" is not a workload kind`);

  /**
   * For a kind listed printed first (`printedFirst`, pods): the API server's rows without objects,
   * read beside a list that is not kept (a kept list is shown at once).
   */
  private readonly printing = signal<PrintedRows | undefined>(undefined);
  /** Each printed row's cells, by the row stub that stands for it until the objects are in. */
  private readonly stubCells = new WeakMap<KubeObject, Readonly<Record<string, string>>>();
  /** The printed rows as stubs (name and namespace only), once every table was read. */
  private readonly stubs = computed<KubeObject[] | undefined>(() => {
    const rows = this.printing()?.rows();
    const kind = untracked(() => this.workloadKind());
    return rows?.map((row) => {
      const stub: KubeObject = { kind: kind?.singular, metadata: { name: row.name, namespace: row.namespace } };
      this.stubCells.set(stub, row.cells);
      return stub;
    });
  });
  /**
   * The printed rows are what is shown: the objects are still being read, the filter asks
   * nothing of labels and "Problems only" is off (stubs have no labels, and their cells cannot
   * tell an unschedulable Pending pod apart: the objects read so far are shown for these).
   */
  protected readonly showingPrinted = computed(() => Boolean(this.list()?.loading() && this.stubs() && !this.problemsOnly() && !parseFilter(this.q() ?? '').some((term) => 'label' in term)));
  /**
   * The printed rows were shown for the list on screen: the note keeps its place (hidden) once
   * the objects are in, so that the page below the list does not move.
   */
  protected readonly printedWereShown = signal(false);

  /** For kinds whose list is kubectl's (CRDs, Services, storage…): the API server's printer columns and each object's cells. */
  private readonly printed = signal<{ columns: PrinterColumn[]; cells: Map<string, string[]> } | undefined>(undefined);
  private printTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pods and nodes: their CPU and memory (kubectl top), when the cluster serves metrics.k8s.io and the person may read it. */
  protected readonly usage = signal<UsageSampler | undefined>(undefined);
  protected readonly usagePollSeconds = USAGE_POLL_MS / 1000;

  /** Every cluster the user has (configured, then added in this browser), for the cluster chooser. */
  protected readonly known = signal<ClusterSummary[] | undefined>(undefined);
  /** The merged list's clusters when the address asks for several; undefined for a plain list. */
  protected readonly merged = computed(() => {
    const param = this.clusters();
    const known = this.known();
    return param && known ? mergedClusters(param, known.map((c) => c.name)) : undefined;
  });
  /** Waiting for the user's clusters before a merged list can start. */
  protected readonly mergedPending = computed(() => Boolean(this.clusters()) && !this.known());

  constructor() {
    void this.api.clusters().then((clusters) => this.known.set(clusters), () => this.known.set([]));
    // The server prints other kinds' columns (a CRD's additionalPrinterColumns, as kubectl shows
    // them): asked again shortly after the live list changes.
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const list = this.list();
      list?.items();
      if (!kind || !cluster || !list || !kind.printed) return;
      untracked(() => {
        clearTimeout(this.printTimer);
        this.printTimer = setTimeout(() => void this.print(cluster, kind, list), this.printed() ? 500 : 0);
      });
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(this.printTimer));
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      const single = !this.clusters();
      untracked(() => {
        this.printed.set(undefined);
        this.selection.set(new Set());
        this.opened?.release();
        this.printing()?.stop();
        this.printedWereShown.set(false);
        const query = kind && cluster && single ? { cluster, namespace: kind.namespaced === false ? undefined : namespace, group: kind.group, version: kind.version, resource: kind.resource } : undefined;
        // A list not read yet is printed first (pods), and its objects are read after that.
        const printing = query && kind?.printedFirst && !this.lists.has(query) ? new PrintedRows(this.api, { ...query, namespaced: kind.namespaced !== false }) : undefined;
        this.printing.set(printing);
        this.opened = query ? this.lists.open(query, undefined, printing?.done) : undefined;
        this.list.set(this.opened?.list);
        // A kept list comes back with the printer columns last read for it (read again after 500 ms).
        this.printed.set(this.opened ? printedFor.get(this.opened.list) : undefined);
      });
    });
    // Kept a while (LiveLists): back from an object's page, the list is there at once.
    inject(DestroyRef).onDestroy(() => {
      this.opened?.release();
      this.printing()?.stop();
    });
    effect(() => {
      if (this.showingPrinted()) untracked(() => this.printedWereShown.set(true));
    });
    // Once the objects are in, the printed rows are not needed again.
    effect(() => {
      const printing = this.printing();
      if (printing && this.list()?.loading() === false) untracked(() => {
        printing.stop();
        this.printing.set(undefined);
      });
    });
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      const single = !this.clusters();
      untracked(() => {
        this.usage()?.stop();
        const measured = kind?.group === 'core' && (kind.resource === 'pods' || kind.resource === 'nodes') ? kind.resource : undefined;
        this.usage.set(measured && cluster && single ? new UsageSampler(this.api, this.permissions, { cluster, kind: measured, namespace: measured === 'pods' ? namespace : undefined }) : undefined);
      });
    });
    inject(DestroyRef).onDestroy(() => this.usage()?.stop());
    // One namespace-level access review per verb and namespace listed (batched): no checkbox for someone who may change nothing here.
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const namespaces = this.listedNamespaces();
      untracked(() => {
        this.selectable.set(false);
        if (!kind || !cluster) return;
        const scopes = kind.namespaced === false ? [undefined] : namespaces.split(' ').filter(Boolean).slice(0, MAX_NAMESPACE_REVIEWS);
        const checks = scopes.flatMap((namespace) => (['delete', 'patch'] as const).map((verb) => this.permissions.can(cluster, { verb, group: kind.group, resource: kind.resource, namespace }).catch(() => false)));
        void Promise.all(checks).then((answers) => {
          if (kind === this.workloadKind() && cluster === this.context.cluster()) this.selectable.set(answers.some(Boolean));
        });
      });
    });
  }

  /** The namespaces of the listed objects, sorted, as one string (so the reviews are asked again only when it changes). */
  private readonly listedNamespaces = computed(() => [...new Set((this.list()?.items() ?? []).map((o) => o.metadata.namespace ?? ''))].sort().join(' '));

  /** The selected objects, as the list has them now. */
  protected readonly selectedObjects = computed(() => {
    const selected = this.selection();
    return selected.size === 0 ? [] : this.rows().filter((o) => selected.has(this.rowKey(o)));
  });

  /** A row's name in its checkbox's label: with its namespace when the list spans several. */
  protected readonly rowLabel = (o: KubeObject): string => (o.metadata.namespace && !this.context.namespace() ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

  /** A row's status: from its printed cells while those are shown, else the kind's rule. */
  private readonly statusOf = computed<((o: KubeObject) => Status) | undefined>(() => {
    const kind = this.workloadKind();
    const printedFirst = kind?.printedFirst;
    if (this.showingPrinted() && printedFirst) return (o) => printedFirst.status(this.stubCells.get(o) ?? {});
    return kind?.status;
  });

  /** Name, namespace (when listing all of them), status, then the kind's own columns (their printed cells while those are shown). */
  protected readonly columns = computed<TableColumn<KubeObject>[]>(() => {
    const kind = this.workloadKind();
    const status = this.statusOf();
    if (!kind || !status) return [];
    const acrossNamespaces = !this.context.namespace() && kind.namespaced !== false;
    const printedFirst = this.showingPrinted() ? kind.printedFirst : undefined;
    const own = printedFirst ? kind.columns.map((column) => printedColumn(column, printedFirst.cells[column.id], (o) => this.stubCells.get(o))) : kind.columns;
    return [
      { id: 'name', label: 'Name', value: (o) => o.metadata.name, link: (o) => [...kind.path, o.metadata.namespace ?? '_', o.metadata.name], fixed: true, minWidth: 14, grow: 2.5 },
      ...(acrossNamespaces ? [{ id: 'namespace', label: 'Namespace', value: (o: KubeObject) => o.metadata.namespace ?? '' }] : []),
      ...(kind.hasStatus === false ? [] : [{ id: 'status', label: 'Status', value: (o: KubeObject) => status(o).text, status, minWidth: 11, grow: 1.5 }]),
      ...this.printerColumns(),
      ...this.usageColumns(),
      // A CRD whose printer columns leave out Age is listed by kubectl without it: Age starts hidden then.
      ...own.map((column) => (column.id === 'age' && this.printed() && !this.printed()?.columns.some((c) => c.name === 'Age') ? { ...column, hidden: true } : column)),
    ];
  });

  /** The server's columns other than Name and Age (ours, the same HumanDuration kept current): `-o wide` ones start hidden. */
  private readonly printerColumns = computed<TableColumn<KubeObject>[]>(() => {
    const printed = this.printed();
    if (!printed) return [];
    return printed.columns
      .map((column, index) => ({ column, index }))
      .filter(({ column }) => column.name !== 'Name' && column.name !== 'Age')
      .map(({ column, index }) => ({
        id: `printer.${column.name}`,
        label: column.name,
        hidden: column.priority > 0,
        numeric: column.type === 'integer' || column.type === 'number',
        value: (o: KubeObject) => printed.cells.get(o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`)?.[index] ?? '',
      }));
  });

  /** CPU and memory as kubectl top prints them (and a node's shares of allocatable), once the first sample is in. */
  private readonly usageColumns = computed<TableColumn<KubeObject>[]>(() => {
    const usage = this.usage();
    if (!usage?.shown()) return [];
    const latest = usage.latest();
    const of = (o: KubeObject) => latest.get(usageKey(o.metadata.name, usage.target.kind === 'pods' ? o.metadata.namespace : undefined));
    const columns: TableColumn<KubeObject>[] = [
      { id: 'usage.cpu', label: 'CPU', numeric: true, value: (o) => of(o)?.cpu ?? '', sortValue: (o) => of(o)?.cpuMillicores ?? -1 },
      { id: 'usage.memory', label: 'Memory', numeric: true, value: (o) => of(o)?.memory ?? '', sortValue: (o) => of(o)?.memoryMiB ?? -1 },
    ];
    if (usage.target.kind === 'nodes') {
      columns.splice(1, 0, { id: 'usage.cpu-percent', label: 'CPU %', numeric: true, value: (o) => of(o)?.cpuPercent ?? '', sortValue: (o) => parseInt(of(o)?.cpuPercent ?? '-1', 10) });
      columns.push({ id: 'usage.memory-percent', label: 'Memory %', numeric: true, value: (o) => of(o)?.memoryPercent ?? '', sortValue: (o) => parseInt(of(o)?.memoryPercent ?? '-1', 10) });
    }
    return columns;
  });

  private async print(cluster: string, kind: KindRef, list: LiveList): Promise<void> {
    try {
      const table = await this.api.table(cluster, kind, { namespace: list.query.namespace });
      const printed = { columns: printerColumns(table), cells: cellsByObject(table) };
      printedFor.set(list, printed);
      // Shown only if the screen still shows that list.
      if (this.list() === list) this.printed.set(printed);
    } catch {
      // The live list says what is wrong; without the table the list keeps its own columns.
    }
  }

  protected readonly rows = computed(() => {
    const status = this.statusOf();
    const items = (this.showingPrinted() ? this.stubs() : this.list()?.items()) ?? [];
    return this.problemsOnly() && status ? items.filter((o) => PROBLEM_HEALTHS.includes(status(o).health)) : items;
  });

  /** A choice of several clusters turns the list into the merged one (kept in the address, so it can be shared). */
  protected chooseClusters(clusters: string[]): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: this.filterAddress.with({ clusters: chosenParam(clusters, this.context.cluster()) }), queryParamsHandling: 'merge' });
  }

  protected setFilter(q: string): void {
    this.filterAddress.set(q);
  }

  protected readonly rowKey = (o: KubeObject): string => o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`;
  protected readonly labels = (o: KubeObject): Record<string, string> | undefined => o.metadata.labels;
}
