import { Dialog } from '@angular/cdk/dialog';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ConsoleContext, memoryUserClusterBackend, UserClusterStore } from '@cairn/data-access';
import { fakeGateway, get, settle, testProviders } from '../../testing/fake-gateway';
import { ClustersHome } from './clusters-home';

describe('ClustersHome', () => {
  afterEach(() => TestBed.inject(Dialog).closeAll());

  const gateway = () =>
    fakeGateway(
      get('/api/v1/clusters', [200, [{ name: 'cairn-dev', server: 'https://127.0.0.1:6443', source: 'kubeconfig' }]]),
      get('/api/v1/clusters/cairn-dev/status', [200, { name: 'cairn-dev', reachable: true, version: 'v1.36.3' }]),
      get('/api/v1/clusters/cairn-dev/whoami', [200, { username: 'admin@cairn.test', groups: ['cairn-admins', 'system:authenticated'] }]),
      get('/api/v1/clusters/user:mine/status', (_, headers) => (headers['x-cairn-cluster'] === 'ENTRY' ? [200, { name: 'user:mine', reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:1' }] : [400, { message: 'no entry' }])),
      get('/api/v1/clusters/user:mine/whoami', [502, { message: 'user:mine cannot be reached' }]),
    );

  async function render(store = new UserClusterStore(memoryUserClusterBackend())) {
    const fake = gateway();
    const { providers } = testProviders(fake, store);
    TestBed.configureTestingModule({ providers: [provideRouter([]), ...providers] });
    const fixture = TestBed.createComponent(ClustersHome);
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement, fake };
  }

  /** The row's cells as a reader hears them: the texts of each cell, ` | ` between cells. */
  const rowText = (element: HTMLElement, cluster: string) =>
    Array.from(element.querySelectorAll(`tr[data-cluster="${cluster}"] > *`), (cell) => {
      const texts: string[] = [];
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) if (walker.currentNode.textContent?.trim()) texts.push(walker.currentNode.textContent.trim());
      return texts.join(' ');
    }).join(' | ');

  it('lists configured and added clusters with reachability, version and who the user is there', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    await store.add([{ name: 'mine', context: 'kind-mine', server: 'https://127.0.0.1:1', entry: 'ENTRY' }]);
    const { element } = await render(store);
    expect(element.querySelector('caption')?.textContent).toBe('2 clusters');
    expect(rowText(element, 'cairn-dev')).toBe('cairn-dev | Reachable | v1.36.3 | admin@cairn.test cairn-admins | https://127.0.0.1:6443 | Configured | ');
    expect(rowText(element, 'user:mine')).toMatch(/^mine \| Not reachable connect ECONNREFUSED 127\.0\.0\.1:1 \| — \| user:mine cannot be reached \| https:\/\/127\.0\.0\.1:1 \| Added in this browser \(context kind-mine, \d+s ago\) \| Rename Remove$/);
    expect(element.querySelector('tr[data-cluster="cairn-dev"] a')?.getAttribute('href')).toBe('/cairn-dev?cluster=cairn-dev');
    expect(element.querySelector('tr[data-cluster="cairn-dev"] button')).toBeNull();
  });

  it('renames an added cluster, refusing a bad name, and carries its settings along', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    await store.add([{ name: 'mine', context: 'kind-mine', server: 'https://127.0.0.1:1', entry: 'ENTRY' }]);
    const { fixture, element } = await render(store);
    TestBed.inject(ConsoleContext).setAllowedNamespaces('user:mine', ['team-a']);
    (element.querySelector('#rename-mine') as HTMLButtonElement).click();
    await settle(fixture);
    const input = element.querySelector('#rename-input-mine') as HTMLInputElement;
    input.value = 'not ok';
    input.dispatchEvent(new Event('input'));
    (element.querySelector('form.rename button[type=submit]') as HTMLButtonElement).click();
    await settle(fixture);
    expect(element.querySelector('#rename-error')?.textContent).toContain('Use letters, digits');
    input.value = 'dev';
    input.dispatchEvent(new Event('input'));
    (element.querySelector('form.rename button[type=submit]') as HTMLButtonElement).click();
    await settle(fixture);
    expect((await store.list()).map((c) => c.name)).toEqual(['dev']);
    expect(element.querySelector('[role=status]')?.textContent).toBe('Renamed mine to dev.');
    expect(rowText(element, 'user:dev')).toContain('dev');
    expect(TestBed.inject(ConsoleContext).allowedNamespaces('user:dev')).toEqual(['team-a']);
  });

  it('removes an added cluster only once the user confirms in the dialog, and gives the focus back when they do not', async () => {
    const store = new UserClusterStore(memoryUserClusterBackend());
    await store.add([{ name: 'mine', context: 'kind-mine', server: 'https://127.0.0.1:1', entry: 'ENTRY' }]);
    const { fixture, element } = await render(store);
    // The dialog is in the overlay at the end of <body>, not in the view.
    const dialog = () => document.querySelector<HTMLElement>('[role=dialog]');
    const dialogButton = (name: string) => Array.from(dialog()?.querySelectorAll('button') ?? []).find((b) => b.textContent?.trim() === name) as HTMLButtonElement;
    const removeButton = element.querySelector('#remove-mine') as HTMLButtonElement;
    removeButton.focus();
    removeButton.click();
    await settle(fixture);
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog()?.getAttribute('aria-labelledby') ?? '')?.textContent).toBe('Remove mine from this browser?');
    expect(dialog()?.textContent).toContain('the cluster itself is not changed');
    expect(dialogButton('Remove').classList).toContain('cairn-danger');
    dialogButton('Cancel').click();
    await settle(fixture);
    expect(dialog()).toBeNull();
    expect(document.activeElement).toBe(removeButton);
    expect(await store.list()).toHaveLength(1);
    expect(element.querySelector('cairn-notice')).toBeNull();

    removeButton.click();
    await settle(fixture);
    dialogButton('Remove').click();
    await settle(fixture);
    expect(await store.list()).toEqual([]);
    expect(element.querySelector('caption')?.textContent).toBe('1 cluster');
    expect(element.querySelector('[role=status]')?.textContent).toBe('Removed mine from this browser.');
  });

  it('says there are no clusters yet, and that added clusters stay in the browser', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([]), ...testProviders(fakeGateway(get('/api/v1/clusters', [200, []]))).providers] });
    const fixture = TestBed.createComponent(ClustersHome);
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('cairn-empty-state h2')?.textContent).toBe('No clusters yet');
    expect(element.textContent).toContain('the server never stores it');
  });
});
