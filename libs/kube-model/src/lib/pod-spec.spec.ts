import { nextCronRun } from './cron-schedule';
import { containerDetails, quantityValue, selectorText, strategyText, volumeSource } from './pod-spec';
import { endpointsOf, serviceFacts } from './service';

describe('pod spec readers', () => {
  it('never throw on odd shapes: a map where a list was expected, strings where objects were', () => {
    for (const spec of [undefined, null, 'x', 42, [], { containers: { a: 1 } }, { containers: ['x', null, 3] }, { containers: [{ env: 'x', ports: {}, volumeMounts: [null], resources: 'big', livenessProbe: 'yes' }] }]) {
      expect(() => containerDetails(spec, { containerStatuses: 'odd' }, 'meta')).not.toThrow();
    }
    expect(containerDetails({ containers: [{ name: 'a', env: { X: 1 } }] })[0]?.env).toEqual([]);
  });

  it('orders init containers, native sidecars, app and ephemeral containers as the pod runs them', () => {
    const roles = containerDetails({
      initContainers: [{ name: 'init' }, { name: 'proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'app' }],
      ephemeralContainers: [{ name: 'debugger' }],
    }).map((c) => `${c.name}:${c.role}`);
    expect(roles).toEqual(['init:init', 'proxy:sidecar', 'app:app', 'debugger:ephemeral']);
  });

  it('reads the last termination with its reason, exit code, message and times', () => {
    const [c] = containerDetails(
      { containers: [{ name: 'app' }] },
      { containerStatuses: [{ name: 'app', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T00:00:00Z', message: 'killed' } } }] },
    );
    expect(c?.state).toBe('Waiting: CrashLoopBackOff');
    expect(c?.stateMessage).toBe('back-off 40s');
    expect(c?.lastTermination).toEqual({ reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T00:00:00Z', message: 'killed' });
  });

  it('computes resourceFieldRef values as the kubelet does (divided, rounded up)', () => {
    const [c] = containerDetails({
      containers: [{
        name: 'a',
        resources: { limits: { cpu: '250m', memory: '256Mi' } },
        env: [
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        ],
      }],
    });
    expect(c?.env.map((e) => e.from)).toEqual(['1 (limits.cpu)', '250 (limits.cpu)', '256 (limits.memory)', '0 (requests.memory)']);
    expect(quantityValue('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityValue('2e3')).toBe(2000);
    expect(quantityValue('lots')).toBeNaN();
  });

  it('describes volumes and selectors in kubectl terms', () => {
    expect(volumeSource({ name: 'x', persistentVolumeClaim: { claimName: 'data', readOnly: true } })).toEqual({ text: 'PersistentVolumeClaim data (read-only)', source: { kind: 'PersistentVolumeClaim', name: 'data' } });
    expect(volumeSource({ name: 'x', nfs: { server: 'n' } }).text).toBe('Nfs');
    expect(selectorText({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }] })).toBe('app=web,!legacy,tier in (a,b)'); // sorted by key, as kubectl prints it
    expect(selectorText({ app: 'web' })).toBe('app=web');
    expect(selectorText({})).toBeUndefined();
    expect(strategyText({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } } })).toBe('RollingUpdate (max surge 25%, max unavailable 0)');
    expect(strategyText({ spec: { updateStrategy: { type: 'OnDelete' } } })).toBe('OnDelete');
  });
});

describe('services and endpoints', () => {
  it('reads ports, cluster and external addresses', () => {
    const facts = serviceFacts({ spec: { type: 'LoadBalancer', clusterIP: '10.0.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] } });
    expect(facts).toEqual({ type: 'LoadBalancer', clusterIPs: ['10.0.0.5'], externalIPs: ['<pending>'], ports: [{ name: 'http', port: '80/TCP', targetPort: 'http', nodePort: 30080 }] });
  });

  it('reads EndpointSlice conditions as the API defines them: unset ready is ready, terminating wins', () => {
    const slice = { ports: [{ name: 'http', port: 8080 }], endpoints: [
      { addresses: ['10.1.0.1'], targetRef: { kind: 'Pod', name: 'web-1' }, nodeName: 'n1' },
      { addresses: ['10.1.0.2'], conditions: { ready: false } },
      { addresses: ['10.1.0.3'], conditions: { ready: false, terminating: true } },
    ] };
    expect(endpointsOf([slice, 'odd', { endpoints: 'x' }]).map((e) => `${e.address} ${e.state} ${e.pod ?? ''}`)).toEqual(['10.1.0.1 ready web-1', '10.1.0.2 not ready ', '10.1.0.3 terminating ']);
  });
});

describe('nextCronRun', () => {
  const at = new Date('2026-11-29T13:30:00Z'); // a Sunday
  it('reads the five fields and descriptors in the CronJob time zone', async () => {
    expect(await nextCronRun('0 3 * * *', undefined, at)).toEqual({ next: new Date('2026-11-30T03:00:00Z'), timeZone: 'UTC' });
    expect(await nextCronRun('@hourly', undefined, at)).toEqual({ next: new Date('2026-11-29T14:00:00Z'), timeZone: 'UTC' });
    expect(await nextCronRun('0 3 * * *', 'Europe/Berlin', at)).toEqual({ next: new Date('2026-11-30T02:00:00Z'), timeZone: 'Europe/Berlin' });
    expect(await nextCronRun('*/15 * * * MON-FRI', undefined, at)).toEqual({ next: new Date('2026-11-30T00:00:00Z'), timeZone: 'UTC' });
  });

  it('runs on either the day of month or the day of week when both are set (Vixie cron, as robfig/cron)', async () => {
    // The 1st of the month or a Monday: Monday the 30th comes first.
    expect(await nextCronRun('0 0 1 * MON', undefined, at)).toEqual({ next: new Date('2026-11-30T00:00:00Z'), timeZone: 'UTC' });
  });

  it('says in words what it cannot read', async () => {
    expect(await nextCronRun('@every 1h', undefined, at)).toEqual({ problem: '"@every 1h" runs at a fixed interval after the last run' });
    expect(await nextCronRun('0 3 * *', undefined, at)).toMatchObject({ problem: expect.stringContaining('not five fields') });
    expect(await nextCronRun('99 3 * * *', undefined, at)).toMatchObject({ problem: expect.stringContaining('could not be read') });
  });
});
