import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { WorkloadKindView } from './workload-kind-view';

async function render(kind: string): Promise<HTMLElement> {
  await TestBed.configureTestingModule({ providers: [provideRouter([])] }).compileComponents();
  const fixture = TestBed.createComponent(WorkloadKindView);
  fixture.componentRef.setInput('kind', kind);
  await fixture.whenStable();
  return fixture.nativeElement as HTMLElement;
}

describe('WorkloadKindView', () => {
  it('names the kind, says why the list is empty and links to the clusters', async () => {
    const element = await render('statefulsets');
    expect(element.querySelector('h2')?.textContent).toBe('StatefulSets');
    expect(element.textContent).toContain('No cluster is selected');
    expect(element.querySelector('a')?.getAttribute('href')).toBe('/clusters');
  });

  it('tells the user when the address names no workload kind, and which kinds exist', async () => {
    const element = await render('deploymnets');
    expect(element.querySelector('[role="alert"] h2')?.textContent).toContain('"deploymnets" is not a workload kind');
    expect(element.textContent).toContain('Deployments, StatefulSets, DaemonSets');
  });
});
