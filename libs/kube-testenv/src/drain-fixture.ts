import type { KubeApi } from './kube-api';
import { waitUntil } from './wait-until';

/** What a drain test needs, on a node of its own. */
export interface DrainFixture {
  node: string;
  namespace: string;
  /** The node's taint: keeps every other pod off it; the fixture's pods tolerate it. */
  taint: { key: string; value: string; effect: 'NoSchedule' };
}

/**
 * A kwok node of the test's own (tainted, so no seed pod lands on it) holding each kind of pod
 * kubectl drain treats differently: `webReplicas` pods of ReplicaSet `web` behind the
 * PodDisruptionBudget `web-budget` (minAvailable = webReplicas, so no eviction passes until the
 * test relaxes it), a DaemonSet `agent` pod (left running), and the bare pod `scratch` with an
 * emptyDir (evicted only with force and deleteEmptyDirData). Resolves once every pod runs and
 * the disruption controller counts the budget. Other tests' seed stays as it is.
 */
export async function createDrainFixture(admin: KubeApi, options: { node: string; namespace: string; taintKey: string; webReplicas: number }): Promise<DrainFixture> {
  const { node, namespace, webReplicas } = options;
  const taint = { key: options.taintKey, value: 'true', effect: 'NoSchedule' as const };
  const onNode = { nodeSelector: { 'kubernetes.io/hostname': node }, tolerations: [{ ...taint, operator: 'Equal' }] };
  const containers = [{ name: 'app', image: 'ghcr.io/cairn-test/web:1.0.0' }];
  await admin.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node, labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux' }, annotations: { 'kwok.x-k8s.io/node': 'fake' } },
    spec: { taints: [taint] },
    status: { capacity: { cpu: '8', memory: '16Gi', pods: '50' }, allocatable: { cpu: '8', memory: '16Gi', pods: '50' } },
  });
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await admin.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace },
    spec: { replicas: webReplicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { ...onNode, containers } } },
  });
  await admin.create({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { ...onNode, containers } } },
  });
  await admin.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'scratch', namespace, labels: { app: 'scratch' } },
    spec: { nodeName: node, tolerations: onNode.tolerations, containers: [{ ...containers[0], volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }], volumes: [{ name: 'tmp', emptyDir: {} }] },
  });
  await admin.json('POST', `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web-budget', namespace },
    spec: { minAvailable: webReplicas, selector: { matchLabels: { app: 'web' } } },
  });
  await waitUntil(`${webReplicas + 2} pods running on ${node}`, async () => {
    const pods = await admin.get<{ items: Array<{ status?: { phase?: string } }> }>(`/api/v1/pods?fieldSelector=spec.nodeName=${node}`);
    return pods.items.filter((p) => p.status?.phase === 'Running').length === webReplicas + 2;
  });
  await waitUntil('the disruption controller to count the budget', async () => {
    const pdb = await admin.get<{ status?: { observedGeneration?: number; currentHealthy?: number } }>(`/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/web-budget`);
    return (pdb.status?.observedGeneration ?? 0) >= 1 && pdb.status?.currentHealthy === webReplicas;
  });
  return { node, namespace, taint };
}
