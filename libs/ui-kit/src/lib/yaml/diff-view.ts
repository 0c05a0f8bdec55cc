import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { DiffLine } from './line-diff';

/**
 * Lines of a {@link lineDiff}, drawn as a unified diff: `+` added on green, `-` removed on red,
 * unchanged context plain, long unchanged runs folded into "…". `label` names the region for
 * screen readers; `empty` is what shows when there is no line.
 */
@Component({
  selector: 'cairn-diff-view',
  template: `<pre class="diff" tabindex="0" [attr.aria-label]="label()">@for (line of lines(); track $index) {<span [class]="line.kind">{{ line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  ' }}{{ line.text }}
</span>} @empty {<span>{{ empty() }}</span>}</pre>`,
  styles: `
    :host { display: block; min-width: 0; }
    .diff { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; background: var(--cairn-surface); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.5rem; overflow: auto; margin: 0; }
    .diff .added { background: #dafbe1; color: #116329; display: block; }
    .diff .removed { background: #ffebe9; color: #82071e; display: block; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DiffView {
  readonly lines = input.required<DiffLine[]>();
  readonly label = input('Changes');
  readonly empty = input('No changes.');
}
