import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { FILTER_ADDRESS_MS, FilterAddress } from './filter-address';

@Component({ template: 'list' })
class List {
  readonly address = new FilterAddress();
}

@Component({ template: 'pod' })
class Pod {}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FilterAddress', () => {
  let harness: RouterTestingHarness;
  let list: List;
  let router: Router;
  

  beforeEach(async () => {
    // A pod's page takes longer to load than the pause: the update would fall in its navigation.
    const slowPod = () => wait(FILTER_ADDRESS_MS * 2).then(() => Pod);
    TestBed.configureTestingModule({ providers: [provideRouter([{ path: 'pods', component: List }, { path: 'pods/:name', loadComponent: slowPod }])] });
    harness = await RouterTestingHarness.create();
    list = await harness.navigateByUrl('/pods?cluster=a', List);
    router = TestBed.inject(Router);
  });

  it('puts the filter in the address once typing pauses (one navigation for three keystrokes), keeping the other parameters', async () => {
    const navigations = jest.spyOn(router, 'navigate');
    list.address.set('w');
    list.address.set('we');
    list.address.set('web');
    await wait(FILTER_ADDRESS_MS / 2);
    expect(router.url).toBe('/pods?cluster=a');
    await wait(FILTER_ADDRESS_MS);
    expect(router.url).toBe('/pods?cluster=a&q=web');
    expect(navigations).toHaveBeenCalledTimes(1);
    list.address.set('');
    await wait(FILTER_ADDRESS_MS * 1.5);
    expect(router.url).toBe('/pods?cluster=a');
  });

  it('drops the pending update when another navigation starts first (a row clicked right after typing)', async () => {
    list.address.set('web');
    const opened = router.navigateByUrl('/pods/web-1?cluster=a');
    await wait(FILTER_ADDRESS_MS * 1.5);
    // Without the drop, the update would have cancelled the pod's navigation (false) and left the list at ?q=web.
    expect(await opened).toBe(true);
    expect(router.url).toBe('/pods/web-1?cluster=a');
  });

  it('hands the filter still waiting to a navigation of the list\'s own (the clusters chooser), and then sends none of its own', async () => {
    list.address.set('web');
    const navigations = jest.spyOn(router, 'navigate');
    await router.navigate([], { queryParams: list.address.with({ clusters: 'a,b' }), queryParamsHandling: 'merge' });
    await wait(FILTER_ADDRESS_MS * 1.5);
    expect(router.url).toBe('/pods?cluster=a&clusters=a,b&q=web');
    expect(navigations).toHaveBeenCalledTimes(1);
    // Nothing waiting: the parameters as given.
    expect(list.address.with({ clusters: 'a' })).toEqual({ clusters: 'a' });
  });

  it('does not navigate after the list is gone', async () => {
    list.address.set('web');
    const navigations = jest.spyOn(router, 'navigate');
    TestBed.resetTestingModule();
    await wait(FILTER_ADDRESS_MS * 1.5);
    expect(navigations).not.toHaveBeenCalled();
  });
});
