import { ChangeDetectionStrategy, Component, input } from '@angular/core';

export type NoticeTone = 'info' | 'ok' | 'warn' | 'error';

/**
 * A one-paragraph message above or inside a view: what just happened (`ok`, `info`, read out
 * politely) or what went wrong (`error`, read out at once). Words, never only a colour: the
 * text itself must say what happened and what to do.
 */
@Component({
  selector: 'cairn-notice',
  template: `<ng-content />`,
  styles: `
    :host { display: block; padding: 0.5rem 0.75rem; margin: 0.5rem 0; border-radius: 6px; border-left: 3px solid var(--cairn-accent);
      background: var(--cairn-selected); color: var(--cairn-text); }
    :host(.ok) { border-left-color: #1a7f37; }
    :host(.warn) { border-left-color: #bc4c00; background: var(--cairn-hover); }
    :host(.error) { border-left-color: var(--cairn-danger); background: var(--cairn-danger-bg); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class]': 'tone()', '[attr.role]': "tone() === 'error' ? 'alert' : 'status'" },
})
export class Notice {
  readonly tone = input<NoticeTone>('info');
}
