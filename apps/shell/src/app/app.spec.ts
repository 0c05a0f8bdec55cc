import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { MfeManifestCheck } from '@cairn/api-contracts';
import { App } from './app';
import { NotFound } from './not-found/not-found';
import { MFE_MANIFEST } from './remotes/remotes';

function render(manifest: MfeManifestCheck): HTMLElement {
  TestBed.configureTestingModule({ providers: [provideRouter([{ path: '**', component: NotFound }]), { provide: MFE_MANIFEST, useValue: manifest }] });
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
});
