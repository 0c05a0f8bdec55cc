import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { CellTemplate, ResourceTable } from './resource-table';
import type { TableColumn } from './table-column';

/** How often the replicas column's value was asked for: the filter's reads (and the cells drawn). */
let replicasRead = 0;

interface Item {
  uid: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
}

@Component({
  imports: [ResourceTable, CellTemplate],
  template: `
    <cairn-resource-table [rows]="rows()" [columns]="columns" [rowKey]="key" label="Deployments" tableId="test-deployments" [labels]="labels" scope="in team-a" emptyText="There are no Deployments here.">
      <label cairnTableTools><input type="checkbox" /> Problems only</label>
      <ng-template cairnCell="replicas" let-row><strong class="replicas">{{ row.replicas }} wanted</strong></ng-template>
    </cairn-resource-table>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class Host {
  readonly rows = signal<Item[]>([]);
  readonly columns: TableColumn<Item>[] = [
    { id: 'name', label: 'Name', value: (i) => i.name, link: (i) => ['/deployments', i.name], fixed: true },
    { id: 'replicas', label: 'Replicas', value: (i) => (replicasRead++, i.replicas), numeric: true },
    { id: 'uid', label: 'UID', value: (i) => i.uid, hidden: true },
  ];
  readonly key = (i: Item) => i.uid;
  readonly labels = (i: Item) => i.labels;
}

describe('ResourceTable', () => {
  let host: HTMLElement;
  let rows: ReturnType<typeof signal<Item[]>>;

  const text = (selector: string) => Array.from(host.querySelectorAll(selector)).map((e) => e.textContent?.trim());
  const cells = () => Array.from(host.querySelectorAll('.viewport [role=row]')).map((row) => Array.from(row.querySelectorAll('[role=cell]')).map((c) => c.textContent?.trim()));
  const settle = async () => {
    TestBed.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    TestBed.tick();
  };
  const type = async (value: string) => {
    const input = host.querySelector<HTMLInputElement>('input[type=search]')!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await settle();
  };

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(Host);
    host = fixture.nativeElement;
    rows = fixture.componentInstance.rows;
    await settle();
  });

  it('says there is nothing before rows arrive, then counts and lists them sorted by name', async () => {
    expect(text('.none')).toEqual(['There are no Deployments here.']);
    rows.set([
      { uid: 'u2', name: 'web-10', replicas: 3, labels: { app: 'web' } },
      { uid: 'u1', name: 'web-9', replicas: 1, labels: { app: 'web' } },
      { uid: 'u3', name: 'api', replicas: 2, labels: { app: 'api' } },
    ]);
    await settle();
    expect(text('.count')[0]).toBe('3 of 3 Deployments in team-a');
    expect(text('[role=columnheader]')).toEqual(['Name', 'Replicas']);
    expect(cells()).toEqual([
      ['api', '2 wanted'],
      ['web-9', '1 wanted'],
      ['web-10', '3 wanted'],
    ]);
    expect(host.querySelector('[role=cell] a')?.getAttribute('href')).toBe('/deployments/api');
    expect(host.querySelector('[role=table]')?.getAttribute('aria-rowcount')).toBe('4');
    expect(host.querySelector('label[cairnTableTools]')?.textContent).toContain('Problems only');
  });

  it('sorts by a column when its header is clicked, and the other way on a second click', async () => {
    rows.set([
      { uid: 'u1', name: 'a', replicas: 10, labels: {} },
      { uid: 'u2', name: 'b', replicas: 9, labels: {} },
    ]);
    await settle();
    const replicas = host.querySelectorAll<HTMLElement>('[role=columnheader]')[1]!;
    replicas.querySelector('button')!.click();
    await settle();
    expect(replicas.getAttribute('aria-sort')).toBe('ascending');
    expect(cells().map((c) => c[0])).toEqual(['b', 'a']);
    replicas.querySelector('button')!.click();
    await settle();
    expect(replicas.getAttribute('aria-sort')).toBe('descending');
    expect(cells().map((c) => c[0])).toEqual(['a', 'b']);
  });

  it('filters by text and labels, and offers to clear a filter that hides everything', async () => {
    rows.set([
      { uid: 'u1', name: 'web', replicas: 1, labels: { app: 'web' } },
      { uid: 'u2', name: 'api', replicas: 1, labels: { app: 'api' } },
    ]);
    await settle();
    await type('app=api');
    expect(cells().map((c) => c[0])).toEqual(['api']);
    expect(text('.count')[0]).toBe('1 of 2 Deployments in team-a');
    await type('nothing-like-this');
    expect(text('.none')[0]).toContain('Nothing matches the filter.');
    (host.querySelector('.none button') as HTMLButtonElement).click();
    await settle();
    expect(cells().length).toBe(2);
  });

  it('reads the cells the filter searches while the page is idle, so the first keystroke does not read every row', async () => {
    rows.set(Array.from({ length: 2_000 }, (_, i) => ({ uid: `u${i}`, name: `web-${i}`, replicas: i, labels: {} })));
    await settle();
    // Idle slices of at most 8 ms (jsdom has no requestIdleCallback: timers stand in).
    for (let i = 0; i < 50 && replicasRead < 2_000; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    replicasRead = 0;
    await type('web-19');
    expect(text('.count')[0]).toBe('111 of 2000 Deployments in team-a');
    // Without reading ahead: 1 889 rows whose name does not match would have their replicas read now.
    expect(replicasRead).toBeLessThan(200);
  });

  it('lets the person choose columns, keeps the choice in the browser, and never hides the name', async () => {
    rows.set([{ uid: 'u1', name: 'web', replicas: 1, labels: {} }]);
    await settle();
    (host.querySelector('.columns > button') as HTMLButtonElement).click();
    await settle();
    const boxes = () => Array.from(host.querySelectorAll<HTMLInputElement>('.column-menu input[type=checkbox]'));
    expect(boxes().map((b) => [b.checked, b.disabled])).toEqual([
      [true, true],
      [true, false],
      [false, false],
    ]);
    boxes()[2]!.click();
    boxes()[1]!.click();
    await settle();
    expect(text('[role=columnheader]')).toEqual(['Name', 'UID']);
    expect(cells()).toEqual([['web', 'u1']]);
    expect(JSON.parse(localStorage.getItem('cairn.columns.test-deployments') ?? '')).toEqual({ uid: true, replicas: false });

    // A new table of the same kind starts with the person's choice.
    const again = TestBed.createComponent(Host);
    again.componentInstance.rows.set([{ uid: 'u9', name: 'db', replicas: 1, labels: {} }]);
    TestBed.tick();
    await settle();
    expect(Array.from(again.nativeElement.querySelectorAll('[role=columnheader]')).map((e) => (e as HTMLElement).textContent?.trim())).toEqual(['Name', 'UID']);

    Array.from(host.querySelectorAll<HTMLButtonElement>('.column-menu button')).find((b) => b.textContent?.includes('Default columns'))!.click();
    await settle();
    expect(text('[role=columnheader]')).toEqual(['Name', 'Replicas']);
    expect(localStorage.getItem('cairn.columns.test-deployments')).toBeNull();

    // A click elsewhere closes the choice.
    document.body.click();
    await settle();
    expect(host.querySelector('.column-menu')).toBeNull();
  });
});
