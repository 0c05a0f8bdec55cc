import { asArray, asNumber, asObject, asString, Json } from './json-shape';
import { nodeStatusText } from './node-status';
import { selectorMatches } from './drain';
import { podStatus } from './pod-status';
import { workloadStatus } from './problems';
import type { Health, Status } from './status';

/**
 * The resource map: which objects of one namespace are linked to which, as a graph of nodes and
 * edges, by the API fields Kubernetes itself links them with. A pure function of the lists the
 * browser holds (`resourceMap`), so a watch event only means computing it again.
 */

/** The kinds the map reads, with the list each comes from; `namespaced: false` for Nodes. */
export const MAP_KINDS = [
  { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', namespaced: true },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', resource: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', resource: 'daemonsets', namespaced: true },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true },
  { kind: 'CronJob', group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true },
  { kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  { kind: 'Pod', group: 'core', version: 'v1', resource: 'pods', namespaced: true },
  { kind: 'Service', group: 'core', version: 'v1', resource: 'services', namespaced: true },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true },
  { kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes', namespaced: true },
  { kind: 'PersistentVolumeClaim', group: 'core', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true },
  { kind: 'ConfigMap', group: 'core', version: 'v1', resource: 'configmaps', namespaced: true },
  { kind: 'Secret', group: 'core', version: 'v1', resource: 'secrets', namespaced: true },
  { kind: 'ServiceAccount', group: 'core', version: 'v1', resource: 'serviceaccounts', namespaced: true },
  { kind: 'Node', group: 'core', version: 'v1', resource: 'nodes', namespaced: false },
] as const;
export type MapKind = (typeof MAP_KINDS)[number]['kind'];

/** A group of pods shown as one node: `Pods`; more Nodes than a group links to one by one: `Nodes`; a Service's many EndpointSlices: `EndpointSlices`. */
export type MapNodeKind = MapKind | 'Pods' | 'Nodes' | 'EndpointSlices';

/**
 * How two objects are linked, and the field that says so:
 * - `owns`: the child's `metadata.ownerReferences` (the controller reference) names the owner;
 *   a pod group hangs off the pods' owner the same way.
 * - `endpoints`: an EndpointSlice's label `kubernetes.io/service-name` names the Service.
 * - `targets`: an EndpointSlice's `endpoints[].targetRef` (kind Pod) names the pod.
 * - `selects`: a Service's `spec.selector` matches the pods' labels (drawn only when the
 *   user may not list EndpointSlices, which say the same with readiness).
 * - `routes`: an Ingress's `spec.rules[].http.paths[].backend.service.name` or
 *   `spec.defaultBackend.service.name`; an HTTPRoute's `spec.rules[].backendRefs[]` of kind Service.
 * - `mounts`: a pod's `spec.volumes[]` (`persistentVolumeClaim.claimName`, `configMap.name`,
 *   `secret.secretName`, `projected.sources[].configMap|secret.name`).
 * - `env`: a container's `envFrom[].configMapRef|secretRef.name` or
 *   `env[].valueFrom.configMapKeyRef|secretKeyRef.name`.
 * - `pulls with`: the pod's `spec.imagePullSecrets[].name`.
 * - `runs as`: the pod's `spec.serviceAccountName` (`default` when unset, as the API server sets it).
 * - `runs on`: the pod's `spec.nodeName`.
 * - `contains`: a pod group's pods, when the group is expanded.
 */
export type MapRelation = 'owns' | 'endpoints' | 'targets' | 'selects' | 'routes' | 'mounts' | 'env' | 'pulls with' | 'runs as' | 'runs on' | 'contains';

export interface MapNode {
  /** `<Kind>/<name>`; a pod group `Pods/<owner id>` (`Pods/-` for pods without an owner); `Nodes/<group id>`. */
  id: string;
  kind: MapNodeKind;
  /** The object's name; for a group, what it groups ("pods of ReplicaSet web-5d9c"). */
  name: string;
  /** Empty for a Node. */
  namespace: string;
  /** Its health, by kube-model's rules; undefined for kinds with no state (ConfigMap, Secret, ServiceAccount, Ingress). */
  status?: Status;
  /** Named by another object (a pod's spec) but of a kind the user may not list: only the name is known. */
  notVisible?: boolean;
  /** Named by another object, of a kind the user may list, but not in the list: it does not exist (yet). */
  missing?: boolean;
  /** For a pod group: how many pods, and how many of each kubectl STATUS, most first. */
  pods?: PodCounts;
  /** For a `Nodes` or `EndpointSlices` summary: the names it stands for. */
  members?: string[];
}

export interface PodCounts {
  total: number;
  /** `[STATUS, count]`, most first, then by name: `[['Running', 118], ['CrashLoopBackOff', 2]]`. */
  byStatus: Array<[string, number]>;
  /** Whether the group's pods are drawn one by one (at most `MAX_EXPANDED_PODS` of them). */
  expanded: boolean;
  /** The pods drawn one by one when expanded: the least healthy first. */
  shown: number;
}

export interface MapEdge {
  from: string;
  to: string;
  relation: MapRelation;
}

export interface ResourceMap {
  nodes: MapNode[];
  edges: MapEdge[];
  /** Kinds the map would show that the user may not list (left out, or drawn as "not visible to you" stubs when something names them). */
  hiddenKinds: MapKind[];
  /** ReplicaSets a Deployment keeps for rollbacks (scaled to 0, no pods), left out. */
  omittedReplicaSets: number;
  /** With a focus: whether that object was found. */
  focusFound?: boolean;
}

export interface MapInput {
  namespace: string;
  /** The objects held for each kind; a kind absent here and not in `hidden` is taken as not served (HTTPRoute on most clusters). */
  objects: Partial<Record<MapKind, readonly Json[]>>;
  /** Kinds the user may not list. */
  hidden?: ReadonlySet<MapKind> | readonly MapKind[];
  /** One workload (or Service, Ingress…): only what links to it is kept (see `resourceMap`). */
  focus?: { kind: MapKind; name: string };
  /** Ids of pod groups to draw pod by pod. */
  expanded?: ReadonlySet<string> | readonly string[];
}

/** An expanded pod group draws at most this many pods one by one (the least healthy first); the rest stay counted in the group. */
export const MAX_EXPANDED_PODS = 50;
/** Pods without an owner are drawn one by one up to this many; past it they are one group, `Pods/-`. */
export const MAX_LONE_PODS = 12;
/** A pod group linked to more Nodes than this gets one `Nodes` summary node instead. */
export const MAX_NODES_PER_GROUP = 6;
/** A Service with more EndpointSlices than this (the controller cuts one every 100 endpoints) gets one `EndpointSlices` summary node. */
export const MAX_SLICES_PER_SERVICE = 3;

const WORKLOAD_RESOURCE = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets', Job: 'jobs' } as const;
const OWNER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'CronJob', 'Job']);
const HEALTH_RANK: Record<Health, number> = { failed: 0, warning: 1, progressing: 2, suspended: 3, ok: 4, done: 5 };

const meta = (o: Json) => asObject(asObject(o)['metadata']);
const nameOf = (o: Json) => asString(meta(o)['name']) ?? '';
const idOf = (kind: string, name: string) => `${kind}/${name}`;

/** The controller owner reference (`controller: true`), else the first, as `{kind, name}`. */
function ownerOf(o: Json): { kind: string; name: string } | undefined {
  const refs = asArray(meta(o)['ownerReferences']).map(asObject);
  const ref = refs.find((r) => r['controller'] === true) ?? refs[0];
  return ref ? { kind: asString(ref['kind']) ?? '', name: asString(ref['name']) ?? '' } : undefined;
}

/** The worse of two healths, by how much attention each needs. */
function worse(a: Health | undefined, b: Health): Health {
  return a === undefined || HEALTH_RANK[b] < HEALTH_RANK[a] ? b : a;
}

/** A CronJob's state: suspended (`spec.suspend`) or how many Jobs it has running (`status.active`), as `kubectl get cronjobs` prints SUSPEND and ACTIVE. */
function cronJobStatus(o: Json): Status {
  if (asObject(asObject(o)['spec'])['suspend'] === true) return { health: 'suspended', text: 'Suspended' };
  return { health: 'ok', text: `${asArray(asObject(asObject(o)['status'])['active']).length} active` };
}

/** A PersistentVolumeClaim's `status.phase`: Bound is well, Pending in progress, Lost a failure. */
function claimStatus(o: Json): Status {
  const phase = asString(asObject(asObject(o)['status'])['phase']) ?? 'Pending';
  return { health: phase === 'Bound' ? 'ok' : phase === 'Lost' ? 'failed' : 'progressing', text: phase };
}

/** An HTTPRoute's `status.parents[].conditions` of type Accepted: all True is well, any False a failure, none yet in progress. */
function routeStatus(o: Json): Status {
  const accepted = asArray(asObject(asObject(o)['status'])['parents']).flatMap((p) => asArray(asObject(p)['conditions']).map(asObject).filter((c) => c['type'] === 'Accepted'));
  if (!accepted.length) return { health: 'progressing', text: 'Not accepted yet' };
  const refused = accepted.find((c) => c['status'] !== 'True');
  return refused ? { health: 'failed', text: asString(refused['reason']) ?? 'Not accepted' } : { health: 'ok', text: 'Accepted' };
}

/** A Node's kubectl STATUS (`nodeStatusText`): Ready is well, anything else a failure; cordoned is a warning. */
function nodeStatus(o: Json): Status {
  const text = nodeStatusText(o);
  return { health: text === 'Ready' ? 'ok' : text.startsWith('Ready,') ? 'warning' : 'failed', text };
}

/** An EndpointSlice's endpoints ready (`endpoints[].conditions.ready` not false) out of all. */
function sliceCounts(o: Json): { ready: number; total: number } {
  const endpoints = asArray(asObject(o)['endpoints']).map(asObject);
  return { ready: endpoints.filter((e) => asObject(e['conditions'])['ready'] !== false).length, total: endpoints.length };
}

/** Endpoints ready out of all: all ready is well, some in progress, none (or no endpoint) a warning. */
function sliceStatus(counts: { ready: number; total: number }): Status {
  return { health: counts.total === 0 || counts.ready === 0 ? 'warning' : counts.ready < counts.total ? 'progressing' : 'ok', text: `${counts.ready}/${counts.total} ready` };
}

/** The Services an Ingress sends to: `spec.defaultBackend.service.name` and every `spec.rules[].http.paths[].backend.service.name`. */
export function ingressBackends(ingress: Json): string[] {
  const spec = asObject(asObject(ingress)['spec']);
  const names = [asString(asObject(asObject(spec['defaultBackend'])['service'])['name'])];
  for (const rule of asArray(spec['rules'])) {
    for (const path of asArray(asObject(asObject(rule)['http'])['paths'])) names.push(asString(asObject(asObject(asObject(path)['backend'])['service'])['name']));
  }
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}

/**
 * The Services of `namespace` an HTTPRoute sends to: its `spec.rules[].backendRefs[]` whose
 * `kind` is Service (the default) in the core group (`group` '' or unset), in the route's own
 * namespace unless `namespace` names another.
 */
export function httpRouteBackends(route: Json, namespace: string): string[] {
  const routeNamespace = asString(meta(route)['namespace']) ?? namespace;
  const names: string[] = [];
  for (const rule of asArray(asObject(asObject(route)['spec'])['rules'])) {
    for (const ref of asArray(asObject(rule)['backendRefs']).map(asObject)) {
      if ((asString(ref['kind']) ?? 'Service') !== 'Service' || (asString(ref['group']) ?? '') !== '') continue;
      if ((asString(ref['namespace']) ?? routeNamespace) !== namespace) continue;
      const name = asString(ref['name']);
      if (name) names.push(name);
    }
  }
  return [...new Set(names)];
}

/** What a pod's spec names, with the relation: volumes, env sources, pull secrets, ServiceAccount, Node (see `MapRelation`). */
export function podReferences(pod: Json): Array<{ kind: MapKind; name: string; relation: MapRelation }> {
  const spec = asObject(asObject(pod)['spec']);
  const out: Array<{ kind: MapKind; name: string; relation: MapRelation }> = [];
  const add = (kind: MapKind, name: Json, relation: MapRelation) => {
    const n = asString(name);
    if (n) out.push({ kind, name: n, relation });
  };
  for (const volume of asArray(spec['volumes']).map(asObject)) {
    add('PersistentVolumeClaim', asObject(volume['persistentVolumeClaim'])['claimName'], 'mounts');
    add('ConfigMap', asObject(volume['configMap'])['name'], 'mounts');
    add('Secret', asObject(volume['secret'])['secretName'], 'mounts');
    for (const source of asArray(asObject(volume['projected'])['sources']).map(asObject)) {
      add('ConfigMap', asObject(source['configMap'])['name'], 'mounts');
      add('Secret', asObject(source['secret'])['name'], 'mounts');
    }
  }
  for (const container of [...asArray(spec['initContainers']), ...asArray(spec['containers'])].map(asObject)) {
    for (const from of asArray(container['envFrom']).map(asObject)) {
      add('ConfigMap', asObject(from['configMapRef'])['name'], 'env');
      add('Secret', asObject(from['secretRef'])['name'], 'env');
    }
    for (const env of asArray(container['env']).map(asObject)) {
      const valueFrom = asObject(env['valueFrom']);
      add('ConfigMap', asObject(valueFrom['configMapKeyRef'])['name'], 'env');
      add('Secret', asObject(valueFrom['secretKeyRef'])['name'], 'env');
    }
  }
  for (const secret of asArray(spec['imagePullSecrets'])) add('Secret', asObject(secret)['name'], 'pulls with');
  add('ServiceAccount', asString(spec['serviceAccountName']) || 'default', 'runs as');
  add('Node', spec['nodeName'], 'runs on');
  return out;
}

/**
 * What was worked out of one object, for as long as that object is held: a list's objects are
 * replaced, never changed, when a watch event comes, so a map computed again after one pod
 * changed reads only that pod again (2 000 pods: the rest are looked up).
 */
const statusMemo = new WeakMap<object, Status>();
const referencesMemo = new WeakMap<object, ReturnType<typeof podReferences>>();
function remembered<T>(memo: WeakMap<object, T>, o: Json, work: (o: Json) => T): T {
  if (typeof o !== 'object' || o === null) return work(o);
  let value = memo.get(o);
  if (value === undefined) {
    value = work(o);
    memo.set(o, value);
  }
  return value;
}

/** `[STATUS, count]` of kubectl's pod STATUS words, most first, then by name. */
function countStatuses(statuses: readonly Status[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s.text, (counts.get(s.text) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** "120 pods: 118 Running, 2 CrashLoopBackOff" */
export function podCountsText(counts: Pick<PodCounts, 'total' | 'byStatus'>): string {
  return `${counts.total} ${counts.total === 1 ? 'pod' : 'pods'}${counts.byStatus.length ? `: ${counts.byStatus.map(([s, n]) => `${n} ${s}`).join(', ')}` : ''}`;
}

/**
 * The map of one namespace (or of one object in it, `input.focus`), from the objects the browser
 * holds for each `MAP_KINDS` kind.
 *
 * - Workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), Services,
 *   EndpointSlices (a Service's more than `MAX_SLICES_PER_SERVICE` as one `EndpointSlices`
 *   node), Ingresses, HTTPRoutes and PersistentVolumeClaims are drawn as they are
 *   listed; ConfigMaps, Secrets, ServiceAccounts and Nodes only when a pod names them (every
 *   namespace has a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap that link to
 *   nothing). A ReplicaSet a Deployment keeps for rollbacks (`spec.replicas` 0, no pods) is
 *   left out and counted in `omittedReplicaSets`.
 * - Pods are grouped under their owner (controller reference): one `Pods` node per owner with
 *   the count of each kubectl STATUS; pods without an owner are drawn one by one up to
 *   `MAX_LONE_PODS`, past it as one group too. A group in `input.expanded` also draws its least
 *   healthy `MAX_EXPANDED_PODS` pods, each linked to the group (`contains`). Every link of a
 *   pod (EndpointSlice targets, Service selectors, volumes, env, ServiceAccount, Node) is drawn
 *   once from its group; a group on more than `MAX_NODES_PER_GROUP` Nodes links to one `Nodes`
 *   summary.
 * - Health: pods by `podStatus` (kubectl's STATUS), a group by its worst pod; workloads by
 *   `workloadStatus` (the problems rule); a CronJob suspended or not; a Service with a selector
 *   whose EndpointSlices have no ready endpoint is a warning ("No ready endpoints"); an
 *   EndpointSlice by its ready endpoints; a PVC by `status.phase`; an HTTPRoute by its parents'
 *   Accepted condition; a Node by kubectl's STATUS. A name another object gives for an object
 *   not in its list is `missing` (warning, "Not found"), or `notVisible` when the user may not
 *   list that kind (`input.hidden`): its name comes from the spec the user could read.
 * - With `focus`: the object, its owners up and owned objects down, everything those link to
 *   directly, and the Ingresses, HTTPRoutes and EndpointSlices of the Services kept. A focused
 *   pod is drawn on its own (its group expanded, the pod among those shown).
 *
 * Runs in time linear in the objects (2 000 pods: a few milliseconds); what it reads of each
 * pod is remembered for that object (objects are taken as never changed in place). Nodes and edges come out
 * sorted (by id), so the same input gives the same map.
 */
export function resourceMap(input: MapInput): ResourceMap {
  const namespace = input.namespace;
  const hidden = new Set<MapKind>(input.hidden ?? []);
  const expanded = new Set(input.expanded ?? []);
  const listOf = (kind: MapKind): readonly Json[] => (hidden.has(kind) ? [] : (input.objects[kind] ?? []));
  const listed = (kind: MapKind) => !hidden.has(kind) && input.objects[kind] !== undefined;
  const nodes = new Map<string, MapNode>();
  const edges = new Map<string, MapEdge>();
  const link = (from: string, to: string, relation: MapRelation) => {
    if (from !== to) edges.set(`${from}\u0000${to}\u0000${relation}`, { from, to, relation });
  };
  const byName = new Map<MapKind, Map<string, Json>>();
  for (const { kind } of MAP_KINDS) byName.set(kind, new Map(listOf(kind).map((o) => [nameOf(o), o])));

  /** A node for an object another one names: drawn as it is listed, as not found, or as not visible. */
  const named = (kind: MapKind, name: string, status?: (o: Json) => Status): string => {
    const id = idOf(kind, name);
    if (nodes.has(id)) return id;
    const object = byName.get(kind)?.get(name);
    const node: MapNode = { id, kind, name, namespace: kind === 'Node' ? '' : namespace };
    if (object !== undefined) {
      if (status) node.status = status(object);
    } else if (hidden.has(kind)) {
      node.notVisible = true;
    } else if (listed(kind)) {
      node.missing = true;
      node.status = { health: 'warning', text: 'Not found' };
    }
    nodes.set(id, node);
    return id;
  };

  // Pods first: which owners have pods decides which old ReplicaSets are left out.
  const podsByOwner = new Map<string, Json[]>();
  const lonePods: Json[] = [];
  for (const pod of listOf('Pod')) {
    const owner = ownerOf(pod);
    if (owner && OWNER_KINDS.has(owner.kind)) {
      const key = idOf(owner.kind, owner.name);
      const list = podsByOwner.get(key);
      if (list) list.push(pod);
      else podsByOwner.set(key, [pod]);
    } else lonePods.push(pod);
  }

  // Workloads and their owners.
  let omittedReplicaSets = 0;
  const statusOf = (kind: MapKind): ((o: Json) => Status) | undefined => {
    if (kind === 'CronJob') return cronJobStatus;
    if (kind in WORKLOAD_RESOURCE) return (o) => workloadStatus(WORKLOAD_RESOURCE[kind as keyof typeof WORKLOAD_RESOURCE], o);
    return undefined;
  };
  for (const kind of ['CronJob', 'Job', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] as const) {
    for (const o of listOf(kind)) {
      const name = nameOf(o);
      const id = idOf(kind, name);
      const owner = ownerOf(o);
      if (kind === 'ReplicaSet' && owner?.kind === 'Deployment' && (asNumber(asObject(asObject(o)['spec'])['replicas']) ?? 1) === 0 && !podsByOwner.has(id)) {
        omittedReplicaSets++;
        continue;
      }
      nodes.set(id, { id, kind, name, namespace, status: statusOf(kind)?.(o) });
      if (owner && OWNER_KINDS.has(owner.kind)) link(named(owner.kind as MapKind, owner.name, statusOf(owner.kind as MapKind)), id, 'owns');
    }
  }

  // Pod groups, and what the pods name.
  const podTarget = new Map<string, string>();
  const podHealths = new Map<string, Status>();
  for (const pod of listOf('Pod')) podHealths.set(nameOf(pod), remembered(statusMemo, pod, podStatus));
  const addGroup = (groupId: string, label: string, pods: Json[], ownerId: string | undefined) => {
    const statuses = pods.map((p) => podHealths.get(nameOf(p)) as Status);
    let health: Health | undefined;
    for (const s of statuses) health = worse(health, s.health);
    const focusPod = input.focus?.kind === 'Pod' ? pods.find((p) => nameOf(p) === input.focus?.name) : undefined;
    const isExpanded = expanded.has(groupId) || focusPod !== undefined;
    const ranked = isExpanded
      ? [...pods].sort((a, b) => HEALTH_RANK[(podHealths.get(nameOf(a)) as Status).health] - HEALTH_RANK[(podHealths.get(nameOf(b)) as Status).health] || nameOf(a).localeCompare(nameOf(b))).slice(0, MAX_EXPANDED_PODS)
      : [];
    if (focusPod !== undefined && !ranked.includes(focusPod)) ranked.push(focusPod);
    const counts: PodCounts = { total: pods.length, byStatus: countStatuses(statuses), expanded: isExpanded, shown: ranked.length };
    nodes.set(groupId, { id: groupId, kind: 'Pods', name: label, namespace, status: { health: health ?? 'done', text: podCountsText(counts) }, pods: counts });
    if (ownerId) link(ownerId, groupId, 'owns');
    for (const pod of ranked) {
      const id = idOf('Pod', nameOf(pod));
      nodes.set(id, { id, kind: 'Pod', name: nameOf(pod), namespace, status: podHealths.get(nameOf(pod)) });
      link(groupId, id, 'contains');
    }
    for (const pod of pods) podTarget.set(nameOf(pod), groupId);
    linkReferences(groupId, pods);
  };
  const linkReferences = (fromId: string, pods: readonly Json[]) => {
    const nodeNames = new Set<string>();
    for (const pod of pods) {
      for (const ref of remembered(referencesMemo, pod, podReferences)) {
        if (ref.kind === 'Node') nodeNames.add(ref.name);
        else link(fromId, named(ref.kind, ref.name, ref.kind === 'PersistentVolumeClaim' ? claimStatus : undefined), ref.relation);
      }
    }
    if (nodeNames.size > MAX_NODES_PER_GROUP) {
      const id = `Nodes/${fromId}`;
      const members = [...nodeNames].sort();
      let health: Health | undefined;
      for (const n of members) {
        const node = byName.get('Node')?.get(n);
        if (node !== undefined) health = worse(health, nodeStatus(node).health);
      }
      nodes.set(id, { id, kind: 'Nodes', name: `${members.length} nodes`, namespace: '', members, status: health ? { health, text: `${members.length} nodes` } : undefined, notVisible: hidden.has('Node') || undefined });
      link(fromId, id, 'runs on');
    } else for (const n of nodeNames) link(fromId, named('Node', n, nodeStatus), 'runs on');
  };
  for (const [ownerId, pods] of podsByOwner) {
    const [kind, ...rest] = ownerId.split('/');
    const ownerName = rest.join('/');
    if (!nodes.has(ownerId)) named(kind as MapKind, ownerName, statusOf(kind as MapKind));
    addGroup(`Pods/${ownerId}`, `pods of ${kind} ${ownerName}`, pods, ownerId);
  }
  if (lonePods.length > MAX_LONE_PODS) addGroup('Pods/-', 'pods without an owner', lonePods, undefined);
  else {
    for (const pod of lonePods) {
      const id = idOf('Pod', nameOf(pod));
      nodes.set(id, { id, kind: 'Pod', name: nameOf(pod), namespace, status: podHealths.get(nameOf(pod)) });
      podTarget.set(nameOf(pod), id);
      linkReferences(id, [pod]);
    }
  }

  // Services, their EndpointSlices (or, when those cannot be listed, their selectors), and what routes to them.
  const slicesByService = new Map<string, Json[]>();
  for (const slice of listOf('EndpointSlice')) {
    const service = asString(asObject(meta(slice)['labels'])['kubernetes.io/service-name']);
    if (!service) continue;
    const list = slicesByService.get(service);
    if (list) list.push(slice);
    else slicesByService.set(service, [slice]);
  }
  const serviceStatus = (service: Json): Status => {
    const spec = asObject(asObject(service)['spec']);
    const type = asString(spec['type']) ?? 'ClusterIP';
    if (listed('EndpointSlice') && Object.keys(asObject(spec['selector'])).length) {
      const ready = (slicesByService.get(nameOf(service)) ?? []).reduce<number>((sum, s) => sum + sliceCounts(s).ready, 0);
      if (ready === 0) return { health: 'warning', text: 'No ready endpoints' };
    }
    return { health: 'ok', text: type };
  };
  const podsListed = listOf('Pod');
  for (const service of listOf('Service')) {
    const id = named('Service', nameOf(service), serviceStatus);
    if (listed('EndpointSlice')) {
      const slices = slicesByService.get(nameOf(service)) ?? [];
      const summary = slices.length > MAX_SLICES_PER_SERVICE ? `EndpointSlices/${nameOf(service)}` : undefined;
      if (summary) {
        const counts = slices.map(sliceCounts).reduce((a, b) => ({ ready: a.ready + b.ready, total: a.total + b.total }), { ready: 0, total: 0 });
        nodes.set(summary, { id: summary, kind: 'EndpointSlices', name: `${slices.length} EndpointSlices`, namespace, status: sliceStatus(counts), members: slices.map(nameOf).sort() });
        link(id, summary, 'endpoints');
      }
      for (const slice of slices) {
        const sliceId = summary ?? idOf('EndpointSlice', nameOf(slice));
        if (!summary) {
          nodes.set(sliceId, { id: sliceId, kind: 'EndpointSlice', name: nameOf(slice), namespace, status: sliceStatus(sliceCounts(slice)) });
          link(id, sliceId, 'endpoints');
        }
        for (const endpoint of asArray(asObject(slice)['endpoints']).map(asObject)) {
          const ref = asObject(endpoint['targetRef']);
          const target = ref['kind'] === 'Pod' ? podTarget.get(asString(ref['name']) ?? '') : undefined;
          if (target) link(sliceId, target, 'targets');
        }
      }
    } else {
      const selector = asObject(asObject(asObject(service)['spec'])['selector']);
      if (Object.keys(selector).length) {
        for (const pod of podsListed) {
          const target = podTarget.get(nameOf(pod));
          if (target && selectorMatches({ matchLabels: selector }, asObject(meta(pod)['labels']) as Record<string, string>)) link(id, target, 'selects');
        }
      }
    }
  }
  for (const ingress of listOf('Ingress')) {
    const id = named('Ingress', nameOf(ingress));
    for (const service of ingressBackends(ingress)) link(id, named('Service', service, serviceStatus), 'routes');
  }
  for (const route of listOf('HTTPRoute')) {
    const id = named('HTTPRoute', nameOf(route), routeStatus);
    for (const service of httpRouteBackends(route, namespace)) link(id, named('Service', service, serviceStatus), 'routes');
  }
  for (const claim of listOf('PersistentVolumeClaim')) named('PersistentVolumeClaim', nameOf(claim), claimStatus);

  let result = { nodes: [...nodes.values()], edges: [...edges.values()] };
  let focusFound: boolean | undefined;
  if (input.focus) {
    const focusId = idOf(input.focus.kind, input.focus.name);
    focusFound = nodes.has(focusId) && !nodes.get(focusId)?.missing && !nodes.get(focusId)?.notVisible;
    result = focused(result, focusId);
  }
  const hiddenKinds = MAP_KINDS.map((k) => k.kind).filter((k) => hidden.has(k));
  return {
    nodes: result.nodes.sort((a, b) => a.id.localeCompare(b.id)),
    edges: result.edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.relation.localeCompare(b.relation)),
    hiddenKinds,
    omittedReplicaSets,
    ...(focusFound === undefined ? {} : { focusFound }),
  };
}

/** The part of a map about one node: see `resourceMap`'s `focus`. */
function focused(map: { nodes: MapNode[]; edges: MapEdge[] }, focusId: string): { nodes: MapNode[]; edges: MapEdge[] } {
  const keep = new Set<string>();
  if (!map.nodes.some((n) => n.id === focusId)) return { nodes: [], edges: [] };
  const ownership = (relation: MapRelation) => relation === 'owns' || relation === 'contains';
  // Owners up, owned down.
  const walk = (start: string, down: boolean) => {
    const queue = [start];
    while (queue.length) {
      const id = queue.pop() as string;
      if (keep.has(id) && id !== start) continue;
      keep.add(id);
      for (const e of map.edges) {
        if (!ownership(e.relation)) continue;
        const next = down ? (e.from === id ? e.to : undefined) : e.to === id ? e.from : undefined;
        if (next && !keep.has(next)) queue.push(next);
      }
    }
  };
  walk(focusId, true);
  walk(focusId, false);
  // One step along every other link.
  const core = new Set(keep);
  for (const e of map.edges) {
    if (ownership(e.relation)) continue;
    if (core.has(e.from)) keep.add(e.to);
    if (core.has(e.to)) keep.add(e.from);
  }
  // An EndpointSlice kept brings its Service; a Service kept, what routes to it and its EndpointSlices; a focused Service or slice, the pods they reach.
  for (const e of map.edges) if (keep.has(e.to) && e.relation === 'endpoints') keep.add(e.from);
  for (const e of map.edges) {
    if (keep.has(e.to) && e.to.startsWith('Service/') && e.relation === 'routes') keep.add(e.from);
    if (keep.has(e.from) && e.from.startsWith('Service/') && e.relation === 'endpoints') keep.add(e.to);
  }
  if (focusId.startsWith('Service/') || focusId.startsWith('EndpointSlice')) {
    for (const e of map.edges) if (keep.has(e.from) && e.relation === 'targets') keep.add(e.to);
  }
  return { nodes: map.nodes.filter((n) => keep.has(n.id)), edges: map.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
}
