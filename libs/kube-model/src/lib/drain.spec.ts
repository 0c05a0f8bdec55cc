import { drainPlan, drainRefusals, selectorMatches } from './drain';

const pod = (name: string, extra: { owner?: string; emptyDir?: boolean; mirror?: boolean; phase?: string } = {}) => ({
  metadata: {
    namespace: 'ns',
    name,
    ...(extra.owner ? { ownerReferences: [{ kind: extra.owner, name: 'o', controller: true }] } : {}),
    ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}),
  },
  spec: { volumes: extra.emptyDir ? [{ name: 'scratch', emptyDir: {} }] : [{ name: 'cfg', configMap: { name: 'c' } }] },
  status: { phase: extra.phase ?? 'Running' },
});

describe('drainPlan follows kubectl drain', () => {
  const plan = drainPlan([
    pod('web', { owner: 'ReplicaSet' }),
    pod('agent', { owner: 'DaemonSet', emptyDir: true }),
    pod('static', { mirror: true }),
    pod('bare', { emptyDir: true }),
    pod('cache', { owner: 'StatefulSet', emptyDir: true }),
    pod('done', { phase: 'Succeeded', emptyDir: true }),
  ]);

  it('skips DaemonSet and mirror pods, evicts the rest', () => {
    expect(plan.skipped).toEqual([
      { namespace: 'ns', name: 'agent', reason: 'DaemonSet' },
      { namespace: 'ns', name: 'static', reason: 'mirror pod' },
    ]);
    expect(plan.evict.map((p) => p.name)).toEqual(['web', 'bare', 'cache', 'done']);
  });

  it('asks consent for pods with no controller or emptyDir data, not for finished ones', () => {
    expect(plan.needsConsent).toEqual([
      { namespace: 'ns', name: 'bare', concerns: ['emptyDir data', 'no controller'] },
      { namespace: 'ns', name: 'cache', concerns: ['emptyDir data'] },
    ]);
  });

  it('refuses what the consent given does not cover', () => {
    expect(drainRefusals(plan, {})).toHaveLength(2);
    expect(drainRefusals(plan, { deleteEmptyDirData: true })).toEqual([{ namespace: 'ns', name: 'bare', concerns: ['no controller'] }]);
    expect(drainRefusals(plan, { force: true, deleteEmptyDirData: true })).toEqual([]);
  });

  it('never throws on odd shapes', () => {
    expect(drainPlan([null, 'x', { metadata: 'y' }]).evict).toHaveLength(3);
  });
});

describe('selectorMatches', () => {
  it('reads matchLabels and matchExpressions as the API server does', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'db' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
  });
});
