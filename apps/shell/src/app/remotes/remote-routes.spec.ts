import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Routes, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { MfeRemote } from '@cairn/api-contracts';
import { remoteRoutes } from './remote-routes';
import { RemoteModuleLoader } from './remotes';

@Component({ selector: 'cairn-remote-page', template: '<h1>Logs from the remote</h1>' })
class RemotePage {}

const logs: MfeRemote = { name: 'mfe-logs', remoteEntry: '/remotes/mfe-logs/remoteEntry.json', exposedModule: './routes', route: 'logs', label: 'Logs' };

async function navigate(load: RemoteModuleLoader, url: string): Promise<HTMLElement> {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  TestBed.configureTestingModule({ providers: [provideRouter(remoteRoutes([logs], load), withComponentInputBinding())] });
  const harness = await RouterTestingHarness.create(url);
  return harness.routeNativeElement as HTMLElement;
}

describe('remoteRoutes', () => {
  it("mounts the remote's own routes under the route the manifest gives it", async () => {
    const load = jest.fn<Promise<unknown>, [MfeRemote]>().mockResolvedValue({ routes: [{ path: '', component: RemotePage }] as Routes });
    const page = await navigate(load, '/logs');
    expect(load).toHaveBeenCalledWith(logs);
    expect(page.textContent).toContain('Logs from the remote');
  });

  it('shows an error panel in place of a remote that cannot be reached', async () => {
    const page = await navigate(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')), '/logs/some/deep/link');
    expect(page.querySelector('[role="alert"] h1')?.textContent).toBe('Logs could not be loaded');
    expect(page.textContent).toContain('Failed to fetch dynamically imported module');
    expect(page.textContent).toContain('/remotes/mfe-logs/remoteEntry.json');
    expect(page.querySelector('button')?.textContent).toBe('Retry');
  });

  it('shows an error panel when the exposed module has no routes', async () => {
    const page = await navigate(() => Promise.resolve({ Component: RemotePage }), '/logs');
    expect(page.textContent).toContain('its module "./routes" does not export "routes"');
  });
});
