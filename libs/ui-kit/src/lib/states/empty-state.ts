import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';

/**
 * What a view shows instead of its content: nothing to show yet ("No clusters yet"), or why
 * it cannot be shown (`tone="error"`, announced to screen readers). The body is projected,
 * so it can carry a link or a button to what the person should do next.
 */
@Component({
  selector: 'cairn-empty-state',
  template: `
    @switch (level()) {
      @case (3) { <h3 class="heading">{{ heading() }}</h3> }
      @case (4) { <h4 class="heading">{{ heading() }}</h4> }
      @default { <h2 class="heading">{{ heading() }}</h2> }
    }
    <div class="body"><ng-content /></div>
  `,
  styles: `
    :host { display: block; padding: 2rem 1rem; text-align: center; color: var(--cairn-muted); }
    .heading { color: var(--cairn-text); font-size: 1.125rem; margin: 0 0 0.5rem; }
    :host(.error) .heading { color: var(--cairn-danger); }
    .body ::ng-deep p { margin: 0.25rem 0; }
    .body:empty { display: none; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.error]': "tone() === 'error'", '[attr.role]': "tone() === 'error' ? 'alert' : null" },
})
export class EmptyState {
  readonly heading = input.required<string>();
  readonly tone = input<'plain' | 'error'>('plain');
  /** The heading's level in the page's outline: 2 on a page, 3 inside a section, 4 below that. */
  readonly level = input<2 | 3 | 4>(2);
}

/** The state every cluster-bound view shows before a cluster is chosen. */
@Component({
  selector: 'cairn-no-cluster',
  imports: [EmptyState, RouterLink],
  template: `
    <cairn-empty-state heading="No cluster is selected">
      <p>Choose a cluster in the top bar, or <a routerLink="/clusters">add one</a>{{ purpose() ? ', ' + purpose() : '' }}.</p>
    </cairn-empty-state>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NoCluster {
  /** What the cluster is needed for, e.g. "to see its Deployments". */
  readonly purpose = input<string>();
}
