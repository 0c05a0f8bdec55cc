import { ChangeDetectionStrategy, Component, effect, input, output, signal, untracked, viewChild } from '@angular/core';
import { ApiError, type KubeObject } from '@cairn/data-access';
// Through the package, not '../states/…': this file is in the shared `@cairn/ui-kit-yaml`
// bundle, and a relative import would carry a second Notice beside the shared ui-kit's.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Notice, type NoticeTone } from '@cairn/ui-kit';
import { CodeEditor } from './code-editor';
import { YamlView } from './yaml-view';
import { lineOfField, parseYamlObject, ProblemPosition } from './yaml-problem';

/** A field error as the editor lists it: the API server's field path and message, and the draft's line that holds it (when found). */
interface FieldProblem {
  field?: string;
  message: string;
  line?: number;
}

/**
 * The checked YAML editor for a NEW object: the draft is parsed as kubectl reads it, sent to the
 * API server as a dry-run create (its field errors listed with the paths it names, each with a
 * "Go to line" when the draft has that field), and only a draft the dry run accepted can be
 * created. A create never replaces anything: when an object of that name exists the API
 * server's AlreadyExists is shown with a way to open that object (`openExisting`), and nothing
 * is changed.
 *
 * `text` is the draft to start from (a new value replaces the draft); `locked` shows it read
 * only (a guided form writes it); `blocked` names what must be fixed before it is sent.
 */
@Component({
  selector: 'cairn-yaml-create',
  imports: [Notice, CodeEditor, YamlView],
  template: `
    @if (notice(); as n) {
      <cairn-notice [tone]="n.tone">{{ n.text }}
        @if (existing(); as object) { <button type="button" (click)="openExisting.emit(object)">Open the existing {{ object.kind }} {{ object.metadata.name }}</button> }
      </cairn-notice>
    }
    @if (problems().length) {
      <ul class="problems" aria-label="What the API server refused">
        @for (p of problems(); track $index) {
          <li>@if (p.field) {<code>{{ p.field }}</code>: }{{ p.message }}
            @if (p.line && !locked()) { <button type="button" class="link" (click)="code()?.goTo(p.line, 1)">Go to line {{ p.line }}</button> }</li>
        }
      </ul>
    }
    @if (problemAt(); as at) {
      <p class="jump"><button type="button" (click)="code()?.goTo(at.line, at.col)">Go to line {{ at.line }}</button></p>
    }
    @if (locked()) {
      <cairn-yaml-view [text]="draft()" [label]="label()" />
    } @else {
      <cairn-code-editor [value]="start()" [label]="label()" (valueChange)="edit($event)" />
    }
    @if (blocked(); as why) { <p class="blocked" role="status">{{ why }}</p> }
    <div class="buttons">
      <button type="button" (click)="check()" [disabled]="busy() || !!blocked()">Check (dry run)</button>
      <button type="button" class="primary" (click)="createDraft()" [disabled]="busy() || !!blocked() || checked() !== draft()">Create</button>
    </div>
  `,
  styles: `
    :host { display: block; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    button:disabled { opacity: 0.55; cursor: default; }
    button.primary:not(:disabled) { background: var(--cairn-accent, #0969da); border-color: var(--cairn-accent, #0969da); color: #fff; }
    button.link { border: none; background: none; padding: 0 0.25rem; text-decoration: underline; color: inherit; }
    .buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; }
    .jump { margin: 0 0 0.5rem; }
    .blocked { color: var(--cairn-muted); margin: 0.5rem 0 0; }
    .problems { margin: 0 0 0.75rem; padding: 0.5rem 0.75rem 0.5rem 1.75rem; border: 1px solid var(--cairn-danger); border-radius: 6px; word-break: break-word; }
    .problems li + li { margin-top: 0.25rem; }
    @media (max-width: 720px) { .buttons button { min-height: 44px; flex: 1 1 auto; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class YamlCreate {
  /** The draft to start from; a new value replaces the draft. */
  readonly text = input.required<string>();
  /** The accessible name of the draft: "New Deployment". */
  readonly label = input.required<string>();
  /** Shown read only (a guided form writes the draft). */
  readonly locked = input(false);
  /** What must be fixed before the draft may be sent (a guided form's problems); undefined when nothing. */
  readonly blocked = input<string>();
  /** A server-side dry-run create of the object; resolves with what the server would store. */
  readonly dryRun = input.required<(object: KubeObject) => Promise<KubeObject>>();
  /** Creates the object; rejects with the API server's reason (a 409 AlreadyExists when the name is taken). */
  readonly create = input.required<(object: KubeObject) => Promise<KubeObject>>();
  /** The object was created: the API server's answer. */
  readonly created = output<KubeObject>();
  /** The person asked to open the object that already has the draft's name. */
  readonly openExisting = output<KubeObject>();

  /** The text the code editor starts from (the last `text`), apart from the draft it edits. */
  protected readonly start = signal('');
  protected readonly draft = signal('');
  /** The draft the API server accepted in a dry run: Create is for that draft only. */
  protected readonly checked = signal<string | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly notice = signal<{ tone: NoticeTone; text: string } | undefined>(undefined);
  protected readonly problems = signal<FieldProblem[]>([]);
  protected readonly problemAt = signal<ProblemPosition | undefined>(undefined);
  /** The draft's object when its name is taken, for "Open the existing …". */
  protected readonly existing = signal<KubeObject | undefined>(undefined);
  protected readonly code = viewChild(CodeEditor);

  constructor() {
    effect(() => {
      const text = this.text();
      untracked(() => {
        this.start.set(text);
        this.edit(text);
      });
    });
  }

  protected edit(value: string): void {
    this.draft.set(value);
    this.problemAt.set(undefined);
  }

  protected async check(): Promise<void> {
    const draft = this.draft();
    const object = await this.parse(draft);
    if (!object) return;
    if (await this.run(draft, 'check it', () => this.dryRun()(object))) {
      this.checked.set(draft);
      this.notice.set({ tone: 'ok', text: `The API server accepts this ${object.kind} (dry run, nothing stored yet). Create it when you are ready.` });
    }
  }

  protected async createDraft(): Promise<void> {
    const draft = this.draft();
    if (this.checked() !== draft) return;
    const object = await this.parse(draft);
    if (!object) return;
    const stored = await this.run(draft, 'create it', () => this.create()(object));
    if (stored) {
      this.notice.set({ tone: 'ok', text: `Created ${object.kind} ${stored.metadata.name}.` });
      this.created.emit(stored);
    }
  }

  private async parse(draft: string): Promise<KubeObject | undefined> {
    this.problems.set([]);
    this.existing.set(undefined);
    const parsed = await parseYamlObject(draft);
    this.problemAt.set(parsed.at);
    if (parsed.problem !== undefined) {
      this.notice.set({ tone: 'error', text: `Not sent: ${parsed.problem}` });
      return undefined;
    }
    return parsed.object as KubeObject;
  }

  /** Runs a call to the API server; on failure says why in its words, field by field, and keeps the draft. */
  private async run(draft: string, what: string, call: () => Promise<KubeObject>): Promise<KubeObject | undefined> {
    this.busy.set(true);
    this.notice.set(undefined);
    this.checked.set(undefined);
    try {
      return await call();
    } catch (err) {
      const object = (await parseYamlObject(draft)).object as KubeObject | undefined;
      if (err instanceof ApiError && err.status === 409 && err.detail.reason === 'AlreadyExists' && object) {
        this.existing.set(object);
        this.notice.set({ tone: 'error', text: `Not created: ${object.kind} ${object.metadata.name} already exists${object.metadata.namespace ? ` in ${object.metadata.namespace}` : ''}. Nothing was changed; choose another name, or open the existing one.` });
      } else {
        const causes = err instanceof ApiError ? (err.detail.causes ?? []) : [];
        this.notice.set({ tone: 'error', text: `Could not ${what}: ${causes.length ? `the API server refused ${causes.length === 1 ? 'one field' : `${causes.length} fields`} (below).` : (err as Error).message}` });
        this.problems.set(await Promise.all(causes.map(async (c) => ({ ...c, line: c.field ? await lineOfField(draft, c.field) : undefined }))));
      }
      return undefined;
    } finally {
      this.busy.set(false);
    }
  }
}
