import type { KubeObject } from '@cairn/data-access';
import { formatBytes, formatCpu, nodeFacts, parseQuantity } from './node-facts';
import { podProblem } from '@cairn/kube-model';
import { workloadHealth } from './workload-health';

const node = (over: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'kwok-node-1', labels: { 'node-role.kubernetes.io/agent': '', 'kubernetes.io/role': 'agent', type: 'kwok' }, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {},
  status: {
    capacity: { cpu: '16', memory: '64Gi', pods: '110' },
    allocatable: { cpu: '15500m', memory: '67108864Ki', pods: '110' },
    nodeInfo: { kubeletVersion: 'fake' },
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady' },
      { type: 'MemoryPressure', status: 'False' },
      { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' },
    ],
  },
  ...over,
});

describe('node facts', () => {
  it('reads quantities as Kubernetes writes them', () => {
    expect(parseQuantity('64Gi')).toBe(64 * 2 ** 30);
    expect(parseQuantity('15500m')).toBe(15.5);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('lots')).toBeNaN();
    expect(formatCpu('15500m')).toBe('15.5');
    expect(formatCpu('250m')).toBe('250m');
    expect(formatBytes('67108864Ki')).toBe('64 GiB');
    expect(formatBytes('1536Mi')).toBe('1.5 GiB');
    expect(formatBytes(undefined)).toBe('—');
  });

  it('says Ready or NotReady as kubectl does, with roles, capacity and the conditions that are not as they should be', () => {
    const facts = nodeFacts(node());
    expect(facts).toMatchObject({ name: 'kwok-node-1', status: 'Ready', ready: true, roles: ['agent'], internalIp: '127.0.0.1', capacity: { cpu: '16', memory: '64 GiB', pods: '110' }, allocatable: { cpu: '15.5', memory: '64 GiB', pods: '110' } });
    expect(facts.conditions.filter((c) => c.bad).map((c) => c.type)).toEqual(['DiskPressure']);
    // What is wrong first, then Ready, then the rest: a narrow cell shows what matters.
    expect(facts.conditions.map((c) => c.type)).toEqual(['DiskPressure', 'Ready', 'MemoryPressure']);
    expect(facts.allocatableAmounts).toEqual({ cpu: 15.5, memory: 64 * 2 ** 30, pods: 110 });
    expect(facts.labels).toMatchObject({ type: 'kwok' });
    const cordonedDown = nodeFacts(node({ spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }));
    expect(cordonedDown).toMatchObject({ status: 'NotReady,SchedulingDisabled', ready: false, roles: ['agent'] });
    expect(cordonedDown.conditions[0]?.bad).toBe(true);
    expect(nodeFacts(node({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })).status).toBe('NotReady');
  });
});

describe('workload health', () => {
  const pod = (name: string, status: Record<string, unknown>): KubeObject => ({ metadata: { name, namespace: 'team-a' }, status });

  it('counts deployments ready against desired and names the pods that fail or are stuck', () => {
    const deployments: KubeObject[] = [
      { metadata: { name: 'web', namespace: 'team-a' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } },
      { metadata: { name: 'gpu-trainer', namespace: 'team-b' }, spec: { replicas: 1 }, status: {} },
    ];
    const pods = [
      pod('web-1', { phase: 'Running', containerStatuses: [{ state: { running: {} } }] }),
      pod('queue-worker-1', { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      pod('backup-1', { phase: 'Failed' }),
      pod('gpu-1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }),
      pod('migrate-1', { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
    ];
    const health = workloadHealth(deployments, pods);
    expect(health.deployments).toEqual({ total: 2, healthy: 1, readyReplicas: 2, desiredReplicas: 3, short: [{ namespace: 'team-b', name: 'gpu-trainer', ready: 0, desired: 1 }] });
    expect(health.pods).toMatchObject({ total: 5, running: 2, succeeded: 1, pending: 1, failing: 3 });
    expect(health.pods.problems.map((p) => `${p.name}: ${p.reason}`)).toEqual(['backup-1: Failed', 'gpu-1: Pending: Unschedulable', 'queue-worker-1: CrashLoopBackOff']);
    expect(podProblem(pod('x', { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 1 } } }] }))).toBe('ExitCode:1');
  });
});
