import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';

/** An object's YAML, read only: scrollable by keyboard, with a button to copy it. */
@Component({
  selector: 'cairn-yaml-view',
  template: `
    <div class="tools">
      <ng-content />
      <button type="button" (click)="copy()">{{ copied() ? 'Copied' : 'Copy' }}</button>
    </div>
    <pre class="yaml" tabindex="0" [attr.aria-label]="label()">{{ text() }}</pre>
  `,
  styles: `
    :host { display: block; }
    .tools { display: flex; gap: 0.5rem; margin-bottom: 0.5rem; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    .yaml { margin: 0; min-height: 10rem; max-height: calc(100dvh - 16rem); overflow: auto; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem;
      background: var(--cairn-surface); color: var(--cairn-text); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.75rem; white-space: pre; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class YamlView {
  readonly text = input.required<string>();
  readonly label = input('YAML');
  protected readonly copied = signal(false);

  protected async copy(): Promise<void> {
    await navigator.clipboard?.writeText(this.text());
    this.copied.set(true);
    setTimeout(() => this.copied.set(false), 2000);
  }
}
