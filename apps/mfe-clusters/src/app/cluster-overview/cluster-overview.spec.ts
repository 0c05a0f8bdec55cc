import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ConsoleContext } from '@cairn/data-access';
import { routes } from '../app.routes';
import { Answer, fakeGateway, get, Route, settle, testProviders } from '../../testing/fake-gateway';

const list = (items: unknown[]): Answer => [200, { metadata: { resourceVersion: '42' }, items }];
const forbidden = (verb: string, resource: string, group = ''): Answer => [403, { message: `${resource} is forbidden: User "tina@cairn.test" cannot ${verb} resource "${resource}" in API group "${group}" at the cluster scope` }];

const node = (name: string, ready: string, pressure = 'False') => ({
  metadata: { name, uid: name, labels: { 'node-role.kubernetes.io/agent': '' } },
  status: {
    capacity: { cpu: '16', memory: '64Gi', pods: '110' },
    allocatable: { cpu: '16', memory: '64Gi', pods: '110' },
    conditions: [{ type: 'MemoryPressure', status: pressure }, { type: 'DiskPressure', status: 'False' }, { type: 'Ready', status: ready }],
    nodeInfo: { kubeletVersion: 'fake' },
  },
});
const deployment = (namespace: string, name: string, replicas: number, ready: number) => ({ metadata: { name, namespace, uid: `${namespace}/${name}` }, spec: { replicas }, status: { readyReplicas: ready } });
const pod = (namespace: string, name: string, status: object) => ({ metadata: { name, namespace, uid: `${namespace}/${name}` }, status });

const resources = '/api/v1/clusters/cairn-dev/resources';
const facts: Route[] = [
  get('/api/v1/clusters/cairn-dev/status', [200, { name: 'cairn-dev', reachable: true, version: 'v1.36.3' }]),
  get('/api/v1/clusters/cairn-dev/whoami', [200, { username: 'someone@cairn.test', groups: [] }]),
];

describe('ClusterOverview', () => {
  beforeEach(() => localStorage.clear());

  async function open(...routes_: Route[]) {
    const fake = fakeGateway(...facts, ...routes_);
    TestBed.configureTestingModule({ providers: [provideRouter(routes, withComponentInputBinding()), ...testProviders(fake).providers] });
    const harness = await RouterTestingHarness.create('/cairn-dev');
    await settle(harness.fixture, 8);
    return { harness, element: harness.routeNativeElement as HTMLElement, fake };
  }

  it('for a cluster that does not answer: one reason, said once, and "—" where counts would be, never 0/0', async () => {
    const refusal = 'the gateway could not connect to https://10.99.0.1:6443: connect ETIMEDOUT';
    const down = fakeGateway(
      get('/api/v1/clusters/cairn-dev/status', [200, { name: 'cairn-dev', reachable: false, error: refusal }]),
      get('/api/v1/clusters/cairn-dev/whoami', [502, { message: refusal }]),
      (r) => (r.path.startsWith(resources) ? [502, { message: refusal }] : undefined),
    );
    TestBed.configureTestingModule({ providers: [provideRouter(routes, withComponentInputBinding()), ...testProviders(down).providers] });
    const harness = await RouterTestingHarness.create('/cairn-dev');
    await settle(harness.fixture, 8);
    const element = harness.routeNativeElement as HTMLElement;
    const glance = Array.from(element.querySelectorAll('.glance strong'), (s) => s.textContent?.trim());
    expect(glance).toEqual(['—', '—', '—', '—', '—']);
    expect(element.textContent?.split(refusal).length).toBe(3); // in the status, and in the one notice
    expect(element.querySelectorAll('[role=alert]').length).toBe(1);
    expect(element.querySelector('section[aria-labelledby="nodes-title"]')).toBeNull();
  });

  const section = (element: HTMLElement, title: string) => element.querySelector(`section[aria-labelledby="${title}"]`) as HTMLElement;

  it('shows the nodes, the namespaces, the workloads\u2019 health and the latest warnings, and makes the cluster the current one', async () => {
    const { element } = await open(
      get(`${resources}/core/v1/nodes`, list([node('kwok-node-1', 'True'), node('kwok-node-2', 'False', 'True')])),
      get(`${resources}/core/v1/namespaces`, list([{ metadata: { name: 'team-a', uid: 'a' }, status: { phase: 'Active' } }])),
      get(`${resources}/apps/v1/deployments`, list([deployment('team-a', 'web', 2, 2), deployment('team-b', 'gpu-trainer', 1, 0)])),
      get(`${resources}/core/v1/pods`, list([pod('team-a', 'queue-worker-1', { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] })])),
      get(`${resources}/core/v1/events`, (search) =>
        search.get('fieldSelector') === 'type=Warning' ? list([{ metadata: { name: 'e1', namespace: 'team-a', uid: 'e1' }, involvedObject: { kind: 'Pod', name: 'queue-worker-1', namespace: 'team-a' }, reason: 'BackOff', message: 'Back-off restarting failed container', count: 7, lastTimestamp: new Date().toISOString() }]) : [400, { message: 'only warnings' }],
      ),
    );
    expect(TestBed.inject(ConsoleContext).cluster()).toBe('cairn-dev');
    expect(element.querySelector('h1')?.textContent?.trim()).toBe('cairn-dev');
    expect(element.querySelector('.facts')?.textContent).toContain('v1.36.3');
    expect(element.querySelector('.facts')?.textContent).toContain('someone@cairn.test');
    const table = section(element, 'nodes-title').querySelector('[role=table][aria-label=Nodes]') as HTMLElement;
    expect(Array.from(table.querySelectorAll('[role=columnheader]'), (h) => h.textContent?.trim())).toEqual(['Name', 'Status', 'Roles', 'CPU', 'Memory', 'Pods', 'Kubelet', 'Conditions', 'Age']);
    const rows = Array.from(table.querySelectorAll('.viewport [role=row]'));
    expect(rows.map((row) => Array.from(row.querySelectorAll('[role=cell]'), (c) => c.textContent?.trim()).slice(0, 7))).toEqual([
      ['kwok-node-1', 'Ready', 'agent', '16 / 16', '64 GiB / 64 GiB', '110 / 110', 'fake'],
      ['kwok-node-2', 'NotReady', 'agent', '16 / 16', '64 GiB / 64 GiB', '110 / 110', 'fake'],
    ]);
    // What is wrong gets a chip, then Ready; the conditions as a healthy node has them are summed up.
    expect(rows.map((row) => Array.from(row.querySelectorAll('.conditions li'), (li) => li.textContent?.trim()))).toEqual([
      ['Ready is True', '+2 fine: MemoryPressure is False, DiskPressure is False'],
      ['⚠ MemoryPressure is True', '⚠ Ready is False', '+1 fine: DiskPressure is False'],
    ]);
    // The status is the console's badge: a node that is not ready is a failure, in words and shape.
    expect(Array.from(table.querySelectorAll('cairn-status'), (badge) => badge.className)).toEqual(['ok', 'failed']);
    expect(section(element, 'nodes-title').textContent).toContain('2 of 2 Nodes');
    expect(Array.from(element.querySelectorAll('.glance li'), (li) => li.textContent?.trim())).toEqual(['1/2 nodes ready', '1 namespaces', '1/2 deployments ready', '1 failing pod', '1 warning']);
    const health = section(element, 'health-title').textContent ?? '';
    expect(health).toContain('Deployments: 1 of 2 ready');
    expect(health).toContain('gpu-trainerteam-b0/1 ready');
    expect(health).toContain('queue-worker-1team-aCrashLoopBackOff');
    expect(section(element, 'warnings-title').querySelector('tbody tr')?.textContent).toContain('BackOff');
    expect(section(element, 'warnings-title').querySelector('tbody a')?.getAttribute('href')).toBe('/workloads/pods/team-a/queue-worker-1?cluster=cairn-dev');
  });

  it('for a tenant, shows the gateway\u2019s refusals and her own namespaces, and follows the workloads there once she names them', async () => {
    const perNamespace = (namespace: string, answer: Answer): Answer => (namespace === 'tenant-1' ? answer : list([]));
    const { harness, element, fake } = await open(
      get(`${resources}/core/v1/nodes`, forbidden('list', 'nodes')),
      get(`${resources}/core/v1/namespaces`, forbidden('list', 'namespaces')),
      get(`${resources}/apps/v1/deployments`, (s) => (s.get('namespace') ? perNamespace(s.get('namespace') as string, list([deployment('tenant-1', 'shop', 1, 1)])) : forbidden('list', 'deployments', 'apps'))),
      get(`${resources}/core/v1/pods`, (s) => (s.get('namespace') ? list([]) : forbidden('list', 'pods'))),
      get(`${resources}/core/v1/events`, (s) => (s.get('namespace') ? list([]) : forbidden('list', 'events'))),
    );
    const nodesRefused = section(element, 'nodes-title').querySelector('[role=alert]') as HTMLElement;
    // A level-3 heading inside the Nodes section.
    expect(nodesRefused.querySelector('h3')?.textContent).toBe('You may not list Nodes in this cluster');
    expect(nodesRefused.textContent).toContain('Your role on cairn-dev does not allow this. The API server said: nodes is forbidden: User "tina@cairn.test" cannot list resource "nodes" in API group "" at the cluster scope');
    expect(section(element, 'nodes-title').querySelector('[role=table]')).toBeNull();
    const namespacesRefused = section(element, 'namespaces-title').querySelector('[role=alert]') as HTMLElement;
    expect(namespacesRefused.querySelector('h3')?.textContent).toBe('You may not list Namespaces in this cluster');
    expect(namespacesRefused.textContent).toContain('namespaces is forbidden: User "tina@cairn.test" cannot list resource "namespaces"');
    expect(namespacesRefused.textContent).toContain('Add the namespaces you work in to the settings below: the console offers them instead.');
    expect(section(element, 'health-title').textContent).toContain('deployments is forbidden');

    const allowed = element.querySelector('#allowed-namespaces') as HTMLInputElement;
    allowed.value = 'tenant-1, tenant-2, Not_OK';
    allowed.dispatchEvent(new Event('input'));
    await settle(harness.fixture);
    expect(element.querySelector('cairn-cluster-settings [role=alert]')?.textContent).toContain('"Not_OK" is not a namespace name');
    allowed.value = 'tenant-2 tenant-1';
    allowed.dispatchEvent(new Event('input'));
    const defaultNs = element.querySelector('#default-namespace') as HTMLInputElement;
    defaultNs.value = 'tenant-1';
    defaultNs.dispatchEvent(new Event('input'));
    await settle(harness.fixture);
    (element.querySelector('cairn-cluster-settings button[type=submit]') as HTMLButtonElement).click();
    await settle(harness.fixture, 8);

    const context = TestBed.inject(ConsoleContext);
    expect(context.allowedNamespaces('cairn-dev')).toEqual(['tenant-1', 'tenant-2']);
    expect(context.namespace()).toBe('tenant-1');
    expect(Array.from(section(element, 'namespaces-title').querySelectorAll('.chips li'), (li) => li.textContent?.trim())).toEqual(['tenant-1', 'tenant-2']);
    expect(section(element, 'namespaces-title').querySelector('[role=alert]')?.textContent).toContain('Below are the namespaces you said you work in.');
    expect(section(element, 'health-title').textContent).toContain('In your namespaces tenant-1, tenant-2');
    expect(section(element, 'health-title').textContent).toContain('Deployments: 1 of 1 ready');
    expect(fake.requests).toContain('GET /api/v1/clusters/cairn-dev/resources/apps/v1/deployments?namespace=tenant-2&limit=500');
  });

  it('opens the overview of the cluster chosen in the top bar', async () => {
    const { harness } = await open();
    const router = TestBed.inject(Router);
    TestBed.inject(ConsoleContext).selectCluster('user:mine');
    await settle(harness.fixture, 4);
    expect(router.url).toBe('/user:mine?cluster=user:mine');
    expect((harness.routeNativeElement as HTMLElement).querySelector('h1')?.textContent).toContain('mine');
    expect((harness.routeNativeElement as HTMLElement).querySelector('.tag')?.textContent).toBe('added in this browser');
  });
});
