import { TestBed } from '@angular/core/testing';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ApiClient, Permissions, WatchStream } from '@cairn/data-access';
import { routes } from '../app.routes';

describe('Workloads routes', () => {
  beforeEach(() => {
    // No cluster is selected in these tests, so nothing is ever fetched.
    const api = new ApiClient({ baseUrl: 'http://127.0.0.1:1/', fetch: () => Promise.reject(new Error('no network in this test')) });
    TestBed.configureTestingModule({
      providers: [provideRouter(routes, withComponentInputBinding()), { provide: ApiClient, useValue: api }, { provide: WatchStream, useValue: new WatchStream(api) }, { provide: Permissions, useValue: new Permissions(api) }],
    });
  });

  it('opens on the overview and offers the events, the Helm releases, the map and a tab per kind, grouped, and the same choice as a select', async () => {
    const harness = await RouterTestingHarness.create('/');
    const tabs = Array.from(harness.routeNativeElement?.querySelectorAll('.kind-tabs a') ?? []);
    const kinds = ['Deployments', 'StatefulSets', 'DaemonSets', 'ReplicaSets', 'Jobs', 'CronJobs', 'Pods', 'Services', 'Ingresses', 'ConfigMaps', 'Secrets', 'ServiceAccounts', 'PersistentVolumeClaims', 'PersistentVolumes', 'StorageClasses'];
    expect(tabs.map((tab) => tab.textContent?.trim())).toEqual(['Overview', 'Events', 'Helm releases', 'Map', ...kinds, 'Other kinds']);
    const groups = Array.from(harness.routeNativeElement?.querySelectorAll('.kind-tabs [role=group]') ?? []).map((g) => g.getAttribute('aria-label'));
    expect(groups).toEqual(['Workloads', 'Network', 'Configuration', 'Storage']);
    const options = Array.from(harness.routeNativeElement?.querySelectorAll('.kind-select option') ?? []);
    expect(options.map((o) => o.textContent?.trim())).toEqual(['Overview', 'Events', 'Helm releases', 'Map', ...kinds, 'Other kinds']);
    expect(harness.routeNativeElement?.querySelector('cairn-workloads-overview h2')?.textContent).toBe('No cluster is selected');
  });

  it('gives every kind its own deep link, and says when the address names no kind', async () => {
    const harness = await RouterTestingHarness.create('/cronjobs');
    expect(harness.routeNativeElement?.querySelector('cairn-workload-list .summary')?.textContent).toBe('Jobs started on a schedule.');
    await harness.navigateByUrl('/gadgets');
    expect(harness.routeNativeElement?.querySelector('cairn-workload-list [role=alert] h2')?.textContent).toBe('"gadgets" is not a workload kind');
  });
});
