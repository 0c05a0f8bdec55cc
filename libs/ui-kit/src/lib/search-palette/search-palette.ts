import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, model, output, signal, ViewEncapsulation } from '@angular/core';
import { OVERLAY_STYLES } from '../overlay-styles';

/** One choice of a palette: a result (with the link it opens) or a suggestion (a recent search). */
export interface PaletteOption {
  /** Unique within the palette; becomes part of the element's id. */
  id: string;
  label: string;
  /** A second, quieter line: namespace, cluster. */
  detail?: string;
  /** Where it leads, as a console URL (path and query); a suggestion has none. */
  href?: string;
}

/** Options under one heading: a kind's results, the recent searches. */
export interface PaletteGroup {
  id: string;
  label: string;
  /** Said after the heading: "3", "12 of more". */
  count?: string;
  options: PaletteOption[];
}

let nextId = 0;

/**
 * A search field over a grouped list of choices, for a modal dialog (the shell's global
 * search): the WAI-ARIA combobox pattern — focus stays in the field (`role=combobox`,
 * `aria-activedescendant`), the choices are a `listbox` of `option`s in named `group`s, ArrowDown
 * and ArrowUp move (wrapping), Home and End (with Ctrl) go to the first and last, Enter opens the
 * active choice (the first when none is), and a click opens the one clicked. Escape, the focus
 * trap and giving focus back are the dialog's (CDK `Dialog`). What to search and what the choices
 * are belong to whoever uses it: it only draws, and says which choice was taken (`activate`).
 */
@Component({
  selector: 'cairn-search-palette',
  template: `
    <div class="cairn-palette">
      <div class="cairn-palette-field">
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
          <circle cx="11" cy="11" r="6.5" /><path d="M16 16l4.5 4.5" />
        </svg>
        <input
          [id]="uid + '-input'"
          type="search"
          role="combobox"
          [attr.aria-label]="label()"
          aria-autocomplete="list"
          [attr.aria-expanded]="flat().length > 0"
          [attr.aria-controls]="uid + '-list'"
          [attr.aria-activedescendant]="activeOption() ? optionId(activeOption()!) : null"
          [attr.aria-describedby]="uid + '-status'"
          [placeholder]="placeholder()"
          [value]="query()"
          (input)="type($any($event.target).value)"
          (keydown)="onKey($event)"
          autocomplete="off"
          spellcheck="false"
          enterkeyhint="go"
        />
        @if (busy()) {
          <span class="cairn-palette-spinner" aria-hidden="true"></span>
        }
      </div>
      <p class="cairn-palette-status" [id]="uid + '-status'" role="status">{{ status() }}</p>
      <div class="cairn-palette-list" role="listbox" [id]="uid + '-list'" [attr.aria-label]="label()" [hidden]="flat().length === 0">
        @for (group of groups(); track group.id) {
          <div role="group" class="cairn-palette-group" [attr.aria-labelledby]="uid + '-g-' + group.id">
            <div class="cairn-palette-heading" role="presentation" [id]="uid + '-g-' + group.id">
              {{ group.label }}@if (group.count) {<span class="cairn-palette-count"> · {{ group.count }}</span>}
            </div>
            @for (option of group.options; track option.id) {
              <a
                role="option"
                tabindex="-1"
                class="cairn-palette-option"
                [id]="optionId(option)"
                [attr.href]="option.href ?? null"
                [attr.aria-selected]="option === activeOption()"
                [class.active]="option === activeOption()"
                (mousemove)="activeId.set(option.id)"
                (click)="choose(option, $event)"
              >
                <span class="cairn-palette-label">{{ option.label }}</span>
                @if (option.detail) {
                  <span class="cairn-palette-detail">{{ option.detail }}</span>
                }
              </a>
            }
          </div>
        }
      </div>
      <ng-content />
    </div>
  `,
  styles: [
    OVERLAY_STYLES,
    `
    .cairn-palette { display: flex; flex-direction: column; box-sizing: border-box; width: min(40rem, calc(100vw - 1rem)); max-height: min(36rem, calc(100dvh - 2rem));
      background: var(--cairn-surface, #fff); color: var(--cairn-text, #1f2328); border: 1px solid var(--cairn-border, #d0d7de); border-radius: 10px;
      box-shadow: 0 12px 32px rgba(1, 4, 9, 0.35); font: inherit; overflow: hidden; }
    .cairn-palette-field { display: flex; align-items: center; gap: 0.5rem; padding: 0.625rem 0.875rem; border-bottom: 1px solid var(--cairn-border, #d0d7de); }
    .cairn-palette-field svg { flex: none; color: var(--cairn-muted, #57606a); }
    .cairn-palette-field input { flex: 1; min-width: 0; font: inherit; font-size: 1rem; padding: 0.375rem 0.25rem; border: 0; outline: 0; background: transparent; color: inherit; }
    .cairn-palette-field:focus-within { box-shadow: inset 0 -2px 0 var(--cairn-accent, #0969da); }
    .cairn-palette-spinner { flex: none; width: 14px; height: 14px; border-radius: 50%; border: 2px solid var(--cairn-border, #d0d7de); border-top-color: var(--cairn-accent, #0969da);
      animation: cairn-palette-spin 0.8s linear infinite; }
    @keyframes cairn-palette-spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .cairn-palette-spinner { animation: none; } }
    .cairn-palette-status { margin: 0; padding: 0.375rem 0.875rem; font-size: 0.8125rem; color: var(--cairn-muted, #57606a); }
    .cairn-palette-status:empty { display: none; }
    .cairn-palette-list { overflow-y: auto; padding: 0 0.375rem 0.5rem; overscroll-behavior: contain; }
    .cairn-palette-heading { position: sticky; top: 0; padding: 0.5rem 0.5rem 0.25rem; font-size: 0.8125rem; font-weight: 600;
      color: var(--cairn-muted, #57606a); background: var(--cairn-surface, #fff); }
    .cairn-palette-count { font-weight: 400; text-transform: none; }
    .cairn-palette-option { display: flex; align-items: baseline; justify-content: space-between; gap: 0.75rem; padding: 0.5rem 0.625rem; min-height: 2.25rem; box-sizing: border-box;
      border-radius: 6px; color: inherit; text-decoration: none; cursor: pointer; }
    .cairn-palette-option.active { background: var(--cairn-accent-subtle, rgba(9, 105, 218, 0.12)); box-shadow: inset 3px 0 0 var(--cairn-accent, #0969da); }
    .cairn-palette-label { overflow-wrap: anywhere; font-weight: 500; }
    .cairn-palette-detail { flex: none; max-width: 50%; font-size: 0.8125rem; color: var(--cairn-muted, #57606a); text-align: right; overflow-wrap: anywhere; }
    @media (max-width: 560px) {
      .cairn-palette { width: 100vw; max-height: 100dvh; height: 100dvh; border-radius: 0; border: 0; }
      .cairn-palette-option { flex-direction: column; align-items: stretch; gap: 0.125rem; min-height: 2.75rem; }
      .cairn-palette-detail { max-width: none; text-align: left; }
    }
  `,
  ],
  encapsulation: ViewEncapsulation.None,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SearchPalette {
  /** The field's and the list's accessible name: "Search every cluster". */
  readonly label = input.required<string>();
  readonly placeholder = input('');
  readonly groups = input<PaletteGroup[]>([]);
  /** One line under the field, read out politely: "12 found; 3 kinds skipped (you may not list them)". */
  readonly status = input('');
  /** Results are still arriving. */
  readonly busy = input(false);
  /** What is typed. */
  readonly query = model('');
  /** A choice was opened (Enter or a click); `event` is the click, so a modified click (new tab) can be left to the browser. */
  readonly activate = output<{ option: PaletteOption; event?: MouseEvent }>();

  protected readonly uid = `cairn-palette-${++nextId}`;
  protected readonly flat = computed(() => this.groups().flatMap((g) => g.options));
  /** The active choice, by id: results arriving above it do not move it. */
  protected readonly activeId = signal<string | undefined>(undefined);
  /** The active choice; with none chosen, none is shown active (Enter still opens the first). */
  protected readonly activeOption = computed(() => this.flat().find((o) => o.id === this.activeId()));
  private readonly activeIndex = computed(() => (this.activeOption() ? this.flat().indexOf(this.activeOption() as PaletteOption) : -1));
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected optionId(option: PaletteOption): string {
    return `${this.uid}-o-${option.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  protected type(value: string): void {
    this.query.set(value);
    this.activeId.set(undefined);
  }

  protected onKey(event: KeyboardEvent): void {
    const count = this.flat().length;
    const move = (index: number) => {
      event.preventDefault();
      if (!count) return;
      this.activeId.set(this.flat()[((index % count) + count) % count]?.id);
      const option = this.activeOption();
      // After the view shows it active.
      if (option) queueMicrotask(() => this.host.nativeElement.querySelector(`#${this.optionId(option)}`)?.scrollIntoView?.({ block: 'nearest' }));
    };
    if (event.key === 'ArrowDown') move(this.activeIndex() + 1);
    else if (event.key === 'ArrowUp') move(this.activeIndex() < 0 ? -1 : this.activeIndex() - 1);
    else if (event.key === 'Home' && event.ctrlKey) move(0);
    else if (event.key === 'End' && event.ctrlKey) move(-1);
    else if (event.key === 'Enter') {
      const option = this.activeOption() ?? this.flat()[0];
      if (option) {
        event.preventDefault();
        this.activate.emit({ option });
      }
    }
  }

  protected choose(option: PaletteOption, event: MouseEvent): void {
    this.activate.emit({ option, event });
  }
}
