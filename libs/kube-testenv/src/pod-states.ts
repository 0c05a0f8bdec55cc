import type { KubeApi, KubeObject } from './kube-api';
import { SEED_LABEL } from './seed';

/**
 * Pods in the states real clusters show and happy seeds never do, each frozen as a kubelet
 * would have reported it, so that what Cairn shows can be compared with `kubectl get pods`
 * (the API server's own printer) for every one of them.
 *
 * They run on `lost-node`, a node kwok does not manage (kwok manages only nodes annotated
 * `kwok.x-k8s.io/node: fake`): nothing rewrites their status after the seed sets it, the node
 * reports Ready Unknown like a machine that went away (a NotReady node for node views too),
 * and the pods tolerate that forever, so no eviction removes them. The ones being deleted
 * hold a finalizer, as pods on a lost node stay in Terminating until someone intervenes.
 * New shapes found later go here, never special-cased in the console.
 */
export const POD_STATES_NAMESPACE = 'pod-states';
export const LOST_NODE = 'lost-node';
const HOLD = 'cairn.test/hold';

export interface FrozenPod {
  pod: KubeObject;
  /** What the status subresource is set to. */
  status: Record<string, unknown>;
  /**
   * Deleted after its status is set (the finalizer keeps it, with a deletionTimestamp): `true`
   * with the default grace period (30 s), `'without-grace'` as `kubectl delete --grace-period=0
   * --force` does (deletionGracePeriodSeconds 0).
   */
  deleted?: boolean | 'without-grace';
}

export function lostNode(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: LOST_NODE, labels: { [SEED_LABEL]: 'true', 'kubernetes.io/hostname': LOST_NODE, 'kubernetes.io/os': 'linux' } },
    // Cordoned and tainted from the start: nothing else is scheduled onto a machine that is gone.
    spec: { unschedulable: true, taints: [{ key: 'cairn.test/lost', effect: 'NoSchedule' }] },
  };
}

export function lostNodeStatus(now: string): Record<string, unknown> {
  return {
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    nodeInfo: { kubeletVersion: 'v1.36.3', architecture: 'amd64', operatingSystem: 'linux' },
    conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: now, lastTransitionTime: now }],
  };
}

/** Every pod state the seed freezes, at `now` (RFC 3339). */
export function frozenPods(now: string): FrozenPod[] {
  const ago = (seconds: number) => new Date(Date.parse(now) - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const running = { running: { startedAt: ago(600) } };
  const crashed = (restarts: number) => ({ lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(200), finishedAt: ago(190) } }, restartCount: restarts });
  const app = (name: string, extra: Record<string, unknown>) => ({ name, image: `ghcr.io/cairn-test/${name}:1.0.0`, imageID: '', started: false, ready: false, restartCount: 0, ...extra });
  const condition = (type: string, status: boolean, reason?: string) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: ago(600), ...(reason ? { reason } : {}) });
  const scheduled = [condition('PodScheduled', true)];
  const pod = (name: string, spec: Record<string, unknown>, extra: { finalizer?: boolean; restartPolicy?: string } = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: POD_STATES_NAMESPACE, labels: { [SEED_LABEL]: 'true', 'app.kubernetes.io/name': name }, ...(extra.finalizer ? { finalizers: [HOLD] } : {}) },
    spec: {
      nodeName: LOST_NODE,
      restartPolicy: extra.restartPolicy ?? 'Always',
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ],
      containers: [{ name: 'app', image: 'ghcr.io/cairn-test/app:1.0.0' }],
      ...spec,
    },
  });
  const init = [{ name: 'init', image: 'ghcr.io/cairn-test/init:1.0.0' }];
  return [
    {
      pod: pod('init-crash-looping', { initContainers: init }),
      status: {
        phase: 'Pending',
        conditions: [condition('Initialized', false, 'ContainersNotInitialized'), condition('Ready', false, 'ContainersNotReady'), ...scheduled],
        initContainerStatuses: [app('init', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }, ...crashed(6) })],
        containerStatuses: [app('app', { state: { waiting: { reason: 'PodInitializing' } } })],
      },
    },
    {
      pod: pod('init-failed', { initContainers: init }, { restartPolicy: 'Never' }),
      status: {
        phase: 'Failed',
        conditions: [condition('Initialized', false, 'ContainersNotInitialized'), condition('Ready', false, 'PodFailed'), ...scheduled],
        initContainerStatuses: [app('init', { state: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(300), finishedAt: ago(290) } } })],
        containerStatuses: [app('app', { state: { waiting: { reason: 'PodInitializing' } } })],
      },
    },
    {
      pod: pod('still-initialising', { initContainers: [...init, { name: 'migrate', image: 'ghcr.io/cairn-test/migrate:1.0.0' }] }),
      status: {
        phase: 'Pending',
        conditions: [condition('Initialized', false, 'ContainersNotInitialized'), condition('Ready', false, 'ContainersNotReady'), ...scheduled],
        initContainerStatuses: [app('init', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(100), finishedAt: ago(90) } } }), app('migrate', { state: running, started: true })],
        containerStatuses: [app('app', { state: { waiting: { reason: 'PodInitializing' } } })],
      },
    },
    {
      pod: pod('container-creating', {}),
      status: { phase: 'Pending', conditions: [condition('Ready', false, 'ContainersNotReady'), ...scheduled], containerStatuses: [app('app', { state: { waiting: { reason: 'ContainerCreating' } } })] },
    },
    {
      pod: pod('one-of-two-finished', { containers: [{ name: 'app', image: 'ghcr.io/cairn-test/app:1.0.0' }, { name: 'oneshot', image: 'ghcr.io/cairn-test/oneshot:1.0.0' }] }),
      status: {
        phase: 'Running',
        conditions: [condition('Initialized', true), condition('Ready', false, 'ContainersNotReady'), ...scheduled],
        containerStatuses: [app('app', { state: running, ready: true, started: true }), app('oneshot', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(500), finishedAt: ago(400) } } })],
      },
    },
    {
      pod: pod('native-sidecar', { initContainers: [{ name: 'proxy', image: 'ghcr.io/cairn-test/proxy:1.0.0', restartPolicy: 'Always' }] }),
      status: {
        phase: 'Running',
        conditions: [condition('Initialized', true), condition('Ready', true), ...scheduled],
        initContainerStatuses: [app('proxy', { state: running, ready: true, started: true, ...crashed(2) })],
        containerStatuses: [app('app', { state: running, ready: true, started: true, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(900), finishedAt: ago(700) } } })],
      },
    },
    { pod: pod('phase-unknown', {}), status: { phase: 'Unknown', conditions: scheduled } },
    {
      pod: pod('lost-and-deleting', {}, { finalizer: true }),
      status: { phase: 'Running', reason: 'NodeLost', message: `Node ${LOST_NODE} which was running pod lost-and-deleting is unresponsive`, conditions: [condition('Ready', false), ...scheduled], containerStatuses: [app('app', { state: running, ready: true, started: true })] },
      deleted: true,
    },
    {
      pod: pod('finished-deleting', {}, { finalizer: true, restartPolicy: 'Never' }),
      status: { phase: 'Succeeded', conditions: [condition('Ready', false, 'PodCompleted'), ...scheduled], containerStatuses: [app('app', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(300), finishedAt: ago(200) } } })] },
      deleted: true,
    },
    {
      pod: pod('terminating', {}, { finalizer: true }),
      status: { phase: 'Running', conditions: [condition('Ready', true), ...scheduled], containerStatuses: [app('app', { state: running, ready: true, started: true })] },
      deleted: true,
    },
    {
      pod: pod('terminating-without-grace', {}, { finalizer: true }),
      status: { phase: 'Running', conditions: [condition('Ready', true), ...scheduled], containerStatuses: [app('app', { state: running, ready: true, started: true })] },
      deleted: 'without-grace',
    },
    // Evicted as older kubelets leave it (no container statuses), and as newer ones do.
    { pod: pod('evicted', {}, { restartPolicy: 'Never' }), status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.', conditions: scheduled } },
    {
      pod: pod('evicted-container-unknown', {}, { restartPolicy: 'Never' }),
      status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.', conditions: scheduled, containerStatuses: [app('app', { state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', startedAt: ago(800), finishedAt: ago(700) } } })] },
    },
    {
      pod: pod('oom-killed', {}, { restartPolicy: 'Never' }),
      status: { phase: 'Failed', conditions: [condition('Ready', false, 'PodFailed'), ...scheduled], containerStatuses: [app('app', { state: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(800), finishedAt: ago(700) } } })] },
    },
    {
      pod: pod('image-pull-backoff', {}),
      status: { phase: 'Pending', conditions: [condition('Ready', false, 'ContainersNotReady'), ...scheduled], containerStatuses: [app('app', { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } })] },
    },
    {
      pod: pod('exit-code-without-reason', {}, { restartPolicy: 'Never' }),
      status: { phase: 'Failed', conditions: scheduled, containerStatuses: [app('app', { state: { terminated: { exitCode: 3, startedAt: ago(800), finishedAt: ago(700) } } })] },
    },
    {
      pod: pod('killed-by-signal', {}),
      status: { phase: 'Running', conditions: [condition('Ready', false), ...scheduled], containerStatuses: [app('app', { state: { terminated: { exitCode: 0, signal: 9, startedAt: ago(800), finishedAt: ago(700) } }, ...crashed(1) })] },
    },
  ];
}

/** A pod the scheduler holds back on purpose (`schedulingGates`): kubectl says SchedulingGated. */
export function gatedPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'scheduling-gated', namespace: POD_STATES_NAMESPACE, labels: { [SEED_LABEL]: 'true' } },
    spec: { schedulingGates: [{ name: 'cairn.test/wait-for-quota' }], containers: [{ name: 'app', image: 'ghcr.io/cairn-test/app:1.0.0' }] },
  };
}

/** The STATUS words kubectl prints for these pods, for tests that check the seed still has every shape. */
export const FROZEN_POD_STATUSES = [
  'Init:CrashLoopBackOff',
  'Init:Error',
  'Init:1/2',
  'ContainerCreating',
  'NotReady',
  'Running',
  'Unknown',
  'Completed',
  'Terminating',
  'Evicted',
  'ContainerStatusUnknown',
  'OOMKilled',
  'ImagePullBackOff',
  'ExitCode:3',
  'Signal:9',
  'SchedulingGated',
];

/** Creates the lost node and the frozen pods (the namespace exists already). */
export async function seedPodStates(admin: KubeApi): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await admin.create(lostNode());
  await admin.json('PATCH', `/api/v1/nodes/${LOST_NODE}/status`, { status: lostNodeStatus(now) }, 'application/merge-patch+json');
  for (const { pod, status, deleted } of frozenPods(now)) {
    await admin.create(pod);
    const path = `/api/v1/namespaces/${POD_STATES_NAMESPACE}/pods/${pod.metadata.name}`;
    await admin.json('PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
    if (deleted === 'without-grace') await admin.json('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
    else if (deleted) await admin.json('DELETE', path);
  }
  await admin.create(gatedPod());
}
