import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { NoCluster } from './empty-state';
import { ForbiddenState } from './forbidden-state';
import { Notice } from './notice';

@Component({
  imports: [ForbiddenState, NoCluster, Notice],
  template: `
    <cairn-forbidden what="Deployments" [namespace]="namespace()" cluster="dev" [reason]="reason" />
    @if (!namespaced()) { <cairn-forbidden class="nodes" what="Nodes" [namespaced]="false" [level]="3" /> }
    <cairn-no-cluster purpose="to see its Deployments" />
    <cairn-notice tone="error">Could not scale web: quota exceeded.</cairn-notice>
    <cairn-notice tone="ok">Scaled web to 3 replicas.</cairn-notice>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class Host {
  readonly namespace = input<string>();
  readonly namespaced = input(true);
  readonly reason = 'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" in the namespace "team-b"';
}

describe('states', () => {
  it('says what may not be listed where, in the API server’s words, and what to do', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(Host);
    fixture.componentRef.setInput('namespace', 'team-b');
    await fixture.whenStable();
    const forbidden: HTMLElement = fixture.nativeElement.querySelector('cairn-forbidden');
    expect(forbidden.querySelector('[role=alert] h2')?.textContent).toBe('You may not list Deployments in team-b');
    expect(forbidden.textContent).toContain('Your role on dev does not allow this. The API server said: deployments.apps is forbidden: User "alice"');
    expect(forbidden.textContent).toContain("Pick a namespace you work in, or ask the cluster's administrators for a role that allows list on Deployments in team-b.");

    fixture.componentRef.setInput('namespace', undefined);
    await fixture.whenStable();
    expect(forbidden.querySelector('h2')?.textContent).toBe('You may not list Deployments in all namespaces');
    expect(forbidden.textContent).toContain('Pick one of your namespaces in the top bar');

    fixture.componentRef.setInput('namespaced', false);
    await fixture.whenStable();
    const nodes: HTMLElement = fixture.nativeElement.querySelector('cairn-forbidden.nodes');
    expect(nodes.querySelector('h3')?.textContent).toBe('You may not list Nodes in this cluster');
    expect(nodes.textContent).toContain("Only a ClusterRole can allow this: ask the cluster's administrators for one that allows list on Nodes.");

    const none: HTMLElement = fixture.nativeElement.querySelector('cairn-no-cluster');
    expect(none.querySelector('h2')?.textContent).toBe('No cluster is selected');
    expect(none.textContent).toContain('Choose a cluster in the top bar, or add one, to see its Deployments.');
    expect(none.querySelector('a')?.getAttribute('href')).toBe('/clusters');

    const notices = Array.from(fixture.nativeElement.querySelectorAll('cairn-notice')) as HTMLElement[];
    expect(notices.map((n) => n.getAttribute('role'))).toEqual(['alert', 'status']);
  });
});
