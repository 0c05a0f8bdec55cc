import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { routes } from '../app.routes';

describe('Workloads routes', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideRouter(routes, withComponentInputBinding())] });
  });

  it('opens on Deployments and offers a tab per workload kind', async () => {
    const harness = await RouterTestingHarness.create('/');
    expect(TestBed.inject(Router).url).toBe('/deployments');
    const tabs = Array.from(harness.routeNativeElement?.querySelectorAll('.kind-tabs a') ?? []);
    expect(tabs.map((tab) => tab.textContent?.trim())).toEqual([
      'Deployments', 'StatefulSets', 'DaemonSets', 'ReplicaSets', 'Jobs', 'CronJobs', 'Pods',
    ]);
    expect(harness.routeNativeElement?.querySelector('.kind-tabs a.active')?.textContent).toBe('Deployments');
  });

  it('gives every kind its own deep link', async () => {
    const harness = await RouterTestingHarness.create('/cronjobs');
    expect(harness.routeNativeElement?.querySelector('cairn-workload-kind-view h2')?.textContent).toBe('CronJobs');
  });
});
