import { afterNextRender, ChangeDetectionStrategy, Component, DestroyRef, ElementRef, effect, inject, InjectionToken, input, output, signal, untracked, viewChild } from '@angular/core';
import type { EditorView } from '@codemirror/view';
import { parseYamlObject, ProblemPosition } from './yaml-problem';

/** The CodeMirror pieces the editor uses, loaded on first use so views that never edit do not pay for them. */
async function loadCodeMirror() {
  const [{ basicSetup, EditorView }, { yaml }, { linter, lintGutter }, { EditorState }] = await Promise.all([
    import('codemirror'),
    import('@codemirror/lang-yaml'),
    import('@codemirror/lint'),
    import('@codemirror/state'),
  ]);
  return { basicSetup, EditorView, EditorState, yaml, linter, lintGutter };
}

/**
 * How the code editor's modules are loaded: the dynamic imports by default. A test without a
 * layout engine (jsdom) provides a loader that rejects, and gets the plain text area.
 */
export const CODE_EDITOR_LOADER = new InjectionToken<typeof loadCodeMirror>('CODE_EDITOR_LOADER', { providedIn: 'root', factory: () => loadCodeMirror });

/**
 * A YAML code editor (CodeMirror 6): line numbers, YAML highlighting, bracket and fold marks,
 * search (Ctrl-F), and each problem the YAML parser finds marked at its line as you type (with
 * kubectl's YAML 1.1 rules, as the draft is read). CodeMirror is loaded on first use; until it
 * has loaded, or if it cannot load, or when the person chooses "Plain text" (for a screen reader,
 * or pasting on a phone; the choice is kept in the browser), a plain text area edits the same text.
 *
 * `value` is the text to start from (setting it again replaces the text); `valueChange` emits
 * every edit. `goTo(line)` moves the cursor to a line and focuses the editor.
 */
@Component({
  selector: 'cairn-code-editor',
  template: `
    <div class="bar">
      <span class="muted">{{ mode() === 'code' ? 'Code editor: line numbers, problems marked as you type, Ctrl-F to search.' : mode() === 'loading' ? 'Loading the code editor…' : 'Plain text.' }}</span>
      @if (mode() !== 'loading') {
        <button type="button" (click)="toggle()">{{ mode() === 'code' ? 'Plain text' : 'Code editor' }}</button>
      }
    </div>
    @if (mode() !== 'code') {
      <label [for]="id()" class="visually-hidden">{{ label() }}</label>
      <textarea #plain [id]="id()" class="plain" spellcheck="false" [value]="text()" (input)="typed($any($event.target).value)"></textarea>
    }
    <div #host class="code" [hidden]="mode() !== 'code'"></div>
  `,
  styles: `
    :host { display: block; }
    .bar { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; font-size: 0.8125rem; margin-bottom: 0.25rem; }
    .muted { color: var(--cairn-muted); }
    button { font: inherit; font-size: 0.8125rem; padding: 0.2rem 0.6rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    .plain { display: block; width: 100%; box-sizing: border-box; min-height: 28rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem;
      background: var(--cairn-surface); color: var(--cairn-text); border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.75rem; white-space: pre; overflow: auto; }
    .code { border: 1px solid var(--cairn-border); border-radius: 6px; overflow: hidden; background: var(--cairn-surface); }
    .code ::ng-deep .cm-editor { height: min(36rem, calc(100dvh - 14rem)); min-height: 16rem; font-size: 0.8125rem; color: var(--cairn-text); background: var(--cairn-surface); }
    .code ::ng-deep .cm-scroller { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
    .code ::ng-deep .cm-gutters { background: var(--cairn-bg); color: var(--cairn-muted); border-right: 1px solid var(--cairn-border); }
    .code ::ng-deep .cm-activeLine, .code ::ng-deep .cm-activeLineGutter { background: var(--cairn-hover); }
    .code ::ng-deep .cm-content { caret-color: var(--cairn-text); }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (max-width: 720px) { button { min-height: 44px; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CodeEditor {
  /** The text to edit; a new value replaces the editor's text. */
  readonly value = input.required<string>();
  /** The accessible name of the text: "YAML of web". */
  readonly label = input.required<string>();
  readonly valueChange = output<string>();

  protected readonly mode = signal<'loading' | 'code' | 'plain'>('loading');
  protected readonly text = signal('');
  protected readonly id = signal(`code-editor-${Math.random().toString(36).slice(2, 10)}`);
  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');
  private readonly plain = viewChild<ElementRef<HTMLTextAreaElement>>('plain');
  private view: EditorView | undefined;
  /** Whether the person chose plain text: kept in the browser (`cairn.editor.plain`), and a later load must not override it. */
  private chosePlain = readPlainChoice();
  private readonly load = inject(CODE_EDITOR_LOADER);

  constructor() {
    effect(() => {
      const value = this.value();
      untracked(() => {
        this.text.set(value);
        if (this.view && this.view.state.doc.toString() !== value) this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
      });
    });
    afterNextRender(() => void this.mount());
    inject(DestroyRef).onDestroy(() => this.view?.destroy());
  }

  private async mount(): Promise<void> {
    try {
      const cm = await this.load();
      const problems = cm.linter(async (view) => {
        const parsed = await parseYamlObject(view.state.doc.toString());
        if (parsed.problem === undefined) return [];
        const at: ProblemPosition = parsed.at ?? { line: 1, col: 1, from: 0, to: Math.min(1, view.state.doc.length) };
        const to = Math.min(at.to, view.state.doc.length);
        return [{ from: Math.min(at.from, to), to, severity: 'error' as const, message: parsed.problem }];
      }, { delay: 400 });
      this.view = new cm.EditorView({
        parent: this.host().nativeElement,
        state: cm.EditorState.create({
          doc: this.text(),
          extensions: [
            cm.basicSetup,
            cm.yaml(),
            cm.lintGutter(),
            problems,
            cm.EditorView.lineWrapping,
            cm.EditorView.contentAttributes.of({ 'aria-label': this.label(), spellcheck: 'false' }),
            cm.EditorView.updateListener.of((update) => {
              if (!update.docChanged) return;
              const text = update.state.doc.toString();
              this.text.set(text);
              this.valueChange.emit(text);
            }),
          ],
        }),
      });
      this.mode.set(this.chosePlain ? 'plain' : 'code');
    } catch {
      // Without the code editor the text area edits the same text.
      this.mode.set('plain');
    }
  }

  protected typed(value: string): void {
    this.text.set(value);
    if (this.view) this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
    this.valueChange.emit(value);
  }

  protected toggle(): void {
    if (this.mode() === 'code') {
      this.chosePlain = true;
      this.mode.set('plain');
    } else if (this.view) {
      this.chosePlain = false;
      this.mode.set('code');
    }
    writePlainChoice(this.chosePlain);
  }

  /** Puts the cursor at the start of a line (1-based) and focuses the editor there. */
  goTo(line: number, col = 1): void {
    const view = this.view;
    if (view && this.mode() === 'code') {
      const target = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
      const pos = Math.min(target.from + Math.max(col - 1, 0), target.to);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
      return;
    }
    const area = this.plain()?.nativeElement;
    if (!area) return;
    const lines = area.value.split('\n');
    const pos = lines.slice(0, Math.max(line - 1, 0)).reduce((sum, l) => sum + l.length + 1, 0) + Math.max(col - 1, 0);
    area.focus();
    area.setSelectionRange(pos, pos);
  }
}

const PLAIN_KEY = 'cairn.editor.plain';

function readPlainChoice(): boolean {
  try {
    return globalThis.localStorage?.getItem(PLAIN_KEY) === 'true';
  } catch {
    return false; // Storage refused (private mode, policy): the code editor, as by default.
  }
}

function writePlainChoice(plain: boolean): void {
  try {
    if (plain) globalThis.localStorage?.setItem(PLAIN_KEY, 'true');
    else globalThis.localStorage?.removeItem(PLAIN_KEY);
  } catch {
    // Not kept: the choice lasts for this editor only.
  }
}
