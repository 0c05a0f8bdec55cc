import { age, findWorkloadKind, podSelector } from './workload-kinds';

describe('workload status', () => {
  it('judges deployments by available replicas and jobs by their conditions', () => {
    const deployments = findWorkloadKind('deployments')!;
    expect(deployments.status({ metadata: { name: 'd' }, spec: { replicas: 2 }, status: { availableReplicas: 1 } })).toEqual({ health: 'progressing', text: '1/2 ready' });
    expect(deployments.status({ metadata: { name: 'd' }, spec: { replicas: 0 }, status: {} })).toEqual({ health: 'suspended', text: 'Scaled to 0' });
    const jobs = findWorkloadKind('jobs')!;
    expect(jobs.status({ metadata: { name: 'j' }, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } })).toEqual({ health: 'failed', text: 'Failed' }); // kubectl's word
  });

  it('turns a selector into a label selector string', () => {
    expect(podSelector({ metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } } })).toBe('app=web,tier in (a,b)');
  });

  it('prints ages as kubectl does', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(age('2026-01-01T23:59:30Z', now)).toBe('30s');
    expect(age('2026-01-01T22:01:00Z', now)).toBe('119m');
    expect(age('2026-01-01T22:00:00Z', now)).toBe('120m'); // kubectl: minutes up to 3 h
    expect(age('2025-12-20T00:00:00Z', now)).toBe('13d');
  });
});
