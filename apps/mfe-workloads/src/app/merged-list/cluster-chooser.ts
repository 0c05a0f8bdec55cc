import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, output, viewChild } from '@angular/core';
import type { ClusterSummary } from '@cairn/api-contracts';
import { userClusterLabel } from '@cairn/data-access';
import { MAX_MERGED_CLUSTERS } from '@cairn/kube-model';

/** A cluster's name as people gave it: "staging (added)" for one added in this browser. */
export function clusterLabel(cluster: string): string {
  const added = userClusterLabel(cluster);
  return added === undefined ? cluster : `${added} (added)`;
}

/**
 * "Clusters" in a list's toolbar: the user's clusters (configured and added in this browser) as
 * checkboxes, to list one kind across several at once. At most MAX_MERGED_CLUSTERS can be chosen;
 * the others are then disabled, and the hint names the bound.
 */
@Component({
  selector: 'cairn-cluster-chooser',
  template: `
    <details #menu class="chooser">
      <summary>Clusters{{ chosen().length > 1 ? ' (' + chosen().length + ')' : '' }}</summary>
      <fieldset class="menu">
        <legend>List from these clusters</legend>
        @for (c of known(); track c.name) {
          <label [attr.data-cluster]="c.name">
            <input type="checkbox" [checked]="chosen().includes(c.name)" [disabled]="full() && !chosen().includes(c.name)" (change)="toggle(c.name, $any($event.target).checked)" />
            {{ label(c.name) }}
          </label>
        }
        <p class="hint">{{ full() ? 'At most ' + max + ' clusters in one list (MAX_MERGED_CLUSTERS).' : 'Rows from every cluster chosen, with a Cluster column.' }}</p>
        <button type="button" (click)="close()">Done</button>
      </fieldset>
    </details>
  `,
  styles: `
    :host { display: inline-block; position: relative; }
    summary { cursor: pointer; padding: 0.35rem 0.6rem; border: 1px solid var(--cairn-border); border-radius: 6px; background: var(--cairn-surface); min-height: 2rem; box-sizing: border-box; list-style: none; }
    summary::-webkit-details-marker { display: none; }
    summary::after { content: ' ▾'; }
    .menu { position: absolute; z-index: 20; top: 2.4rem; left: 0; min-width: 15rem; max-width: min(22rem, 90vw); margin: 0; padding: 0.5rem 0.75rem; border: 1px solid var(--cairn-border); border-radius: 6px;
      background: var(--cairn-surface); box-shadow: 0 4px 16px rgb(0 0 0 / 18%); display: flex; flex-direction: column; gap: 0.15rem; }
    legend { font-weight: 600; padding: 0; float: left; margin-bottom: 0.25rem; }
    label { display: flex; gap: 0.5rem; align-items: center; min-height: 2rem; overflow-wrap: anywhere; }
    .hint { margin: 0.25rem 0; font-size: 0.85rem; color: var(--cairn-muted); }
    button { align-self: flex-end; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Escape, or a click elsewhere, closes the choice.
  host: { '(keydown.escape)': 'close()', '(document:click)': 'closeOutside($event)' },
})
export class ClusterChooser {
  /** Every cluster the user has. */
  readonly known = input.required<readonly ClusterSummary[]>();
  /** The clusters listed now. */
  readonly chosen = input.required<readonly string[]>();
  /** The new choice, in the order of `known`. */
  readonly chosenChange = output<string[]>();
  protected readonly max = MAX_MERGED_CLUSTERS;
  protected readonly full = computed(() => this.chosen().length >= MAX_MERGED_CLUSTERS);
  protected readonly label = clusterLabel;
  private readonly menu = viewChild.required<ElementRef<HTMLDetailsElement>>('menu');
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;

  protected toggle(cluster: string, on: boolean): void {
    const chosen = new Set(this.chosen());
    if (on) chosen.add(cluster);
    else chosen.delete(cluster);
    this.chosenChange.emit(this.known().map((c) => c.name).filter((name) => chosen.has(name)));
  }

  protected close(): void {
    if (!this.menu().nativeElement.open) return;
    this.menu().nativeElement.open = false;
    this.host.querySelector<HTMLElement>('summary')?.focus();
  }

  protected closeOutside(event: MouseEvent): void {
    if (this.menu().nativeElement.open && !this.host.contains(event.target as Node)) this.menu().nativeElement.open = false;
  }
}
