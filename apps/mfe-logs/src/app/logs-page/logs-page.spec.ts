import { TestBed } from '@angular/core/testing';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ApiClient, ApiError, ConsoleContext } from '@cairn/data-access';
import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';
import { routes } from '../app.routes';

globalThis.TextDecoder ??= NodeTextDecoder as unknown as typeof TextDecoder;

/** A body that sends `chunks` and then stays open, as a followed log does. */
function openBody(chunks: string[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((c) => new NodeTextEncoder().encode(c));
  return {
    getReader: () => ({
      read: () => (queue.length ? Promise.resolve({ done: false, value: queue.shift() }) : new Promise(() => undefined)),
      cancel: () => Promise.resolve(),
    }),
  } as unknown as ReadableStream<Uint8Array>;
}

const pod = (name: string, containers: string[]) => ({ metadata: { name }, spec: { containers: containers.map((c) => ({ name: c })) }, status: { phase: 'Running' } });

describe('LogsPage', () => {
  let requests: string[];
  let logs: Record<string, string[] | ApiError>;

  beforeEach(() => {
    requests = [];
    logs = {};
    const api = {
      list: async (_cluster: string, kind: { resource: string }) => {
        if (kind.resource === 'pods') return { metadata: { resourceVersion: '1' }, items: [pod('web-1', ['web', 'log-shipper']), pod('worker-1', ['worker'])] };
        if (kind.resource === 'deployments') return { metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web' }] } } } }] };
        return { metadata: { resourceVersion: '1' }, items: [] };
      },
      request: async (_method: string, path: string) => {
        requests.push(path);
        const key = Object.keys(logs).find((k) => path.includes(k));
        const answer = key ? logs[key] : [];
        if (answer instanceof ApiError) throw answer;
        return { body: openBody(answer) };
      },
    };
    TestBed.configureTestingModule({ providers: [provideRouter(routes, withComponentInputBinding()), { provide: ApiClient, useValue: api }] });
    const context = TestBed.inject(ConsoleContext);
    context.cluster.set('dev');
    context.namespace.set('team-a');
  });

  /** Renders `url` and waits until `until` holds (lines are flushed once a frame). */
  async function open(url: string, until: (root: HTMLElement) => boolean): Promise<{ root: HTMLElement; waitFor: (check: (root: HTMLElement) => boolean) => Promise<void> }> {
    const harness = await RouterTestingHarness.create(url);
    const root = harness.routeNativeElement as HTMLElement;
    const waitFor = async (check: (root: HTMLElement) => boolean) => {
      for (let i = 0; i < 100 && !check(root); i++) {
        await new Promise((r) => setTimeout(r, 20));
        harness.fixture.detectChanges();
        await harness.fixture.whenStable();
      }
      expect(check(root)).toBe(true);
    };
    await waitFor(until);
    return { root, waitFor };
  }

  it('explains the three sources while nothing is picked, and offers the namespace\u2019s pods and workloads', async () => {
    const { root } = await open('/', (r) => !!r.querySelector('optgroup[label^="Workloads"]'));
    expect(Array.from(root.querySelectorAll('.sources strong')).map((e) => e.textContent)).toEqual(['One container', 'All containers of a pod', 'All pods of a workload']);
    expect(Array.from(root.querySelectorAll('optgroup')).map((g) => g.label)).toEqual(['Workloads: every pod merged', 'Pods']);
    expect(Array.from(root.querySelectorAll('option')).map((o) => o.value)).toEqual(expect.arrayContaining(['w:apps/v1/deployments/web', 'p:web-1', 'p:worker-1']));
  });

  it('shows a container\u2019s colours as classes, markup as text, and searches it', async () => {
    logs['pods/worker-1/log'] = ['2024-05-01T10:00:00Z \x1b[31mfailed\x1b[0m to connect\n', '2024-05-01T10:00:01Z <script>window.hacked=1</script> <b>bold?</b>\n2024-05-01T10:00:02Z connect again\n'];
    const { root, waitFor } = await open('/?pod=worker-1&container=worker', (r) => r.querySelectorAll('.line').length === 3);
    expect(requests).toEqual(['api/v1/clusters/dev/namespaces/team-a/pods/worker-1/log?container=worker&follow=true&timestamps=true&tailLines=1000']);
    expect(root.querySelector('.line .ansi-fg-1')?.textContent).toBe('failed');
    expect(root.querySelector('.line script, .line b')).toBeNull();
    expect(root.querySelectorAll('.line')[1].textContent).toBe('<script>window.hacked=1</script> <b>bold?</b>');
    expect((window as unknown as { hacked?: number }).hacked).toBeUndefined();
    expect(root.querySelector('[role="status"]')?.textContent).toContain('3 lines');

    const search = root.querySelector<HTMLInputElement>('input[type="search"]') as HTMLInputElement;
    search.value = 'CONNECT';
    search.dispatchEvent(new Event('input'));
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await waitFor((r) => r.querySelectorAll('mark').length === 2);
    expect(root.querySelector('.count')?.textContent).toBe('1 of 2');
    expect(Array.from(root.querySelectorAll('mark')).map((m) => [m.textContent, m.classList.contains('current')])).toEqual([
      ['connect', true],
      ['connect', false],
    ]);
  });

  it('merges every container of a pod, each named in its own colour', async () => {
    logs['container=web&'] = ['2024-05-01T10:00:00Z GET /\n'];
    logs['container=log-shipper&'] = ['2024-05-01T10:00:00Z shipped 3\n'];
    const { root } = await open('/?pod=web-1', (r) => r.querySelectorAll('.line').length === 2);
    expect(requests.sort()).toEqual([
      'api/v1/clusters/dev/namespaces/team-a/pods/web-1/log?container=log-shipper&follow=true&timestamps=true&tailLines=1000',
      'api/v1/clusters/dev/namespaces/team-a/pods/web-1/log?container=web&follow=true&timestamps=true&tailLines=1000',
    ]);
    const sources = Array.from(root.querySelectorAll('.line .src')).map((s) => [s.textContent?.trim(), s.className.replace(/\s*src\s*/, '')]);
    expect(sources).toEqual(expect.arrayContaining([['web', expect.stringMatching(/^c\d$/)], ['log-shipper', expect.stringMatching(/^c\d$/)]]));
    expect(new Set(sources.map((s) => s[1])).size).toBe(2);
  });

  it('says which verb on which resource was refused', async () => {
    const refusal = 'Cluster dev refused: deployments.apps "api" is forbidden: User "alice@cairn.test" cannot get resource "deployments" in API group "apps" in the namespace "team-a"';
    logs['workloads/apps/v1/deployments/api/logs'] = new ApiError(403, refusal);
    const { root } = await open('/?workload=apps/v1/deployments/api', (r) => !!r.querySelector('cairn-notice[role=alert]'));
    const notice = root.querySelector('cairn-notice[role=alert]');
    expect(notice?.textContent?.trim().startsWith(`Not allowed. ${refusal}`)).toBe(true);
    // Why: the refused request as the API server named it (who and what else come from the cluster in the console).
    expect(notice?.querySelector('cairn-why-cant-i')?.textContent?.replace(/\s+/g, ' ')).toContain('get on deployments (API group apps) in namespace team-a (object api)');
  });
});
