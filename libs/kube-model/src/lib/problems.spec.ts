import { byProblemRank, jobStatus, objectProblem, problemsAmong, replicaStatus, workloadStatus } from './problems';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const meta = (name: string, createdSecondsAgo: number, namespace = 'team-a') => ({ name, namespace, creationTimestamp: new Date(NOW - createdSecondsAgo * 1000).toISOString() });

describe('the one "needs attention" rule', () => {
  it('a crash-looping pod is a problem, with its restarts; a running ready pod is not', () => {
    const crashing = {
      metadata: meta('worker', 600),
      spec: { containers: [{ name: 'worker' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'worker', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: new Date(NOW - 30_000).toISOString() } } }] },
    };
    expect(objectProblem('pods', crashing, NOW)).toEqual({ kind: 'Pod', resource: 'pods', namespace: 'team-a', name: 'worker', status: { health: 'failed', text: 'CrashLoopBackOff' }, detail: '5 (30s ago) restarts' });
    const running = { metadata: meta('web', 600), spec: { containers: [{ name: 'web' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: {} } }] } };
    expect(objectProblem('pods', running, NOW)).toBeUndefined();
  });

  it('a Pending pod is a problem when unschedulable, or after the grace period', () => {
    const pending = (age: number, conditions: unknown[] = []) => ({ metadata: meta('p', age), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending', conditions } });
    expect(objectProblem('pods', pending(30), NOW)).toBeUndefined();
    expect(objectProblem('pods', pending(121), NOW)?.status.text).toBe('Pending');
    expect(objectProblem('pods', pending(10, [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }]), NOW)).toMatchObject({ detail: 'Unschedulable', status: { health: 'warning' } });
  });

  it('workloads: none ready is a failure; short of replicas only after five minutes; a failed Job', () => {
    const deployment = (age: number, available: number) => ({ metadata: meta('web', age), spec: { replicas: 2 }, status: { availableReplicas: available } });
    expect(objectProblem('deployments', deployment(10, 0), NOW)?.status).toEqual({ health: 'failed', text: '0/2 ready' });
    expect(objectProblem('deployments', deployment(10, 1), NOW)).toBeUndefined();
    expect(objectProblem('deployments', deployment(301, 1), NOW)?.status).toEqual({ health: 'progressing', text: '1/2 ready' });
    expect(objectProblem('deployments', deployment(10, 2), NOW)).toBeUndefined();
    expect(objectProblem('daemonsets', { metadata: meta('agent', 10), status: { desiredNumberScheduled: 0 } }, NOW)).toBeUndefined();
    expect(objectProblem('jobs', { metadata: meta('backup', 10), status: { conditions: [{ type: 'Failed', status: 'True' }] } }, NOW)?.status).toEqual({ health: 'failed', text: 'Failed' });
    expect(objectProblem('jobs', { metadata: meta('migrate', 900), status: {} }, NOW)).toBeUndefined();
  });

  it('takes any JSON shape without throwing', () => {
    expect(objectProblem('deployments', 'nonsense', NOW)?.status).toEqual({ health: 'failed', text: '0/1 ready' });
    expect(() => objectProblem('pods', null, NOW)).not.toThrow();
    expect(workloadStatus('statefulsets', { spec: { replicas: '3' }, status: { readyReplicas: 1 } })).toEqual({ health: 'ok', text: '1/1 ready' });
    expect(replicaStatus(0, 0)).toEqual({ health: 'suspended', text: 'Scaled to 0' });
    expect(jobStatus({ status: { conditions: [{ type: 'Complete', status: 'True' }] } })).toEqual({ health: 'done', text: 'Complete' });
  });

  it('orders failures before warnings, then by namespace and name', () => {
    const p = (health: 'failed' | 'warning' | 'progressing', namespace: string, name: string) => ({ kind: 'Pod', resource: 'pods' as const, namespace, name, status: { health, text: '' }, detail: '' });
    const sorted = [p('progressing', 'a', 'x'), p('warning', 'a', 'y'), p('failed', 'b', 'z'), p('failed', 'a', 'z')].sort(byProblemRank);
    expect(sorted.map((x) => `${x.status.health} ${x.namespace}/${x.name}`)).toEqual(['failed a/z', 'failed b/z', 'warning a/y', 'progressing a/x']);
  });

  it('collects the problems of every kind it is given, failures first', () => {
    const items: Record<string, unknown[]> = {
      deployments: [{ metadata: meta('web', 10), spec: { replicas: 1 }, status: { availableReplicas: 1 } }, { metadata: meta('api', 10, 'team-b'), spec: { replicas: 1 } }],
      jobs: [{ metadata: meta('backup', 10, 'tenant-2'), status: { conditions: [{ type: 'Failed', status: 'True' }] } }],
    };
    expect(problemsAmong((resource) => items[resource], NOW).map((p) => `${p.kind} ${p.namespace}/${p.name}`)).toEqual(['Deployment team-b/api', 'Job tenant-2/backup']);
  });
});
