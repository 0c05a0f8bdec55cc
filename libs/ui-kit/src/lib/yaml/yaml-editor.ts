import { ChangeDetectionStrategy, Component, computed, input, output, signal, viewChild } from '@angular/core';
import { ApiError, type KubeObject } from '@cairn/data-access';
// Through the package, not '../states/…': this file is in the shared `@cairn/ui-kit-yaml`
// bundle, and a relative import would carry a second Notice beside the shared ui-kit's.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Notice, type NoticeTone } from '@cairn/ui-kit';
import { FieldChange, fieldChanges } from './field-changes';
import { lineDiff } from './line-diff';
import { YamlView } from './yaml-view';
import { DiffView } from './diff-view';
import { CodeEditor } from './code-editor';
import { parseYamlObject, ProblemPosition, toYaml } from './yaml-problem';

/**
 * An object's YAML, and when the person may change it, an editor that never writes back what
 * a view hid and never overwrites a change it did not see:
 *
 * - An edit starts from the whole object, fetched fresh by `load` (for a Secret, with its values
 *   revealed), never from the view's text, which may be redacted or trimmed. The draft leaves out
 *   `metadata.managedFields` and `status` (bookkeeping people do not edit); `status` is put back
 *   before anything is sent, and the API server keeps `managedFields` when they are left out.
 * - Check sends the draft to the API server as a dry run, and shows what the server *would store*
 *   compared with the object now, field by field: a value that would be emptied is called out.
 * - Apply sends that exact draft, with the resourceVersion it was edited from: if the object has
 *   changed meanwhile, the API server refuses it (409) and the editor shows what changed.
 */
@Component({
  selector: 'cairn-yaml-editor',
  imports: [Notice, YamlView, CodeEditor, DiffView],
  template: `
    @if (notice(); as n) {
      <cairn-notice [tone]="n.tone">{{ n.text }}</cairn-notice>
    }
    @if (!editing()) {
      <cairn-yaml-view [text]="text()" [label]="name() + ' as the cluster has it'">
        @if (editable()) { <button type="button" class="edit" (click)="start()" [disabled]="busy()">{{ busy() ? 'Loading…' : 'Edit' }}</button> }
      </cairn-yaml-view>
    } @else {
      @if (conflict(); as changed) {
        <section class="conflict" aria-label="Changed meanwhile">
          <h3>Changed by someone else since you began</h3>
          <ul class="fields">
            @for (c of changed; track c.path) {
              <li><code>{{ c.path }}</code>: {{ describe(c) }}</li>
            } @empty {
              <li>Only its bookkeeping (resourceVersion) changed.</li>
            }
          </ul>
          <div class="buttons">
            <button type="button" (click)="start()">Start over from the current version</button>
            <button type="button" (click)="overwrite()">Overwrite with my draft…</button>
          </div>
        </section>
      } @else if (stale()) {
        <cairn-notice tone="warn">
          {{ name() }} changed after you began editing. Applying this draft will be refused as a conflict.
          <button type="button" (click)="start()">Start over from the current version</button>
        </cairn-notice>
      }
      @if (problemAt(); as at) {
        <p class="jump"><button type="button" (click)="code()?.goTo(at.line, at.col)">Go to line {{ at.line }}</button></p>
      }
      <cairn-code-editor [value]="draft()" [label]="'YAML of ' + name()" (valueChange)="edit($event)" />
      <div class="buttons">
        <button type="button" (click)="check()" [disabled]="busy()">Check (dry run)</button>
        <button type="button" (click)="applyDraft()" [disabled]="busy() || checked()?.draft !== draft()">Apply</button>
        <button type="button" (click)="cancel()">Cancel</button>
      </div>
      @if (checked()?.draft === draft() && checked(); as result) {
        <h3>What the API server would store, compared with now</h3>
        @if (emptied().length) {
          <cairn-notice tone="warn">{{ emptied().length === 1 ? 'One value' : emptied().length + ' values' }} would be emptied or removed: {{ emptiedPaths() }}. Make sure that is what you mean.</cairn-notice>
        }
        <ul class="fields" aria-label="Fields that would change">
          @for (c of result.changes; track c.path) {
            <li [class.emptied]="c.emptied"><code>{{ c.path }}</code>: {{ describe(c) }}</li>
          } @empty {
            <li>Nothing: the API server would store the object as it is.</li>
          }
        </ul>
      } @else {
        <h3>Your changes (not checked yet)</h3>
      }
      <cairn-diff-view [lines]="diff()" empty="No changes yet." />
    }
  `,
  styles: `
    :host { display: block; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    button:disabled { opacity: 0.55; cursor: default; }
    .jump { margin: 0 0 0.5rem; }
    .buttons { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
    h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
    .fields { margin: 0 0 0.75rem; padding-left: 1.25rem; word-break: break-word; }
    .fields .emptied { color: var(--cairn-danger); font-weight: 600; }
    .conflict { border: 1px solid var(--cairn-danger); border-radius: 6px; padding: 0.25rem 0.75rem 0.75rem; margin-bottom: 0.75rem; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class YamlEditor {
  /** The object's YAML as the view shows it (it follows the live object; it may be redacted). */
  readonly text = input.required<string>();
  /** The object's name, for labels: "YAML of web". */
  readonly name = input.required<string>();
  /** Whether the person may change the object (from an access review); otherwise the YAML is read only. */
  readonly editable = input(false);
  /** The live object's resourceVersion, to say early that a draft has gone stale. */
  readonly resourceVersion = input<string>();
  /**
   * The whole object to edit, fetched fresh (a Secret with its values revealed). Resolves to
   * undefined when the person declined (e.g. to reveal); rejects with a reason to show.
   */
  readonly load = input.required<() => Promise<KubeObject | undefined>>();
  /** A server-side dry run of the edited object; resolves with the object as the server would store it. */
  readonly dryRun = input.required<(object: KubeObject) => Promise<KubeObject>>();
  /** Stores the edited object; rejects with the API server's reason (a 409 `ApiError` when it changed meanwhile). */
  readonly apply = input.required<(object: KubeObject) => Promise<unknown>>();
  readonly applied = output<KubeObject>();

  protected readonly editing = signal(false);
  /** The whole object the edit started from. */
  private readonly loaded = signal<KubeObject | undefined>(undefined);
  private readonly original = signal('');
  protected readonly draft = signal('');
  /** The draft the API server accepted in a dry run, and what it would change; Apply is for that draft only. */
  protected readonly checked = signal<{ draft: string; stored: string; changes: FieldChange[] } | undefined>(undefined);
  /** What someone else changed, once the API server refused the draft as a conflict. */
  protected readonly conflict = signal<FieldChange[] | undefined>(undefined);
  /** The object as it is now, fetched when the conflict was found. */
  private current: KubeObject | undefined;
  protected readonly busy = signal(false);
  /** Where the draft's YAML problem is, for "Go to line". */
  protected readonly problemAt = signal<ProblemPosition | undefined>(undefined);
  protected readonly code = viewChild(CodeEditor);
  protected readonly notice = signal<{ tone: NoticeTone; text: string } | undefined>(undefined);
  protected readonly emptied = computed(() => (this.checked()?.changes ?? []).filter((c) => c.emptied));
  protected readonly emptiedPaths = computed(() => this.emptied().map((c) => c.path).join(', '));
  protected readonly diff = computed(() => {
    const checked = this.checked();
    const lines = checked?.draft === this.draft() ? lineDiff(this.original(), checked.stored) : lineDiff(this.original(), this.draft());
    return lines.some((line) => line.kind !== 'same') ? lines : [];
  });
  protected readonly stale = computed(() => {
    const live = this.resourceVersion();
    return this.editing() && live !== undefined && live !== this.loaded()?.metadata.resourceVersion;
  });

  protected async start(): Promise<void> {
    this.busy.set(true);
    this.notice.set(undefined);
    try {
      const object = await this.load()();
      if (!object) return;
      this.loaded.set(object);
      const text = await toYaml(editable(object));
      this.original.set(text);
      this.draft.set(text);
      this.checked.set(undefined);
      this.conflict.set(undefined);
      this.current = undefined;
      this.editing.set(true);
    } catch (err) {
      this.notice.set({ tone: 'error', text: `Could not start editing: ${(err as Error).message}` });
    } finally {
      this.busy.set(false);
    }
  }

  protected edit(value: string): void {
    this.draft.set(value);
    this.problemAt.set(undefined);
  }

  protected cancel(): void {
    this.editing.set(false);
    this.conflict.set(undefined);
    this.notice.set(undefined);
  }

  protected async check(): Promise<void> {
    const draft = this.draft();
    const object = await this.toWrite(draft);
    if (!object) return;
    const stored = await this.run('check the change', () => this.dryRun()(object));
    if (!stored) return;
    const changes = fieldChanges(comparable(this.loaded()), comparable(stored));
    this.checked.set({ draft, stored: await toYaml(editable(stored)), changes });
    this.notice.set({
      tone: 'ok',
      text: changes.length ? 'The API server accepts this change (dry run). Below is what it would store, compared with now: review it, then apply.' : 'The API server accepts this draft, and would store no change.',
    });
  }

  protected async applyDraft(): Promise<void> {
    const draft = this.draft();
    if (this.checked()?.draft !== draft) return;
    const object = await this.toWrite(draft);
    if (!object) return;
    if (await this.run('apply the change', () => this.apply()(object))) {
      this.editing.set(false);
      this.notice.set({ tone: 'ok', text: 'Applied.' });
      this.applied.emit(object);
    }
  }

  /**
   * After a conflict, on purpose: the draft is moved onto the current version (its
   * resourceVersion and status), so it may replace the other change. It must be checked again,
   * and that check shows, field by field, what it would undo of the other change.
   */
  protected async overwrite(): Promise<void> {
    const current = this.current;
    const parsed = await parseYamlObject(this.draft());
    if (!current || parsed.problem !== undefined) return;
    const draft = parsed.object as KubeObject;
    this.loaded.set(current);
    this.original.set(await toYaml(editable(current)));
    this.draft.set(await toYaml({ ...draft, metadata: { ...draft.metadata, resourceVersion: current.metadata.resourceVersion } }));
    this.checked.set(undefined);
    this.conflict.set(undefined);
    this.notice.set({ tone: 'warn', text: `Your draft now starts from the current version of ${this.name()}: check it again. The check shows what it would undo of the other change.` });
  }

  protected describe(change: FieldChange): string {
    const value = (text: string | undefined) => (text === undefined ? '' : text === '' ? '(empty)' : text.length > 80 ? `${text.slice(0, 77)}…` : text);
    if (change.kind === 'added') return `added, ${value(change.after)}`;
    if (change.kind === 'removed') return `removed (was ${value(change.before)})`;
    return `${value(change.before)} → ${value(change.after)}`;
  }

  /** The object to send for a draft: parsed as kubectl would, with the status it was loaded with. */
  private async toWrite(draft: string): Promise<KubeObject | undefined> {
    const parsed = await parseYamlObject(draft);
    this.problemAt.set(parsed.at);
    if (parsed.problem !== undefined) {
      this.notice.set({ tone: 'error', text: `Could not check the change: ${parsed.problem}` });
      return undefined;
    }
    // The draft leaves status out; put back the one it was loaded with, unless the person wrote one on purpose.
    const status = this.loaded()?.['status'];
    const object = parsed.object as KubeObject;
    return object['status'] === undefined && status !== undefined ? { ...object, status } : object;
  }

  /** Runs a call to the API server; on failure says why in its words and keeps the draft. */
  private async run<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    this.busy.set(true);
    this.notice.set(undefined);
    try {
      return (await call()) ?? ({} as T);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) await this.showConflict(err);
      else this.notice.set({ tone: 'error', text: `Could not ${what}: ${(err as Error).message}` });
      return undefined;
    } finally {
      this.busy.set(false);
    }
  }

  /** A 409: the object changed after the edit began. Shows what changed; the draft stays to copy from. */
  private async showConflict(err: ApiError): Promise<void> {
    this.notice.set({ tone: 'error', text: `Not applied: ${this.name()} changed after you began editing, and the API server refused your draft as a conflict (${err.message}). Your draft is kept below; start over from the current version to make your change again.` });
    try {
      const current = await this.load()();
      this.current = current;
      if (current) this.conflict.set(fieldChanges(comparable(this.loaded()), comparable(current)));
    } catch {
      this.conflict.set([]);
    }
  }
}

/** What a person edits: the object without the API server's bookkeeping. */
function editable(object: KubeObject): KubeObject {
  const { managedFields, ...metadata } = object.metadata;
  void managedFields;
  const { status, ...rest } = object;
  void status;
  return { ...rest, metadata: metadata as KubeObject['metadata'] };
}

/** Two versions of an object as they are compared: without managedFields and the resourceVersion, which change with every write. */
function comparable(object: KubeObject | undefined): unknown {
  if (!object) return undefined;
  const { managedFields, resourceVersion, ...metadata } = object.metadata;
  void managedFields;
  void resourceVersion;
  return { ...object, metadata };
}
