import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { Status, StatusBadge } from '@cairn/ui-kit';
import type { ClusterFacts } from '../cluster-facts';

/** "Reachable" or "Not reachable" as the console's status badge (words, a shape and a colour), and the reason when there is one. */
@Component({
  selector: 'cairn-reachability',
  imports: [StatusBadge],
  template: `
    <cairn-status [status]="state().status" />
    @if (state().reason; as reason) {
      <span class="reason">{{ reason }}</span>
    }
  `,
  styles: `
    :host { display: inline-flex; align-items: baseline; gap: 0 0.375rem; flex-wrap: wrap; }
    .reason { color: var(--cairn-muted); font-size: 0.8125rem; overflow-wrap: anywhere; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Reachability {
  readonly facts = input.required<ClusterFacts | undefined>();

  protected readonly state = computed((): { status: Status; reason: string } => {
    const facts = this.facts();
    if (!facts || facts.loading) return { status: { health: 'progressing', text: 'Checking…' }, reason: '' };
    if (facts.status?.reachable) return { status: { health: 'ok', text: 'Reachable' }, reason: '' };
    return { status: { health: 'failed', text: 'Not reachable' }, reason: facts.status?.error ?? facts.statusError ?? '' };
  });
}
