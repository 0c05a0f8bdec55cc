import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { Notice, NoticeTone } from '../states/notice';
import { lineDiff } from './line-diff';
import { YamlView } from './yaml-view';
import { yamlProblem } from './yaml-problem';

/**
 * An object's YAML, and when the person may change it, an editor that never applies blind:
 * the draft is checked here (syntax, one object), then by the API server in a dry run, and
 * the differences are shown; Apply works only for the exact draft that passed. If the object
 * changes underneath, the editor says so instead of letting someone overwrite it unawares.
 */
@Component({
  selector: 'cairn-yaml-editor',
  imports: [Notice, YamlView],
  template: `
    @if (notice(); as n) {
      <cairn-notice [tone]="n.tone">{{ n.text }}</cairn-notice>
    }
    @if (!editing()) {
      <cairn-yaml-view [text]="text()" [label]="name() + ' as the cluster has it'">
        @if (editable()) { <button type="button" class="edit" (click)="start()">Edit</button> }
      </cairn-yaml-view>
    } @else {
      @if (stale()) {
        <cairn-notice tone="warn">
          {{ name() }} changed after you began editing. Applying this draft will be refused as a conflict.
          <button type="button" (click)="start()">Start over from the current version</button>
        </cairn-notice>
      }
      <label [for]="'yaml-draft-' + name()" class="visually-hidden">YAML of {{ name() }}</label>
      <textarea [id]="'yaml-draft-' + name()" class="yaml" spellcheck="false" [value]="draft()" (input)="edit($any($event.target).value)"></textarea>
      <div class="buttons">
        <button type="button" (click)="check()" [disabled]="busy()">Check (dry run)</button>
        <button type="button" (click)="applyDraft()" [disabled]="busy() || checked() !== draft()">Apply</button>
        <button type="button" (click)="cancel()">Cancel</button>
      </div>
      <h3>Changes</h3>
      <pre class="diff" tabindex="0" aria-label="Changes">@for (line of diff(); track $index) {<span [class]="line.kind">{{ line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  ' }}{{ line.text }}
</span>} @empty {<span>No changes yet.</span>}</pre>
    }
  `,
  styles: `
    :host { display: block; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    button:disabled { opacity: 0.55; cursor: default; }
    .yaml { display: block; width: 100%; box-sizing: border-box; min-height: 28rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem;
      background: var(--cairn-surface); color: var(--cairn-text); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.75rem; white-space: pre; overflow: auto; }
    .buttons { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
    h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
    .diff { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; background: var(--cairn-surface); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.5rem; overflow: auto; margin: 0; }
    .diff .added { background: #dafbe1; color: #116329; display: block; }
    .diff .removed { background: #ffebe9; color: #82071e; display: block; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class YamlEditor {
  /** The object's YAML as it is now (it follows the live object). */
  readonly text = input.required<string>();
  /** The object's name, for labels: "YAML of web". */
  readonly name = input.required<string>();
  /** Whether the person may change the object (from an access review); otherwise the YAML is read only. */
  readonly editable = input(false);
  /** A server-side dry run of the draft; rejects with the API server's reason. */
  readonly dryRun = input.required<(draft: string) => Promise<unknown>>();
  /** Applies the draft for real; rejects with the API server's reason. */
  readonly apply = input.required<(draft: string) => Promise<unknown>>();
  readonly applied = output<string>();

  protected readonly editing = signal(false);
  private readonly original = signal('');
  protected readonly draft = signal('');
  /** The draft the API server accepted in a dry run; Apply is for that draft only. */
  protected readonly checked = signal<string | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly notice = signal<{ tone: NoticeTone; text: string } | undefined>(undefined);
  protected readonly diff = computed(() => {
    const lines = lineDiff(this.original(), this.draft());
    return lines.some((line) => line.kind !== 'same') ? lines : [];
  });
  protected readonly stale = computed(() => this.editing() && this.text() !== this.original());

  protected start(): void {
    this.original.set(this.text());
    this.draft.set(this.text());
    this.checked.set(undefined);
    this.notice.set(undefined);
    this.editing.set(true);
  }

  protected edit(value: string): void {
    this.draft.set(value);
    this.checked.set(undefined);
  }

  protected cancel(): void {
    this.editing.set(false);
    this.notice.set(undefined);
  }

  protected async check(): Promise<void> {
    const draft = this.draft();
    const problem = await yamlProblem(draft);
    if (problem) {
      this.notice.set({ tone: 'error', text: `Could not check the change: ${problem}` });
      return;
    }
    if (await this.run('check the change', () => this.dryRun()(draft))) {
      this.checked.set(draft);
      this.notice.set({ tone: 'ok', text: 'The API server accepts this change (dry run). Review the differences, then apply.' });
    }
  }

  protected async applyDraft(): Promise<void> {
    const draft = this.draft();
    if (this.checked() !== draft) return;
    if (await this.run('apply the change', () => this.apply()(draft))) {
      this.editing.set(false);
      this.notice.set({ tone: 'ok', text: 'Applied.' });
      this.applied.emit(draft);
    }
  }

  /** Runs a call to the API server; on failure says why in its words and keeps the draft. */
  private async run(what: string, call: () => Promise<unknown>): Promise<boolean> {
    this.busy.set(true);
    this.notice.set(undefined);
    try {
      await call();
      return true;
    } catch (err) {
      this.notice.set({ tone: 'error', text: `Could not ${what}: ${(err as Error).message}` });
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
