import { humanDuration } from './duration';
import { podColumns, podProblem, podStatus, restartsText } from './pod-status';

// The comparison with kubectl itself, for every state, is pod-status.kubectl.spec.ts; these are the
// properties kubectl cannot show: odd shapes never throw, and the healths and problems built on STATUS.
const pod = (status: unknown, spec: unknown = { containers: [{ name: 'app' }] }, metadata: unknown = { name: 'p' }) => ({ metadata, spec, status });

describe('podColumns on shapes a cluster should not send, but might', () => {
  it.each([
    ['no status', pod(undefined)],
    ['status null', pod(null)],
    ['conditions as a map', pod({ phase: 'Running', conditions: { Ready: 'True' } })],
    ['conditions as a string', pod({ phase: 'Running', conditions: 'Ready' })],
    ['statuses as an object', pod({ phase: 'Running', containerStatuses: { app: { ready: true } } })],
    ['a status entry that is a number', pod({ phase: 'Running', containerStatuses: [7], initContainerStatuses: ['x'] })],
    ['restartCount as a string', pod({ phase: 'Running', containerStatuses: [{ name: 'app', restartCount: '3', state: { running: {} }, ready: true }] })],
    ['no spec', pod({ phase: 'Running' }, 'nonsense')],
    ['not an object at all', 'a pod'],
  ])('%s: gives columns, never throws', (_, shape) => {
    const columns = podColumns(shape);
    expect(typeof columns.status).toBe('string');
    expect(columns.ready).toMatch(/^\d+\/\d+$/);
    expect(() => podStatus(shape)).not.toThrow();
  });
});

describe('podStatus and podProblem', () => {
  it('keeps kubectl\u2019s word and gives it a health', () => {
    expect(podStatus(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] }))).toEqual({ text: 'Running', health: 'ok' });
    expect(podStatus(pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, state: { running: {} } }] }))).toEqual({ text: 'Running', health: 'progressing' });
    expect(podStatus(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }))).toEqual({ text: 'Pending', health: 'warning' });
    expect(podStatus(pod({ phase: 'Pending' }))).toEqual({ text: 'Pending', health: 'progressing' });
    expect(podStatus(pod({ phase: 'Unknown' }))).toEqual({ text: 'Unknown', health: 'warning' });
    expect(podStatus(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }))).toEqual({ text: 'Completed', health: 'done' });
  });

  it('names a problem in kubectl\u2019s words, with the scheduler\u2019s reason for a pod nobody can place', () => {
    expect(podProblem(pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))).toBe('CrashLoopBackOff');
    expect(podProblem(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }))).toBe('Pending: Unschedulable');
    expect(podProblem(pod({ phase: 'Pending' }))).toBeUndefined();
    expect(podProblem(pod({ phase: 'Running' }, undefined, { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBeUndefined();
  });

  it('prints RESTARTS with the time of the latest restart, as kubectl does', () => {
    expect(restartsText({ restarts: 0 })).toBe('0');
    expect(restartsText({ restarts: 4 })).toBe('4');
    expect(restartsText({ restarts: 4, lastRestart: '2026-01-01T00:00:00Z' }, Date.parse('2026-01-01T00:03:10Z'))).toBe('4 (3m10s ago)');
  });
});

describe('humanDuration (kubectl ages)', () => {
  it.each([
    [-5, '<invalid>'],
    [-0.5, '0s'],
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [190, '3m10s'],
    [599, '9m59s'],
    [600, '10m'],
    [179 * 60, '179m'],
    [3 * 3600, '3h'],
    [3 * 3600 + 5 * 60, '3h5m'],
    [8 * 3600 + 5 * 60, '8h'],
    [47 * 3600, '47h'],
    [48 * 3600, '2d'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [8 * 86400, '8d'],
    [729 * 86400, '729d'],
    [730 * 86400, '2y'],
    [733 * 86400, '2y3d'],
    [8 * 365 * 86400, '8y'],
  ])('%s s is %s', (seconds, printed) => {
    expect(humanDuration(seconds)).toBe(printed);
  });
});
