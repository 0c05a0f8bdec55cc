import { formatLabels, formatLabelSelector, jobCompletionsText, jobDurationText, jobStatusText, kubectlCells, labelSelectorText } from './kubectl-columns';

/** The rules one by one (the .kubectl.spec holds them against the API server's table). */
describe('kubectl columns', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');

  it('prints a Job\'s COMPLETIONS with completions, as a work queue, and with parallel workers', () => {
    expect(jobCompletionsText({ spec: { completions: 3 }, status: { succeeded: 2 } })).toBe('2/3');
    expect(jobCompletionsText({ spec: { parallelism: 1 }, status: {} })).toBe('0/1');
    expect(jobCompletionsText({ spec: { parallelism: 4 }, status: { succeeded: 1 } })).toBe('1/1 of 4');
    expect(jobCompletionsText('not an object')).toBe('0/1');
  });

  it('prints a Job\'s STATUS by its conditions in kubectl\'s order', () => {
    const job = (types: string[], extra: Record<string, unknown> = {}) => ({ metadata: extra, status: { conditions: types.map((type) => ({ type, status: 'True' })) } });
    expect(jobStatusText(job(['SuccessCriteriaMet', 'Complete']))).toBe('Complete');
    expect(jobStatusText(job(['FailureTarget', 'Failed']))).toBe('Failed');
    expect(jobStatusText(job(['Suspended'], { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe('Terminating');
    expect(jobStatusText(job(['Suspended']))).toBe('Suspended');
    expect(jobStatusText(job(['FailureTarget']))).toBe('FailureTarget');
    expect(jobStatusText({ status: { conditions: { Complete: 'True' } } })).toBe('Running');
  });

  it('prints a Job\'s DURATION from start to completion, or to now', () => {
    expect(jobDurationText({ status: { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:01:35Z' } }, now)).toBe('95s');
    expect(jobDurationText({ status: { startTime: '2026-01-01T23:55:00Z' } }, now)).toBe('5m');
    expect(jobDurationText({ status: {} }, now)).toBe('');
  });

  it('prints selectors and label maps sorted by key', () => {
    const selector = { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['z', 'y'] }, { key: 'gpu', operator: 'Exists' }, { key: 'old', operator: 'DoesNotExist' }] };
    expect(labelSelectorText(selector)).toBe('a=1,b=2,gpu,!old,tier notin (y,z)');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Near' }] })).toBe('<error>');
    expect(formatLabels({ zone: 'a', app: 'web' })).toBe('app=web,zone=a');
    expect(formatLabels([])).toBe('<none>');
  });

  it('prints a Service\'s addresses and ports by its type', () => {
    const lb = { metadata: { creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.9'], ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], externalIPs: ['192.0.2.7'] }, status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }, { ip: '198.51.100.1' }] } } };
    expect(kubectlCells('Service', lb, now)).toMatchObject({ 'Cluster-IP': '10.96.0.9', 'External-IP': '198.51.100.1,lb.example,192.0.2.7', 'Port(s)': '443:30443/TCP,53/UDP', Age: '24h', Selector: '<none>' });
    expect(kubectlCells('Service', { spec: { type: 'LoadBalancer' } }, now)).toMatchObject({ 'Cluster-IP': '<none>', 'External-IP': '<pending>', 'Port(s)': '<none>', Age: '<unknown>' });
    expect(kubectlCells('Service', { spec: { type: 'ExternalName', externalName: 'db.example' } }, now)['External-IP']).toBe('db.example');
  });

  it('prints a CronJob that never ran and has no time zone as kubectl does', () => {
    expect(kubectlCells('CronJob', { spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } } } }, now)).toMatchObject({
      Schedule: '0 3 * * *', Timezone: '<none>', Suspend: '<unset>', Active: '0', 'Last Schedule': '<none>', Containers: 'a,b', Images: 'x,y', Selector: '<none>',
    });
  });
});
