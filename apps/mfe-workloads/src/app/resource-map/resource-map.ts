import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KubeObject, LiveList, WatchStream } from '@cairn/data-access';
import { MAP_KINDS, MapEdge, MapKind, MapNode, MapRelation, resourceMap, Status } from '@cairn/kube-model';
import { EmptyState, NoCluster, Notice, StatusBadge } from '@cairn/ui-kit';
import { KindResolver } from '../kind-resolver';
import { objectPath } from '../workload-kinds';
import { layoutMap, MapLayout, NODE_HEIGHT, NODE_WIDTH } from './map-layout';

/** Plural words for the "you may not list" note and the list view's headings. */
const PLURAL: Record<string, string> = {
  Deployment: 'Deployments', StatefulSet: 'StatefulSets', DaemonSet: 'DaemonSets', ReplicaSet: 'ReplicaSets', CronJob: 'CronJobs', Job: 'Jobs', Pod: 'Pods', Pods: 'Pod groups',
  Service: 'Services', EndpointSlice: 'EndpointSlices', Ingress: 'Ingresses', HTTPRoute: 'HTTPRoutes', PersistentVolumeClaim: 'PersistentVolumeClaims', ConfigMap: 'ConfigMaps',
  Secret: 'Secrets', ServiceAccount: 'ServiceAccounts', Node: 'Nodes', Nodes: 'Node groups', EndpointSlices: 'EndpointSlice groups',
};
/** The list view's order of kinds: from the outside in. */
const LIST_ORDER = ['Ingress', 'HTTPRoute', 'Service', 'EndpointSlice', 'EndpointSlices', 'CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet', 'Pods', 'Pod', 'PersistentVolumeClaim', 'ConfigMap', 'Secret', 'ServiceAccount', 'Node', 'Nodes'];
/** Edges are drawn in four styles, said in the legend. */
const EDGE_STYLE: Record<MapRelation, 'owns' | 'traffic' | 'uses' | 'placement'> = {
  owns: 'owns', contains: 'owns', endpoints: 'traffic', targets: 'traffic', selects: 'traffic', routes: 'traffic', mounts: 'uses', env: 'uses', 'pulls with': 'uses', 'runs as': 'uses', 'runs on': 'placement',
};

interface ListItem {
  node: MapNode;
  link?: string[];
  out: Array<{ relation: MapRelation; target: MapNode }>;
}

/**
 * `/workloads/map?ns=<namespace>` (and `&kind=<Kind>&name=<name>` for one object): the objects
 * of a namespace and their links, live. Each kind is its own live list (the tab's watch stream,
 * as every list of the console: a whole list streamed in, then followed); kube-model's
 * `resourceMap` turns what they hold into nodes and edges, dagre places them. A kind the user
 * may not list is left out and named; pods are grouped under their owner, a group expands on
 * request. Phones get the same map as a list.
 */
@Component({
  selector: 'cairn-resource-map',
  imports: [RouterLink, EmptyState, NoCluster, Notice, StatusBadge],
  templateUrl: './resource-map.html',
  styleUrl: './resource-map.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ResourceMapPage {
  /** `?kind=Deployment&name=web`: the map of one object. */
  readonly kind = input<string>();
  readonly name = input<string>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly resolver = inject(KindResolver);
  protected readonly context = inject(ConsoleContext);
  protected readonly nodeWidth = NODE_WIDTH;
  protected readonly nodeHeight = NODE_HEIGHT;
  private readonly lists = signal<ReadonlyMap<MapKind, LiveList>>(new Map());
  /** Kinds the cluster does not serve (HTTPRoute without the Gateway API). */
  protected readonly notServed = signal<MapKind[]>([]);
  protected readonly expanded = signal<ReadonlySet<string>>(new Set());

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      untracked(() => this.follow(cluster, namespace));
    });
    inject(DestroyRef).onDestroy(() => this.stopAll());
  }

  private stopAll(): void {
    for (const list of this.lists().values()) list.stop();
    this.lists.set(new Map());
  }

  private follow(cluster: string | undefined, namespace: string | undefined): void {
    this.stopAll();
    this.expanded.set(new Set());
    if (!cluster || !namespace) return;
    const lists = new Map<MapKind, LiveList>();
    const start = (k: (typeof MAP_KINDS)[number]) =>
      lists.set(k.kind, new LiveList(this.api, this.watch, { cluster, group: k.group, version: k.version, resource: k.resource, ...(k.namespaced ? { namespace } : {}) }));
    for (const k of MAP_KINDS) if (k.kind !== 'HTTPRoute') start(k);
    this.lists.set(new Map(lists));
    // The Gateway API's routes only where the cluster serves them (discovery).
    const route = MAP_KINDS.find((k) => k.kind === 'HTTPRoute');
    void this.resolver.resources(cluster).then(
      (resources) => {
        if (this.context.cluster() !== cluster || this.context.namespace() !== namespace || !route) return;
        if (resources.some((r) => r.group === route.group && r.version === route.version && r.resource === route.resource)) {
          start(route);
          this.lists.set(new Map(lists));
          this.notServed.set([]);
        } else this.notServed.set(['HTTPRoute']);
      },
      () => this.notServed.set(['HTTPRoute']),
    );
  }

  protected readonly loading = computed(() => [...this.lists().values()].some((l) => l.loading()));
  /** Kinds the user may not list here. */
  protected readonly hidden = computed(() => [...this.lists()].filter(([, l]) => l.forbidden()).map(([k]) => k));
  /** Lists that failed for another reason than RBAC: said, and left out like the refused ones. */
  protected readonly errors = computed(() => [...this.lists()].filter(([, l]) => !l.forbidden() && l.error()).map(([k, l]) => `${PLURAL[k]}: ${l.error()}`));
  protected readonly polled = computed(() => [...this.lists()].filter(([, l]) => l.refresh() === 'poll').map(([k]) => PLURAL[k] ?? k));
  protected readonly focus = computed(() => {
    const kind = this.kind();
    const name = this.name();
    return kind && name && MAP_KINDS.some((k) => k.kind === kind) ? { kind: kind as MapKind, name } : undefined;
  });

  protected readonly map = computed(() => {
    // A list still loading, or failed for another reason than RBAC, is left out (its objects are not known yet).
    const objects: Partial<Record<MapKind, readonly KubeObject[]>> = {};
    for (const [kind, list] of this.lists()) if (!list.error() && !list.loading()) objects[kind] = list.items();
    return resourceMap({
      namespace: this.context.namespace() ?? '',
      objects,
      hidden: this.hidden(),
      focus: this.focus(),
      expanded: this.expanded(),
    });
  });
  protected readonly hiddenNames = computed(() => this.hidden().map((k) => PLURAL[k] ?? k));

  /** The pods an expanded group draws one by one: listed under the graph, not laid out in it (50 more nodes would cost the layout a long task). */
  private readonly contained = computed(() => new Set(this.map().edges.filter((e) => e.relation === 'contains').map((e) => e.to)));
  protected readonly expandedGroups = computed(() => {
    const byId = this.byId();
    const pods = new Map<string, MapNode[]>();
    for (const e of this.map().edges) {
      const pod = byId.get(e.to);
      if (e.relation === 'contains' && pod) pods.set(e.from, [...(pods.get(e.from) ?? []), pod]);
    }
    return [...pods].map(([id, list]) => ({ group: byId.get(id) as MapNode, pods: list }));
  });
  /** The layout depends only on which nodes and edges there are: a status change does not move anything. */
  private readonly shape = computed(
    () => {
      const contained = this.contained();
      const nodes = this.map().nodes.filter((n) => !contained.has(n.id));
      const edges = this.map().edges.filter((e) => e.relation !== 'contains');
      return { nodes, edges, key: nodes.map((n) => n.id).join('\n') + '\n\n' + edges.map((e) => `${e.from}>${e.to}>${e.relation}`).join('\n') };
    },
    { equal: (a, b) => a.key === b.key },
  );
  protected readonly layout = computed<MapLayout>(() => layoutMap(this.shape().nodes, this.shape().edges));
  private readonly byId = computed(() => new Map(this.map().nodes.map((n) => [n.id, n])));
  /** The nodes in reading order, with their places. */
  protected readonly placed = computed(() => {
    const layout = this.layout();
    const byId = this.byId();
    return layout.order.map((id) => ({ node: byId.get(id), at: layout.nodes.get(id) })).filter((p): p is { node: MapNode; at: { id: string; x: number; y: number } } => Boolean(p.node && p.at));
  });
  protected readonly edges = computed(() => this.layout().edges.map((e) => ({ ...e, style: EDGE_STYLE[e.relation] })));

  /** The phone's view: the same nodes by kind, each with what it links to. */
  protected readonly listed = computed(() => {
    const byId = this.byId();
    const out = new Map<string, ListItem['out']>();
    for (const e of this.map().edges) {
      const target = byId.get(e.to);
      if (target) out.set(e.from, [...(out.get(e.from) ?? []), { relation: e.relation, target }]);
    }
    const sections = new Map<string, ListItem[]>();
    for (const node of this.map().nodes) {
      const items = sections.get(node.kind) ?? [];
      items.push({ node, link: this.link(node), out: out.get(node.id) ?? [] });
      sections.set(node.kind, items);
    }
    return LIST_ORDER.filter((k) => sections.has(k)).map((kind) => ({ kind, label: PLURAL[kind] ?? kind, items: sections.get(kind) ?? [] }));
  });

  protected readonly scope = computed(() => {
    const focus = this.focus();
    return focus ? `${focus.kind} ${focus.name}` : `namespace ${this.context.namespace()}`;
  });

  /** The console's page of a node's object; none for groups, stubs and objects that are not there. */
  protected link(node: MapNode): string[] | undefined {
    if (node.kind === 'Pods' || node.kind === 'Nodes' || node.kind === 'EndpointSlices' || node.notVisible || node.missing) return undefined;
    if (node.kind === 'EndpointSlice') return ['/workloads', 'other', 'discovery.k8s.io', 'v1', 'endpointslices', node.namespace, node.name];
    if (node.kind === 'HTTPRoute') return ['/workloads', 'other', 'gateway.networking.k8s.io', 'v1', 'httproutes', node.namespace, node.name];
    return objectPath(node.kind, node.namespace, node.name);
  }

  protected toggle(id: string): void {
    const next = new Set(this.expanded());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.expanded.set(next);
  }

  /** A pod group's card: how many pods, and how many of each STATUS, coloured by the worst. */
  protected groupCounts(node: MapNode): { total: string; status: Status } {
    const pods = node.pods;
    const total = pods?.total ?? 0;
    return {
      total: `${total} ${total === 1 ? 'pod' : 'pods'}`,
      status: { health: node.status?.health ?? 'done', text: (pods?.byStatus ?? []).map(([s, n]) => `${n} ${s}`).join(', ') || 'none' },
    };
  }

  protected edgeLabel(e: MapEdge): string {
    return `${e.from} ${e.relation} ${e.to}`;
  }
}
