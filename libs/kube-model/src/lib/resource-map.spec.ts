import { httpRouteBackends, ingressBackends, MAX_EXPANDED_PODS, MAX_LONE_PODS, MAX_NODES_PER_GROUP, MAX_SLICES_PER_SERVICE, MapInput, podCountsText, podReferences, resourceMap } from './resource-map';

// Objects shaped as the API server returns them (trimmed to the fields that matter), for a
// namespace `shop`: Deployment web → ReplicaSet web-7d4b9 (current) and web-5c6f8 (old, 0
// replicas) → pods; Service web → EndpointSlice web-abcde → the pods; Ingress shop → web;
// pods mount ConfigMap web-config, Secret web-tls, PVC web-data, run as ServiceAccount web.
const NS = 'shop';
const owner = (kind: string, name: string, apiVersion = 'apps/v1') => [{ apiVersion, kind, name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true }];
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, uid: 'uid-web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } }, status: { replicas: 3, availableReplicas: 2, readyReplicas: 2 } };
const replicaSet = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name, namespace: NS, ownerReferences: owner('Deployment', 'web'), labels: { app: 'web', 'pod-template-hash': name.slice(4) } },
  spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': name.slice(4) } } },
  status: { replicas, readyReplicas: replicas ? 2 : 0 },
});
const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] };
const crashLooping = { phase: 'Running', containerStatuses: [{ name: 'web', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } } }] };
const webPodSpec = (node: string) => ({
  nodeName: node,
  serviceAccountName: 'web',
  containers: [{ name: 'web', image: 'nginx:1.27', envFrom: [{ configMapRef: { name: 'web-env' } }], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } }] }],
  volumes: [
    { name: 'config', configMap: { name: 'web-config' } },
    { name: 'tls', secret: { secretName: 'web-tls' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
    { name: 'kube-api-access-x1', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } },
  ],
});
const pod = (name: string, rs: string, status: object, node = 'kwok-node-1') => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: NS, labels: { app: 'web', 'pod-template-hash': rs.slice(4) }, ownerReferences: owner('ReplicaSet', rs) },
  spec: webPodSpec(node),
  status,
});
const pods = [pod('web-7d4b9-a', 'web-7d4b9', running), pod('web-7d4b9-b', 'web-7d4b9', running, 'kwok-node-2'), pod('web-7d4b9-c', 'web-7d4b9', crashLooping)];
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80 }] } };
const slice = {
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: 'web-abcde', namespace: NS, labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: owner('Service', 'web', 'v1') },
  addressType: 'IPv4',
  endpoints: [
    { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-7d4b9-a', namespace: NS } },
    { addresses: ['10.0.0.2'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-7d4b9-b', namespace: NS } },
    { addresses: ['10.0.0.3'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'web-7d4b9-c', namespace: NS } },
  ],
};
const ingress = {
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: NS },
  spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, rules: [{ host: 'shop.example', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } }] } }] },
};
const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'web-data', namespace: NS }, spec: { accessModes: ['ReadWriteOnce'] }, status: { phase: 'Bound' } };
const spareClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: NS }, status: { phase: 'Pending' } };
const node = (name: string, ready: boolean) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] } });

const base = (): MapInput => ({
  namespace: NS,
  objects: {
    Deployment: [deployment], ReplicaSet: [replicaSet('web-7d4b9', 3), replicaSet('web-5c6f8', 0)], StatefulSet: [], DaemonSet: [], Job: [], CronJob: [],
    Pod: pods, Service: [service], EndpointSlice: [slice], Ingress: [ingress], PersistentVolumeClaim: [claim, spareClaim],
    ConfigMap: [{ metadata: { name: 'web-config', namespace: NS } }, { metadata: { name: 'web-env', namespace: NS } }, { metadata: { name: 'kube-root-ca.crt', namespace: NS } }, { metadata: { name: 'unused', namespace: NS } }],
    Secret: [{ metadata: { name: 'web-tls', namespace: NS } }],
    ServiceAccount: [{ metadata: { name: 'default', namespace: NS } }, { metadata: { name: 'web', namespace: NS } }],
    Node: [node('kwok-node-1', true), node('kwok-node-2', false)],
  },
});
const edgeSet = (map: { edges: Array<{ from: string; to: string; relation: string }> }) => map.edges.map((e) => `${e.from} -${e.relation}-> ${e.to}`);

describe('resourceMap: the links Kubernetes itself keeps', () => {
  it('owners (ownerReferences), pods grouped under their ReplicaSet with kubectl STATUS counts, the old ReplicaSet left out', () => {
    const map = resourceMap(base());
    const edges = edgeSet(map);
    expect(edges).toContain('Deployment/web -owns-> ReplicaSet/web-7d4b9');
    expect(edges).toContain('ReplicaSet/web-7d4b9 -owns-> Pods/ReplicaSet/web-7d4b9');
    expect(map.nodes.find((n) => n.id === 'ReplicaSet/web-5c6f8')).toBeUndefined();
    expect(map.omittedReplicaSets).toBe(1);
    const group = map.nodes.find((n) => n.id === 'Pods/ReplicaSet/web-7d4b9');
    expect(group?.pods).toEqual({ total: 3, byStatus: [['Running', 2], ['CrashLoopBackOff', 1]], expanded: false, shown: 0 });
    expect(group?.status).toEqual({ health: 'failed', text: '3 pods: 2 Running, 1 CrashLoopBackOff' });
    // No pod is drawn one by one until the group is expanded.
    expect(map.nodes.filter((n) => n.kind === 'Pod')).toEqual([]);
    expect(map.nodes.find((n) => n.id === 'Deployment/web')?.status).toEqual({ health: 'progressing', text: '2/3 ready' });
  });

  it('Service → EndpointSlice (kubernetes.io/service-name) → the pods its targetRefs name; Ingress backends → Services, a missing one flagged', () => {
    const map = resourceMap(base());
    const edges = edgeSet(map);
    expect(edges).toContain('Service/web -endpoints-> EndpointSlice/web-abcde');
    expect(edges).toContain('EndpointSlice/web-abcde -targets-> Pods/ReplicaSet/web-7d4b9');
    expect(edges).toContain('Ingress/shop -routes-> Service/web');
    expect(edges).toContain('Ingress/shop -routes-> Service/api');
    expect(map.nodes.find((n) => n.id === 'Service/api')).toMatchObject({ missing: true, status: { health: 'warning', text: 'Not found' } });
    expect(map.nodes.find((n) => n.id === 'EndpointSlice/web-abcde')?.status).toEqual({ health: 'progressing', text: '2/3 ready' });
    expect(map.nodes.find((n) => n.id === 'Service/web')?.status).toEqual({ health: 'ok', text: 'ClusterIP' });
    // The slice's ownerReference to its Service is not an "owns" edge of the workload tree.
    expect(edges.filter((e) => e.includes('-owns-> EndpointSlice'))).toEqual([]);
  });

  it('pod volumes, env sources, ServiceAccount and Nodes, drawn once from the group; unreferenced ConfigMaps left out, PVCs kept', () => {
    const map = resourceMap(base());
    const edges = edgeSet(map);
    const g = 'Pods/ReplicaSet/web-7d4b9';
    for (const e of [`${g} -mounts-> ConfigMap/web-config`, `${g} -mounts-> Secret/web-tls`, `${g} -mounts-> PersistentVolumeClaim/web-data`, `${g} -mounts-> ConfigMap/kube-root-ca.crt`,
      `${g} -env-> ConfigMap/web-env`, `${g} -env-> Secret/api-token`, `${g} -runs as-> ServiceAccount/web`, `${g} -runs on-> Node/kwok-node-1`, `${g} -runs on-> Node/kwok-node-2`]) {
      expect(edges).toContain(e);
    }
    expect(edges.filter((e) => e === `${g} -mounts-> ConfigMap/web-config`)).toHaveLength(1);
    expect(map.nodes.find((n) => n.id === 'ConfigMap/unused')).toBeUndefined();
    expect(map.nodes.find((n) => n.id === 'ServiceAccount/default')).toBeUndefined();
    expect(map.nodes.find((n) => n.id === 'PersistentVolumeClaim/scratch')?.status).toEqual({ health: 'progressing', text: 'Pending' });
    expect(map.nodes.find((n) => n.id === 'PersistentVolumeClaim/web-data')?.status).toEqual({ health: 'ok', text: 'Bound' });
    expect(map.nodes.find((n) => n.id === 'Secret/api-token')).toMatchObject({ missing: true });
    expect(map.nodes.find((n) => n.id === 'Node/kwok-node-2')?.status).toEqual({ health: 'failed', text: 'NotReady' });
  });

  it('kinds the user may not list: left out, named in hiddenKinds, and a pod-spec reference becomes a "not visible" stub with no status', () => {
    const input = base();
    input.hidden = ['Secret', 'Node', 'EndpointSlice'];
    const map = resourceMap(input);
    expect(map.hiddenKinds).toEqual(['EndpointSlice', 'Secret', 'Node']);
    const tls = map.nodes.find((n) => n.id === 'Secret/web-tls');
    expect(tls).toEqual({ id: 'Secret/web-tls', kind: 'Secret', name: 'web-tls', namespace: NS, notVisible: true });
    expect(map.nodes.find((n) => n.id === 'Node/kwok-node-1')).toMatchObject({ notVisible: true });
    expect(map.nodes.some((n) => n.kind === 'EndpointSlice')).toBe(false);
    // Without EndpointSlices, the Service's selector links it to the pods.
    expect(edgeSet(map)).toContain('Service/web -selects-> Pods/ReplicaSet/web-7d4b9');
    expect(map.nodes.find((n) => n.id === 'Service/web')?.status).toEqual({ health: 'ok', text: 'ClusterIP' });
  });

  it('a Service with a selector and no ready endpoint is a warning', () => {
    const input = base();
    input.objects.EndpointSlice = [];
    expect(resourceMap(input).nodes.find((n) => n.id === 'Service/web')?.status).toEqual({ health: 'warning', text: 'No ready endpoints' });
  });

  it('a Service with more than MAX_SLICES_PER_SERVICE EndpointSlices gets one summary node with their ready endpoints added up', () => {
    const input = base();
    const slices = Array.from({ length: MAX_SLICES_PER_SERVICE + 2 }, (_, i) => ({ ...slice, metadata: { ...slice.metadata, name: `web-${i}` } }));
    input.objects.EndpointSlice = slices;
    const map = resourceMap(input);
    expect(map.nodes.filter((n) => n.kind === 'EndpointSlice')).toEqual([]);
    expect(map.nodes.find((n) => n.id === 'EndpointSlices/web')).toMatchObject({ kind: 'EndpointSlices', name: '5 EndpointSlices', status: { health: 'progressing', text: '10/15 ready' }, members: ['web-0', 'web-1', 'web-2', 'web-3', 'web-4'] });
    expect(edgeSet(map)).toEqual(expect.arrayContaining(['Service/web -endpoints-> EndpointSlices/web', 'EndpointSlices/web -targets-> Pods/ReplicaSet/web-7d4b9']));
  });

  it('an expanded group draws its least healthy pods first, at most MAX_EXPANDED_PODS', () => {
    const many = Array.from({ length: MAX_EXPANDED_PODS + 30 }, (_, i) => pod(`web-7d4b9-${String(i).padStart(3, '0')}`, 'web-7d4b9', i === 70 ? crashLooping : running));
    const input = { ...base(), objects: { ...base().objects, Pod: many }, expanded: ['Pods/ReplicaSet/web-7d4b9'] };
    const map = resourceMap(input);
    const shown = map.nodes.filter((n) => n.kind === 'Pod');
    expect(shown).toHaveLength(MAX_EXPANDED_PODS);
    expect(shown.some((n) => n.name === 'web-7d4b9-070')).toBe(true);
    expect(map.nodes.find((n) => n.id === 'Pods/ReplicaSet/web-7d4b9')?.pods).toMatchObject({ total: 80, expanded: true, shown: MAX_EXPANDED_PODS });
    expect(edgeSet(map)).toContain('Pods/ReplicaSet/web-7d4b9 -contains-> Pod/web-7d4b9-070');
  });

  // Its time at 2 000 pods is measured in the browser (resource-map.e2e-spec: long tasks), not timed here.
  it('2 000 pods without an owner on many nodes: one group, one Nodes summary', () => {
    const lone = Array.from({ length: 2000 }, (_, i) => ({
      metadata: { name: `bench-${i}`, namespace: NS, labels: { app: 'bench' } },
      spec: { nodeName: `node-${i % 20}`, containers: [{ name: 'c' }] },
      status: i % 100 === 0 ? crashLooping : running,
    }));
    const map = resourceMap({ namespace: NS, objects: { Pod: lone } });
    expect(map.nodes.map((n) => n.id)).toEqual(['Nodes/Pods/-', 'Pods/-', 'ServiceAccount/default']);
    expect(map.nodes.find((n) => n.id === 'Pods/-')?.status).toEqual({ health: 'failed', text: '2000 pods: 1980 Running, 20 CrashLoopBackOff' });
    expect(map.nodes.find((n) => n.id === 'Nodes/Pods/-')?.members).toHaveLength(20);
    expect(20).toBeGreaterThan(MAX_NODES_PER_GROUP);
    // Few lone pods are drawn one by one.
    const few = resourceMap({ namespace: NS, objects: { Pod: lone.slice(0, MAX_LONE_PODS) } });
    expect(few.nodes.filter((n) => n.kind === 'Pod')).toHaveLength(MAX_LONE_PODS);
  });

  it('focus on one workload: its owner tree, what its pods name, the Services in front of them and what routes to those', () => {
    const input = base();
    input.objects.Deployment = [deployment, { ...deployment, metadata: { name: 'other', namespace: NS, uid: 'uid-other' } }];
    input.focus = { kind: 'ReplicaSet', name: 'web-7d4b9' };
    const map = resourceMap(input);
    expect(map.focusFound).toBe(true);
    const ids = map.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['Deployment/web', 'ReplicaSet/web-7d4b9', 'Pods/ReplicaSet/web-7d4b9', 'EndpointSlice/web-abcde', 'Service/web', 'Ingress/shop', 'ConfigMap/web-config', 'PersistentVolumeClaim/web-data']));
    expect(ids).not.toContain('Deployment/other');
    expect(ids).not.toContain('PersistentVolumeClaim/scratch');
    expect(resourceMap({ ...base(), focus: { kind: 'Deployment', name: 'gone' } })).toMatchObject({ nodes: [], edges: [], focusFound: false });
    // One pod: drawn on its own, with its group, owners and what the group links to, not its siblings.
    const podMap = resourceMap({ ...base(), focus: { kind: 'Pod', name: 'web-7d4b9-c' } });
    expect(podMap.focusFound).toBe(true);
    const podIds = podMap.nodes.map((n) => n.id);
    expect(podIds).toEqual(expect.arrayContaining(['Pod/web-7d4b9-c', 'Pods/ReplicaSet/web-7d4b9', 'ReplicaSet/web-7d4b9', 'Deployment/web', 'Service/web']));
    expect(podIds).not.toContain('Pod/web-7d4b9-a');
  });

  it('CronJob → Job → pods; an HTTPRoute routes to the Services of its backendRefs', () => {
    const map = resourceMap({
      namespace: NS,
      objects: {
        CronJob: [{ metadata: { name: 'backup', namespace: NS }, spec: { suspend: false }, status: { active: [{ name: 'backup-29000' }] } }],
        Job: [{ metadata: { name: 'backup-29000', namespace: NS, ownerReferences: owner('CronJob', 'backup', 'batch/v1') }, status: { active: 1 } }],
        Pod: [{ metadata: { name: 'backup-29000-x', namespace: NS, ownerReferences: owner('Job', 'backup-29000', 'batch/v1') }, spec: { containers: [{ name: 'c' }] }, status: running }],
        HTTPRoute: [{ metadata: { name: 'r', namespace: NS }, spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }, { name: 'elsewhere', namespace: 'other', port: 80 }, { kind: 'ServiceImport', group: 'multicluster.x-k8s.io', name: 'mc' }] }] }, status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True' }] }] } }],
        Service: [service],
      },
    });
    const edges = edgeSet(map);
    expect(edges).toContain('CronJob/backup -owns-> Job/backup-29000');
    expect(edges).toContain('Job/backup-29000 -owns-> Pods/Job/backup-29000');
    expect(edges).toContain('HTTPRoute/r -routes-> Service/web');
    expect(map.nodes.find((n) => n.id === 'CronJob/backup')?.status).toEqual({ health: 'ok', text: '1 active' });
    expect(map.nodes.find((n) => n.id === 'HTTPRoute/r')?.status).toEqual({ health: 'ok', text: 'Accepted' });
  });

  it('the field readers take any JSON shape', () => {
    expect(ingressBackends(ingress)).toEqual(['web', 'api']);
    expect(ingressBackends('nonsense')).toEqual([]);
    expect(httpRouteBackends({ spec: { rules: 'x' } }, NS)).toEqual([]);
    expect(podReferences(null)).toEqual([{ kind: 'ServiceAccount', name: 'default', relation: 'runs as' }]);
    expect(() => resourceMap({ namespace: NS, objects: { Pod: [null, 1, 'x'], Service: [{}], Ingress: [{ spec: 5 }] } })).not.toThrow();
    expect(podCountsText({ total: 1, byStatus: [['Running', 1]] })).toBe('1 pod: 1 Running');
  });
});
