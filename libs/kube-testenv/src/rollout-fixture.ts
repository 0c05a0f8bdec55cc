import type { KubeApi } from './kube-api';
import { waitUntil } from './wait-until';

/** The workloads a rollout test rolls back and forth, each with a few real revisions. */
export interface RolloutFixture {
  namespace: string;
  deployment: string;
  statefulSet: string;
  daemonSet: string;
  /** The image of each revision, oldest first: revision n ran `images[n - 1]`. */
  images: string[];
}

/**
 * A Deployment `<prefix>-web` (2 replicas), a StatefulSet `<prefix>-db` (1 replica) and a
 * DaemonSet `<prefix>-agent` (on kwok-node-1 only) in `namespace`, each changed image by image
 * (`images`, with a `kubernetes.io/change-cause` per change, as `kubectl set image` leaves with
 * `--record`), waiting after each change for the controller-manager to record the revision and
 * finish the rollout: the Deployment controller's ReplicaSets and the StatefulSet and DaemonSet
 * controllers' ControllerRevisions are theirs, none is written by the test.
 */
export async function createRolloutFixture(admin: KubeApi, options: { namespace: string; prefix: string; images?: string[] }): Promise<RolloutFixture> {
  const { namespace, prefix } = options;
  const images = options.images ?? ['ghcr.io/cairn-test/rollout:1.0.0', 'ghcr.io/cairn-test/rollout:1.1.0', 'ghcr.io/cairn-test/rollout:2.0.0'];
  const names = { deployments: `${prefix}-web`, statefulsets: `${prefix}-db`, daemonsets: `${prefix}-agent` };
  const template = (app: string, image: string, extra: Record<string, unknown> = {}) => ({
    metadata: { labels: { app } },
    spec: { ...extra, containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
  });
  const cause = (image: string) => ({ 'kubernetes.io/change-cause': `set image app=${image}` });
  const objects = (image: string) => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: names.deployments, namespace, annotations: cause(image) },
      spec: { replicas: 2, selector: { matchLabels: { app: names.deployments } }, template: template(names.deployments, image) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: names.statefulsets, namespace, annotations: cause(image) },
      spec: { replicas: 1, serviceName: names.statefulsets, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: names.statefulsets } }, template: template(names.statefulsets, image) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: names.daemonsets, namespace, annotations: cause(image) },
      spec: { selector: { matchLabels: { app: names.daemonsets } }, template: template(names.daemonsets, image, { nodeSelector: { 'kubernetes.io/hostname': 'kwok-node-1' } }) },
    },
  ];
  for (const [i, image] of images.entries()) {
    for (const object of objects(image)) await admin.apply(object as never, `${prefix}-fixture`);
    await waitForRevision(admin, namespace, names, i + 1);
  }
  return { namespace, deployment: names.deployments, statefulSet: names.statefulsets, daemonSet: names.daemonsets, images };
}

/** Each workload has recorded revision `revision` and its rollout is done (what `kubectl rollout status` waits for). */
async function waitForRevision(admin: KubeApi, namespace: string, names: Record<'deployments' | 'statefulsets' | 'daemonsets', string>, revision: number): Promise<void> {
  type Workload = { metadata: { generation?: number; annotations?: Record<string, string> }; spec: { replicas?: number }; status?: Record<string, number | string | undefined> };
  const get = (resource: string, name: string) => admin.get<Workload>(`/apis/apps/v1/namespaces/${namespace}/${resource}/${name}`);
  const revisions = async (selector: string) =>
    (await admin.get<{ items: Array<{ revision: number }> }>(`/apis/apps/v1/namespaces/${namespace}/controllerrevisions?labelSelector=${encodeURIComponent(`app=${selector}`)}`)).items.map((r) => r.revision);
  await waitUntil(`revision ${revision} of ${Object.values(names).join(', ')} rolled out`, async () => {
    const [deployment, statefulSet, daemonSet] = await Promise.all([get('deployments', names.deployments), get('statefulsets', names.statefulsets), get('daemonsets', names.daemonsets)]);
    const settled = (w: Workload) => (w.status?.['observedGeneration'] as number | undefined) === w.metadata.generation;
    const deploymentDone =
      settled(deployment) && deployment.metadata.annotations?.['deployment.kubernetes.io/revision'] === String(revision) && deployment.status?.['updatedReplicas'] === 2 && deployment.status?.['availableReplicas'] === 2 && deployment.status?.['replicas'] === 2;
    const statefulSetDone = settled(statefulSet) && statefulSet.status?.['updateRevision'] === statefulSet.status?.['currentRevision'] && statefulSet.status?.['readyReplicas'] === 1 && statefulSet.status?.['updatedReplicas'] === 1;
    const daemonSetDone = settled(daemonSet) && daemonSet.status?.['updatedNumberScheduled'] === 1 && daemonSet.status?.['numberAvailable'] === 1;
    return deploymentDone && statefulSetDone && daemonSetDone && Math.max(...(await revisions(names.statefulsets))) === revision && Math.max(...(await revisions(names.daemonsets))) === revision;
  });
}
