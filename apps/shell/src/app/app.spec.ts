import { Component, ErrorHandler } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { MfeManifestCheck } from '@cairn/api-contracts';
import { App } from './app';
import { sessionEnded } from './auth/current-session';
import { NotFound } from './not-found/not-found';
import { MFE_MANIFEST } from './remotes/remotes';
import { ApiClient, UserClusterStore, memoryUserClusterBackend } from '@cairn/data-access';
import { ShellErrorHandler } from './remotes/remote-crashes';

/** The gateway's answer to GET /api/v1/clusters, for the layout tests. */
/** A gateway whose API answers `status` and `body`; the auth service says nobody is signed in. */
function gatewayAnswering(status: number, body: unknown): ApiClient {
  const answer = (s: number, b: unknown) => ({ ok: s < 400, status: s, statusText: '', headers: { get: () => null }, json: async () => b }) as unknown as Response;
  return new ApiClient({
    baseUrl: 'http://localhost/',
    fetch: async (input) => {
      const path = new URL(String(input)).pathname;
      if (path === '/auth/session') return answer(200, { signedIn: false, tokens: [] });
      if (path === '/auth/providers') return answer(200, { bearerToken: true });
      return answer(status, body);
    },
  });
}

function render(manifest: MfeManifestCheck, api = gatewayAnswering(200, [])): HTMLElement {
  TestBed.configureTestingModule({
    providers: [provideRouter([{ path: '**', component: NotFound }]), { provide: MFE_MANIFEST, useValue: manifest }, { provide: ApiClient, useValue: api }, { provide: UserClusterStore, useValue: new UserClusterStore(memoryUserClusterBackend()) }],
  });
  const fixture = TestBed.createComponent(App);
  fixture.detectChanges();
  return fixture.nativeElement as HTMLElement;
}

describe('App', () => {
  const remote = (name: string, route: string, label: string) => ({ name, route, label, remoteEntry: `/remotes/${name}/remoteEntry.json`, exposedModule: './routes' });

  it('builds the navigation from the manifest, in its order', () => {
    const element = render({ remotes: [remote('mfe-clusters', 'clusters', 'Clusters'), remote('team-costs', 'costs', 'Costs')], problems: [] });
    const links = Array.from(element.querySelectorAll('nav a'));
    expect(links.map((a) => [a.textContent?.trim(), a.getAttribute('href')])).toEqual([
      ['Clusters', '/clusters'],
      ['Costs', '/costs'],
    ]);
    expect(element.querySelector('[role="alert"]')).toBeNull();
  });

  it('tells the user which modules are unavailable and why', () => {
    const element = render({ remotes: [], problems: [{ source: '/mfe-manifest.json', message: 'answered HTTP 503' }] });
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('/mfe-manifest.json: answered HTTP 503');
  });

  it('opens and closes the phone navigation drawer from the menu button', () => {
    const element = render({ remotes: [remote('mfe-logs', 'logs', 'Logs')], problems: [] });
    const toggle = element.querySelector<HTMLButtonElement>('.menu-toggle');
    toggle?.click();
    TestBed.tick();
    expect(toggle?.getAttribute('aria-expanded')).toBe('true');
    expect(element.querySelector('nav')?.classList).toContain('open');
    element.querySelector<HTMLAnchorElement>('nav a')?.click();
    TestBed.tick();
    expect(toggle?.getAttribute('aria-expanded')).toBe('false');
  });

  it('says when no cluster is configured, and offers to sign in when the gateway wants a session', async () => {
    const empty = render({ remotes: [], problems: [] });
    await new Promise((r) => setTimeout(r));
    TestBed.tick();
    expect(empty.querySelector('cairn-context-bar')?.textContent).toContain('No cluster configured');
    TestBed.resetTestingModule();
    const signedOut = render({ remotes: [], problems: [] }, gatewayAnswering(401, { statusCode: 401, error: 'Unauthorized', message: 'Sign in first: no session (or it has expired).' }));
    await new Promise((r) => setTimeout(r));
    TestBed.tick();
    expect(signedOut.querySelector('cairn-context-bar')?.textContent).toContain('Sign in to see your clusters');
    expect(signedOut.querySelector('cairn-user-menu a')?.textContent).toBe('Sign in');
    expect(signedOut.querySelector('cairn-user-menu a')?.getAttribute('href')).toBe('/sign-in?returnTo=%2F');
  });

  it('shows the session-ended notice, with the reason and a way to sign in again, once the API client marks the session ended', async () => {
    const answer = (s: number, b: unknown) => ({ ok: s < 400, status: s, statusText: '', headers: { get: () => null }, json: async () => b }) as unknown as Response;
    const api = new ApiClient({
      baseUrl: 'http://localhost/',
      fetch: async (input) => (new URL(String(input)).pathname === '/auth/session' ? answer(200, { signedIn: true, oidc: { provider: 'Dev', user: { name: 'alice' }, expiresAt: 0, refreshable: false }, tokens: [] }) : answer(200, { bearerToken: true })),
    });
    const element = render({ remotes: [], problems: [] }, api);
    await new Promise((r) => setTimeout(r));
    TestBed.tick();
    expect(element.querySelector('.session-ended')).toBeNull();
    sessionEnded.set('Your session cannot be renewed (the provider gave no refresh token): sign in again.');
    TestBed.tick();
    expect(element.querySelector('.session-ended')?.textContent).toContain('Your session has ended. Your session cannot be renewed');
    expect(element.querySelector('.session-ended a')?.getAttribute('href')).toBe('/sign-in?returnTo=%2F');
    sessionEnded.set(undefined);
  });

  it('moves around with the keyboard: g then a module\u2019s first letter, ? for the list', async () => {
    const element = render({ remotes: [remote('mfe-logs', 'logs', 'Logs'), remote('mfe-workloads', 'workloads', 'Workloads')], problems: [] });
    const router = TestBed.inject(Router);
    const press = (key: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    press('g');
    press('w');
    await new Promise((r) => setTimeout(r));
    expect(router.url).toBe('/workloads');
    press('?');
    TestBed.tick();
    expect(element.querySelector('[role="dialog"]')?.textContent).toContain('Logs');
    press('Escape');
    TestBed.tick();
    expect(element.querySelector('[role="dialog"]')).toBeNull();
  });

  it('replaces a remote that throws while running with an error panel, and the rest keeps working', async () => {
    @Component({ selector: 'cairn-flaky', template: '<h1>Quotas</h1><button type="button" (click)="boom()">Recalculate</button>' })
    class Flaky {
      boom(): void {
        throw new Error('quota service returned nonsense');
      }
    }
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    TestBed.configureTestingModule({
      // As in the browser: errors go to the ErrorHandler instead of failing the test.
      rethrowApplicationErrors: false,
      providers: [
        provideRouter([
          { path: 'quotas', component: Flaky },
          { path: '**', component: NotFound },
        ]),
        { provide: MFE_MANIFEST, useValue: { remotes: [remote('team-quotas', 'quotas', 'Quotas')], problems: [] } },
        { provide: ApiClient, useValue: gatewayAnswering(200, []) },
        { provide: UserClusterStore, useValue: new UserClusterStore(memoryUserClusterBackend()) },
        { provide: ErrorHandler, useClass: ShellErrorHandler },
      ],
    });
    const fixture = TestBed.createComponent(App);
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/quotas');
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    element.querySelector<HTMLButtonElement>('main button')?.click();
    fixture.detectChanges();
    expect(element.querySelector('[role="alert"] h1')?.textContent).toBe('Quotas stopped working');
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('quota service returned nonsense');
    expect(element.querySelectorAll('nav a')).toHaveLength(1);
    await router.navigateByUrl('/elsewhere');
    fixture.detectChanges();
    expect(element.querySelector('[role="alert"]')).toBeNull();
  });
});
