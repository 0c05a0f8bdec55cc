import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ApiClient, ConsoleContext } from '@cairn/data-access';
import { QuotasPage } from './quotas-page';

describe('QuotasPage', () => {
  it('lists each limit of each quota with what is used, through the console\u2019s API client', async () => {
    const requests: string[] = [];
    const api = new ApiClient({
      baseUrl: 'http://console.test/',
      fetch: async (input) => {
        requests.push(String(input));
        const body = { metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'compute' }, status: { hard: { pods: '10', 'requests.cpu': '4' }, used: { pods: '3' } } }] };
        // jsdom has no Response: the part of it the client reads.
        return { ok: true, status: 200, json: async () => body } as unknown as Response;
      },
    });
    TestBed.configureTestingModule({ providers: [{ provide: ApiClient, useValue: api }, provideRouter([])] });
    const context = TestBed.inject(ConsoleContext);
    context.selectCluster('main');
    context.selectNamespace('team-a');
    const fixture = TestBed.createComponent(QuotasPage);
    fixture.detectChanges();
    // The answer arrives through a few promise turns (fetch, json).
    for (let i = 0; i < 20 && !fixture.nativeElement.querySelector('[role=cell]'); i++) {
      await new Promise((r) => setTimeout(r, 10));
      fixture.detectChanges();
    }
    expect(requests).toEqual(['http://console.test/api/v1/clusters/main/resources/core/v1/resourcequotas?namespace=team-a']);
    const cells = Array.from(fixture.nativeElement.querySelectorAll('.viewport [role=row]') as NodeListOf<HTMLElement>).map((row) => Array.from(row.querySelectorAll('[role=cell]')).map((cell) => cell.textContent?.trim()).join(' '));
    expect(cells).toEqual(['compute pods 3 10', 'compute requests.cpu 0 4']);
  });
});
