import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LogsPage } from './logs-page';

describe('LogsPage', () => {
  it('explains the three log sources and links to the pods list', async () => {
    await TestBed.configureTestingModule({ providers: [provideRouter([])] }).compileComponents();
    const fixture = TestBed.createComponent(LogsPage);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(Array.from(element.querySelectorAll('.sources strong')).map((e) => e.textContent)).toEqual([
      'One container',
      'All containers of a pod',
      'All pods of a workload',
    ]);
    expect(element.querySelector('a')?.getAttribute('href')).toBe('/workloads/pods');
  });
});
