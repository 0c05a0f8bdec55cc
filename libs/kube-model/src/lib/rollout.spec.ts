import { MAX_REVISIONS_SHOWN, revisionHistory, rollbackPlan, rolloutProgress, sameJson, shownRevisions } from './rollout';

const owner = { metadata: { name: 'web', uid: 'u-1', annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:2' }] } } } };
const replicaSet = (revision: string | undefined, image: string, ownerUid = 'u-1') => ({
  metadata: { name: `web-${revision}`, annotations: revision ? { 'deployment.kubernetes.io/revision': revision } : {}, ownerReferences: [{ uid: ownerUid, controller: true }] },
  spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': `h${revision}` } }, spec: { containers: [{ name: 'app', image }] } } },
});

describe('revisionHistory', () => {
  it('keeps only what the workload controls and has a revision number, newest first, and marks the current one', () => {
    const history = revisionHistory('deployments', owner, [replicaSet('1', 'web:1'), replicaSet('2', 'web:2'), replicaSet('9', 'other:1', 'u-other'), replicaSet(undefined, 'web:0'), replicaSet('x', 'web:x')]);
    expect(history.map((r) => [r.revision, r.images, r.current])).toEqual([
      [2, ['web:2'], true],
      [1, ['web:1'], false],
    ]);
    expect(history[0]?.template).toEqual({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:2' }] } });
  });

  it('draws at most MAX_REVISIONS_SHOWN, always with the current one, and says how many are left out', () => {
    const many = Array.from({ length: MAX_REVISIONS_SHOWN + 7 }, (_, i) => replicaSet(String(i + 1), `web:${i + 1}`));
    const history = revisionHistory('deployments', owner, many);
    const { shown, hidden } = shownRevisions(history);
    expect(shown).toHaveLength(MAX_REVISIONS_SHOWN);
    expect(hidden).toBe(7);
    // Revision 2 is current (the Deployment's annotation) though 55 newer ones exist.
    expect(shown.filter((r) => r.current).map((r) => r.revision)).toEqual([2]);
    expect(shownRevisions(history.slice(0, 3))).toEqual({ shown: history.slice(0, 3), hidden: 0 });
  });
});

describe('rollbackPlan', () => {
  it('refuses a paused Deployment and skips the template it already runs', () => {
    expect(rollbackPlan('deployments', { ...owner, spec: { ...owner.spec, paused: true } }, replicaSet('1', 'web:1')).action).toBe('refuse');
    expect(rollbackPlan('deployments', owner, replicaSet('2', 'web:2'))).toEqual({ action: 'skip', reason: 'the current template already matches revision 2' });
  });

  it('carries the resourceVersion it was planned from, so a later change is a conflict', () => {
    const plan = rollbackPlan('statefulsets', { spec: { template: { spec: { containers: [{ image: 'db:2' }] } } } }, { revision: 1, data: { spec: { template: { $patch: 'replace', spec: { containers: [{ image: 'db:1' }] } } } } }, '42');
    expect(plan).toEqual({ action: 'patch', patchType: 'strategic', patch: { spec: { template: { $patch: 'replace', spec: { containers: [{ image: 'db:1' }] } } }, metadata: { resourceVersion: '42' } } });
  });
});

describe('sameJson', () => {
  it('ignores key order and treats empty and missing alike, as Go semantic equality does', () => {
    expect(sameJson({ a: 1, b: { labels: {} } }, { b: {}, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});

describe('rolloutProgress', () => {
  it('says a DaemonSet whose strategy is OnDelete has no rollout to follow', () => {
    expect(rolloutProgress('daemonsets', { metadata: { name: 'a' }, spec: { updateStrategy: { type: 'OnDelete' } }, status: {} })).toMatchObject({ done: false, failed: false, message: 'rollout status is only available for RollingUpdate strategy type' });
  });

  it('reports a Deployment past its progress deadline as failed, with the condition', () => {
    const progress = rolloutProgress('deployments', {
      metadata: { name: 'web', generation: 3 },
      spec: { replicas: 2 },
      status: { observedGeneration: 3, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] },
    });
    expect(progress).toMatchObject({ failed: true, done: false, message: 'deployment "web" exceeded its progress deadline', progressing: { status: 'False', reason: 'ProgressDeadlineExceeded' } });
  });
});
