import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { USER_CLUSTER_CREDENTIAL_REJECTED, USER_CLUSTER_PREFIX } from '@cairn/api-contracts';
import { EmptyState } from './empty-state';
// Through the package, not './why-cant-i': the panel is its own shared bundle, loaded by the
// @defer below on the first refusal, so a list page that is not refused never loads it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WhyCantI } from '@cairn/ui-kit-access';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { AskedRequest } from '@cairn/ui-kit-access';

/**
 * The "you may not list X in Y" state for a 403: what was refused, where, the API server's
 * own words, and what the person can do about it — with "why can't I" (WhyCantI: who the
 * cluster thinks you are, what you may do there, whom to ask). RBAC refusals are normal in a
 * console shared by many teams, so this is a calm explanation, not an error page.
 */
@Component({
  selector: 'cairn-forbidden',
  imports: [EmptyState, WhyCantI],
  template: `
    @if (credentialRejected()) {
      <cairn-empty-state [heading]="rejectedHeading()" [level]="level()" tone="error">
        <p>{{ reason() }}</p>
        <p class="next">On the Clusters page, remove it and add it again from a kubeconfig with a current token or certificate.</p>
        <ng-content />
      </cairn-empty-state>
    } @else {
      <cairn-empty-state [heading]="heading()" [level]="level()" tone="error">
        <p>Your role{{ cluster() ? ' on ' + cluster() : '' }} does not allow this{{ reason() ? '. The API server said: ' : '.' }}@if (reason()) {<q class="reason">{{ reason() }}</q>}</p>
        <p class="next">{{ advice() }}</p>
        <ng-content />
        @defer (on immediate) {
          <cairn-why-cant-i [cluster]="clusterName()" [reason]="reason()" [asked]="asked()" />
        }
      </cairn-empty-state>
    }
  `,
  styles: `
    .reason { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; quotes: none; }
    .next { color: var(--cairn-text); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ForbiddenState {
  /** The verb refused: list, get, watch, create… */
  readonly verb = input('list');
  /** What was refused, as people say it: "Deployments", "pods/log", "this Secret". */
  readonly what = input.required<string>();
  /** The namespace asked about; none means the whole cluster (or a cluster-scoped kind). */
  readonly namespace = input<string>();
  /** Whether the kind lives in namespaces: "in all namespaces" rather than "in this cluster". */
  readonly namespaced = input(true);
  readonly cluster = input<string>();
  /** The cluster's name in the console, when `cluster` is a label (default: the current cluster). */
  readonly clusterName = input<string>();
  /** What the view asked, for a refusal the API server did not word as RBAC does. */
  readonly asked = input<AskedRequest>();
  /** The API server's message, e.g. `deployments.apps is forbidden: User "alice" cannot list…`. */
  readonly reason = input<string>();
  readonly level = input<2 | 3 | 4>(2);

  /** A user-added cluster refused its entry's credential (the gateway's words, api-contracts): not a matter of roles. */
  protected readonly credentialRejected = computed(() => !!this.reason()?.includes(USER_CLUSTER_CREDENTIAL_REJECTED));
  protected readonly rejectedHeading = computed(() => `Cluster ${(this.cluster() ?? 'this cluster').replace(USER_CLUSTER_PREFIX, '')} no longer accepts the credential you added it with`);

  protected readonly heading = computed(() => {
    const where = this.namespace() ? `in ${this.namespace()}` : this.namespaced() ? 'in all namespaces' : 'in this cluster';
    return `You may not ${this.verb()} ${this.what()} ${where}`;
  });

  protected readonly advice = computed(() => {
    if (!this.namespaced()) return `Only a ClusterRole can allow this: ask the cluster's administrators for one that allows ${this.verb()} on ${this.what()}.`;
    if (this.namespace()) return `Pick a namespace you work in, or ask the cluster's administrators for a role that allows ${this.verb()} on ${this.what()} in ${this.namespace()}.`;
    return `Pick one of your namespaces in the top bar: many roles allow this in a namespace but not across the cluster.`;
  });
}
