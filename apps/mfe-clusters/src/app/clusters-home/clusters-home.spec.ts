import { TestBed } from '@angular/core/testing';
import { ClustersHome } from './clusters-home';

describe('ClustersHome', () => {
  it('says there are no clusters yet and that added clusters stay in the browser', async () => {
    const fixture = TestBed.createComponent(ClustersHome);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('h2')?.textContent).toBe('No clusters yet');
    expect(element.textContent).toContain('the server never stores them');
  });
});
