import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { age, ApiClient, ConsoleContext, KubeObject, LiveList, Permissions, ScopedLiveList, UsageSampler, userClusterLabel, WatchStream } from '@cairn/data-access';
import { CellTemplate, ForbiddenState, Notice, ResourceTable, TableColumn, TimeAgo } from '@cairn/ui-kit';
import { ClusterFacts, loadClusterFacts } from '../cluster-facts';
import { ClusterSettings } from '../cluster-settings/cluster-settings';
import { Reachability } from '../reachability/reachability';
import { NodeCondition, NodeFacts, nodeFacts } from './node-facts';
import { eventTime, workloadHealth } from './workload-health';

/** An overview needs the picture, not every object: at most this many of each kind are listed. */
const OVERVIEW = { maxItems: 2000 };

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Warning events shown, newest first. */
const WARNINGS_SHOWN = 20;
/** Problems listed under the health summary, before "and N more". */
const PROBLEMS_SHOWN = 10;

const CORE = { group: 'core', version: 'v1' };
const APPS = { group: 'apps', version: 'v1' };

/** Allocatable and capacity side by side, as the column heads say. */
const alongside = (allocatable: string, capacity: string) => `${allocatable} / ${capacity}`;

/** The nodes table: kubectl's columns, with what the scheduler may use against what the node has. */
const NODE_COLUMNS: TableColumn<NodeFacts>[] = [
  { id: 'name', label: 'Name', value: (n) => n.name, fixed: true, minWidth: 9, grow: 2 },
  { id: 'status', label: 'Status', value: (n) => n.status, status: (n) => ({ health: n.ready ? 'ok' : 'failed', text: n.status }), minWidth: 6.5 },
  { id: 'roles', label: 'Roles', value: (n) => n.roles.join(', ') || '—', minWidth: 5 },
  { id: 'cpu', label: 'CPU', value: (n) => alongside(n.allocatable.cpu, n.capacity.cpu), sortValue: (n) => n.allocatableAmounts.cpu || 0, numeric: true, minWidth: 4.5 },
  { id: 'memory', label: 'Memory', value: (n) => alongside(n.allocatable.memory, n.capacity.memory), sortValue: (n) => n.allocatableAmounts.memory || 0, numeric: true, minWidth: 7.5 },
  { id: 'pods', label: 'Pods', value: (n) => alongside(n.allocatable.pods, n.capacity.pods), sortValue: (n) => n.allocatableAmounts.pods || 0, numeric: true, minWidth: 4.5 },
  { id: 'kubelet', label: 'Kubelet', value: (n) => n.version || '—', minWidth: 5 },
  // Drawn by the view (a chip per condition that matters); the text is what the filter searches, and the most troubled sort first.
  {
    id: 'conditions',
    label: 'Conditions',
    value: (n) => n.conditions.map((c) => `${c.type} is ${c.status}`).join(', '),
    sortValue: (n) => -n.conditions.filter((c) => c.bad).length,
    numeric: true,
    minWidth: 8,
    grow: 1.5,
  },
  { id: 'internal-ip', label: 'Internal IP', value: (n) => n.internalIp ?? '—', hidden: true, minWidth: 7 },
  { id: 'age', label: 'Age', value: (n) => age(n.createdAt), since: (n) => n.createdAt, minWidth: 3.5, grow: 0.5 },
];

/** Where the workloads module shows an object of this kind, if it does. */
const WORKLOAD_PATHS: Record<string, string> = { Pod: 'pods', Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets', Job: 'jobs', CronJob: 'cronjobs' };

/**
 * `/clusters/<name>`: one cluster at a glance, live — its nodes, its namespaces (or, for
 * someone who may not list them, the ones they said they work in), how its workloads are
 * doing, its latest warnings — and its settings in this browser.
 */
@Component({
  selector: 'cairn-cluster-overview',
  imports: [RouterLink, Reachability, ClusterSettings, ResourceTable, CellTemplate, ForbiddenState, Notice, TimeAgo],
  templateUrl: './cluster-overview.html',
  styleUrl: './cluster-overview.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterOverview {
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly permissions = inject(Permissions);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly context = inject(ConsoleContext);

  /** The route's `:name`: the console's name of the cluster (`user:<name>` when added). */
  readonly name = input.required<string>();
  protected readonly label = computed(() => userClusterLabel(this.name()) ?? this.name());
  protected readonly userAdded = computed(() => userClusterLabel(this.name()) !== undefined);

  protected readonly facts = signal<ClusterFacts | undefined>(undefined);
  protected readonly nodes = signal<LiveList | undefined>(undefined);
  /** The nodes' CPU and memory in use (kubectl top nodes), when the cluster serves metrics.k8s.io and the person may read it. */
  protected readonly usage = signal<UsageSampler | undefined>(undefined);
  protected readonly namespaceList = signal<LiveList | undefined>(undefined);
  protected readonly deployments = signal<ScopedLiveList | undefined>(undefined);
  protected readonly pods = signal<ScopedLiveList | undefined>(undefined);
  protected readonly warnings = signal<ScopedLiveList | undefined>(undefined);
  /** The namespaces the user said they work in, on this cluster. */
  protected readonly allowed = signal<string[]>([]);
  private lastRoute: string | undefined;

  constructor() {
    // The overview is of the cluster in the address; choosing another in the top bar opens that one's.
    effect(() => {
      const route = this.name();
      const chosen = this.context.cluster();
      untracked(() => {
        if (route !== this.lastRoute) {
          this.lastRoute = route;
          if (chosen !== route) this.context.selectCluster(route);
        } else if (chosen && chosen !== route) {
          void this.router.navigate(['..', chosen], { relativeTo: this.route, queryParams: { cluster: chosen } });
        }
      });
    });

    effect(() => {
      const cluster = this.name();
      untracked(() => {
        this.nodes()?.stop();
        this.namespaceList()?.stop();
        this.allowed.set(this.context.allowedNamespaces(cluster));
        this.facts.set({ loading: true });
        void loadClusterFacts(this.api, cluster).then((facts) => this.name() === cluster && this.facts.set(facts));
        this.nodes.set(new LiveList(this.api, this.watch, { cluster, ...CORE, resource: 'nodes' }, OVERVIEW));
        this.usage()?.stop();
        this.usage.set(new UsageSampler(this.api, this.permissions, { cluster, kind: 'nodes' }));
        this.namespaceList.set(new LiveList(this.api, this.watch, { cluster, ...CORE, resource: 'namespaces' }, OVERVIEW));
      });
    });

    // Namespaced lists follow the namespaces the user works in where they may not list the cluster's.
    effect(() => {
      const cluster = this.name();
      const allowed = this.allowed();
      untracked(() => {
        for (const list of [this.deployments(), this.pods(), this.warnings()]) list?.stop();
        const fallback = () => allowed;
        this.deployments.set(new ScopedLiveList(this.api, this.watch, { cluster, ...APPS, resource: 'deployments' }, fallback, OVERVIEW));
        this.pods.set(new ScopedLiveList(this.api, this.watch, { cluster, ...CORE, resource: 'pods' }, fallback, OVERVIEW));
        this.warnings.set(new ScopedLiveList(this.api, this.watch, { cluster, ...CORE, resource: 'events', fieldSelector: 'type=Warning' }, fallback, OVERVIEW));
      });
    });

    inject(DestroyRef).onDestroy(() => {
      for (const list of [this.nodes(), this.namespaceList(), this.deployments(), this.pods(), this.warnings()]) list?.stop();
      this.usage()?.stop();
    });
  }

  /** The table sorts them (by name until the user picks a column). */
  protected readonly nodeRows = computed(() => (this.nodes()?.items() ?? []).map(nodeFacts));
  /** kubectl's columns, and once the first sample is in, what each node uses (kubectl top nodes: amount and share of allocatable). */
  protected readonly nodeColumns = computed<TableColumn<NodeFacts>[]>(() => {
    const usage = this.usage();
    if (!usage?.shown()) return NODE_COLUMNS;
    const latest = usage.latest();
    const used = (amount: string | undefined, share: string | undefined) => (amount ? (share ? `${amount} (${share})` : amount) : '');
    const columns: TableColumn<NodeFacts>[] = [
      { id: 'cpu-used', label: 'CPU used', numeric: true, minWidth: 6, value: (n) => used(latest.get(n.name)?.cpu, latest.get(n.name)?.cpuPercent), sortValue: (n) => latest.get(n.name)?.cpuMillicores ?? -1 },
      { id: 'memory-used', label: 'Memory used', numeric: true, minWidth: 7, value: (n) => used(latest.get(n.name)?.memory, latest.get(n.name)?.memoryPercent), sortValue: (n) => latest.get(n.name)?.memoryMiB ?? -1 },
    ];
    const at = NODE_COLUMNS.findIndex((c) => c.id === 'pods');
    return [...NODE_COLUMNS.slice(0, at), ...columns, ...NODE_COLUMNS.slice(at)];
  });
  protected readonly nodeKey = (n: NodeFacts): string => n.name;
  protected readonly nodeLabels = (n: NodeFacts): Record<string, string> => n.labels;
  protected readonly readyNodes = computed(() => this.nodeRows().filter((n) => n.ready).length);

  protected readonly namespaceRows = computed(() =>
    (this.namespaceList()?.items() ?? [])
      .map((ns) => ({ name: ns.metadata.name, phase: String((ns['status'] as Any | undefined)?.['phase'] ?? '') }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
  protected readonly namespacesForbidden = computed(() => this.namespaceList()?.forbidden() ?? false);
  /** The namespaces to offer in the settings: the cluster's, or the user's own. */
  protected readonly knownNamespaces = computed(() => (this.namespaceRows().length ? this.namespaceRows().map((n) => n.name) : this.allowed()));

  /** The cluster answered the status check with "not reachable" (or the check itself failed). */
  protected readonly unreachable = computed(() => {
    const facts = this.facts();
    return Boolean(facts && !facts.loading && !facts.status?.reachable);
  });
  /** Whether a list has answered, so its count means something. */
  protected known(list: LiveList | undefined): boolean {
    return Boolean(list && !this.unreachable() && !list.loading() && !list.error());
  }
  protected readonly healthKnown = computed(() => !this.unreachable() && !this.healthLoading() && this.healthErrors().length === 0 && Boolean(this.deployments()));
  protected readonly warningsKnown = computed(() => !this.unreachable() && Boolean(this.warnings()) && !this.warnings()?.loading() && (this.warnings()?.errors() ?? []).length === 0);
  protected readonly health = computed(() => workloadHealth(this.deployments()?.items() ?? [], this.pods()?.items() ?? []));
  protected readonly healthLoading = computed(() => Boolean(this.deployments()?.loading() || this.pods()?.loading()));
  protected readonly healthErrors = computed(() => [...new Set([...(this.deployments()?.errors() ?? []), ...(this.pods()?.errors() ?? [])])]);
  /** The namespaces the namespaced lists follow one by one, when the cluster-wide ones were refused. */
  protected readonly scopedTo = computed(() => this.pods()?.namespaces() ?? this.deployments()?.namespaces());
  protected readonly scopeRefused = computed(() => this.pods()?.refused() ?? this.deployments()?.refused());

  protected readonly warningRows = computed(() =>
    [...(this.warnings()?.items() ?? [])]
      .sort((a, b) => eventTime(b).localeCompare(eventTime(a)))
      .slice(0, WARNINGS_SHOWN),
  );
  protected readonly warningCount = computed(() => this.warnings()?.items().length ?? 0);

  protected readonly problemsShown = PROBLEMS_SHOWN;
  protected readonly eventTime = eventTime;

  /** The workloads module opens in the namespace chosen here (the console context, not the link, says where the user is). */
  protected openNamespace(namespace: string): void {
    if (this.context.cluster() !== this.name()) this.context.selectCluster(this.name());
    this.context.selectNamespace(namespace);
  }

  protected onAllowedChange(namespaces: string[]): void {
    this.allowed.set(namespaces);
  }

  protected field(o: KubeObject, path: string): string {
    return String(path.split('.').reduce<unknown>((v, k) => (v as Any | undefined)?.[k], o) ?? '');
  }

  /** A link into the workloads module for the object an event is about, when it shows that kind. */
  protected objectLink(kind: string, namespace: string, name: string): string[] | undefined {
    const resource = WORKLOAD_PATHS[kind];
    return resource && namespace ? ['/workloads', resource, namespace, name] : undefined;
  }

  /** The conditions worth a chip: what is wrong, and Ready. */
  protected loudConditions(node: NodeFacts): NodeCondition[] {
    return node.conditions.filter((c) => c.bad || c.type === 'Ready');
  }

  /** The conditions as a healthy node has them (no pressure…), summed up in one chip: "+4 fine". */
  protected quietConditions(node: NodeFacts): { count: number; title: string } | undefined {
    const quiet = node.conditions.filter((c) => !c.bad && c.type !== 'Ready');
    return quiet.length ? { count: quiet.length, title: quiet.map((c) => `${c.type} is ${c.status}`).join(', ') } : undefined;
  }

  protected conditionTitle(c: { type: string; status: string; reason?: string; message?: string }): string {
    return [`${c.type}=${c.status}`, c.reason, c.message].filter(Boolean).join(' · ');
  }
}
