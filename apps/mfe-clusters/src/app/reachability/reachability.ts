import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ClusterFacts } from '../cluster-facts';

/** "Reachable" or "Not reachable" in words, with a shape and a colour, and the reason when there is one. */
@Component({
  selector: 'cairn-reachability',
  template: `
    <span class="state"><span class="dot" aria-hidden="true"></span><span class="text">{{ state().text }}</span></span>
    @if (state().reason; as reason) {
      <span class="reason">{{ reason }}</span>
    }
  `,
  styles: `
    :host { display: inline-flex; align-items: baseline; gap: 0 0.375rem; flex-wrap: wrap; }
    .state { display: inline-flex; align-items: center; gap: 0.375rem; white-space: nowrap; }
    .dot { width: 0.625rem; height: 0.625rem; border-radius: 50%; background: var(--cairn-muted); flex-shrink: 0; }
    :host(.ok) .dot { background: #1a7f37; }
    :host(.bad) .dot { background: var(--cairn-danger); border-radius: 0; }
    :host(.bad) .text { color: var(--cairn-danger); font-weight: 600; }
    :host(.checking) .dot { background: transparent; border: 2px solid var(--cairn-muted); box-sizing: border-box; }
    .reason { color: var(--cairn-muted); font-size: 0.8125rem; overflow-wrap: anywhere; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class]': 'state().kind' },
})
export class Reachability {
  readonly facts = input.required<ClusterFacts | undefined>();

  protected readonly state = computed(() => {
    const facts = this.facts();
    if (!facts || facts.loading) return { kind: 'checking', text: 'Checking…', reason: '' };
    if (facts.status?.reachable) return { kind: 'ok', text: 'Reachable', reason: '' };
    return { kind: 'bad', text: 'Not reachable', reason: facts.status?.error ?? facts.statusError ?? '' };
  });
}
