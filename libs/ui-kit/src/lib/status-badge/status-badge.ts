import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import type { Health, Status } from '@cairn/kube-model';

// The health words are the resource model's; the badge only draws them.
export type { Health, Status };
export { PROBLEM_HEALTHS } from '@cairn/kube-model';

/**
 * A status in words with a colour, and a shape for people who do not see the colour:
 * a circle when well, a diamond while progressing, a triangle for a warning, a square when failed.
 */
@Component({
  selector: 'cairn-status',
  template: `<span class="dot" aria-hidden="true"></span><span class="text">{{ status().text }}</span>`,
  styles: `
    :host { display: inline-flex; align-items: center; gap: 0.375rem; white-space: nowrap; }
    .dot { width: 0.625rem; height: 0.625rem; border-radius: 50%; background: var(--cairn-muted); flex-shrink: 0; }
    :host(.ok) .dot { background: #1a7f37; }
    :host(.done) .dot { background: var(--cairn-muted); border-radius: 2px; }
    :host(.progressing) .dot { background: #9a6700; border-radius: 2px; transform: rotate(45deg); }
    :host(.warning) .dot { background: #bc4c00; border-radius: 0; clip-path: polygon(50% 0, 100% 100%, 0 100%); }
    :host(.failed) .dot { background: var(--cairn-danger); border-radius: 0; }
    :host(.failed) .text { color: var(--cairn-danger); font-weight: 600; }
    :host(.suspended) .dot { background: transparent; border: 2px solid var(--cairn-muted); box-sizing: border-box; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class]': 'status().health', '[attr.title]': 'status().text' },
})
export class StatusBadge {
  readonly status = input.required<Status>();
}
