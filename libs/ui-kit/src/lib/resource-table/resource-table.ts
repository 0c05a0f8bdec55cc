import { CdkVirtualScrollViewport, ScrollingModule } from '@angular/cdk/scrolling';
import { NgTemplateOutlet } from '@angular/common';
import { afterRenderEffect, ChangeDetectionStrategy, Component, computed, contentChildren, DestroyRef, Directive, DOCUMENT, effect, ElementRef, inject, input, model, signal, TemplateRef, untracked, viewChild } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { StatusBadge } from '../status-badge/status-badge';
import { TimeAgo } from '../time-ago/time-ago';
import { ColumnChoice, filterRows, isShown, parseFilter, sortRows, TableColumn, TableSort, warmCellTexts } from './table-column';

/** The height of one row, in pixels: fixed, so the virtual scroll knows where every row is. */
const ROW_HEIGHT = 36;
/** On a phone, a row is a card of two lines: the name (a 44 px target) and status, then the key columns. */
const PHONE_ROW_HEIGHT = 76;
const PHONE_MAX_WIDTH = 720;
/** How many columns a card shows under the name, besides the status. */
const PHONE_FACTS = 3;
/** The longest the filter's cells are read ahead in one idle slice (ms): well under a frame. */
const WARM_SLICE_MS = 8;

/** A cell drawn by the view that owns the table: `<ng-template cairnCell="restarts" let-row>…</ng-template>`. */
@Directive({ selector: 'ng-template[cairnCell]' })
export class CellTemplate<T = unknown> {
  readonly column = input.required<string>({ alias: 'cairnCell' });
  readonly template = inject<TemplateRef<{ $implicit: T }>>(TemplateRef);
}

let nextTable = 0;

/**
 * The console's list of objects: a filter (text, `label=value`, `label!=value`), sorting by any
 * column, a choice of columns kept in the browser, and a virtual scroll that keeps ten thousand
 * rows smooth. Rows arrive from the owner (usually a `LiveList`) and may change at any time.
 *
 * `selectable` adds a checkbox column: a click or Space toggles a row, Shift-click and
 * Shift-Space select the range from the row toggled last, the header checkbox selects every row
 * the filter shows. The selection (`selection`, keys from `rowKey`) survives live changes; a row
 * that leaves the list leaves the selection.
 */
@Component({
  selector: 'cairn-resource-table',
  imports: [ScrollingModule, NgTemplateOutlet, RouterLink, StatusBadge, TimeAgo],
  templateUrl: './resource-table.html',
  styleUrl: './resource-table.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Escape, or a click anywhere else, closes the column choice.
  host: { '(keydown.escape)': 'choosing.set(false)', '(document:click)': 'closeChoiceOutside($event)', '(keydown.space)': 'rowKeydown($event)', '(keydown.shift.space)': 'rowKeydown($event)' },
})
export class ResourceTable<T> {
  readonly rows = input.required<readonly T[]>();
  readonly columns = input.required<readonly TableColumn<T>[]>();
  /** A stable identity per row (a uid), so rows keep their place while the list changes. */
  readonly rowKey = input.required<(row: T) => string>();
  /** What the rows are, plural: the table's accessible name and the count's noun. */
  readonly label = input.required<string>();
  /** Where the column choice is kept; tables showing the same kind share it. Default: the label. */
  readonly tableId = input<string>();
  /** The rows' labels, for `label=value` filters. */
  readonly labels = input<(row: T) => Record<string, string> | undefined>();
  readonly loading = input(false);
  /** What to say when there are no rows at all (as opposed to none matching the filter). */
  readonly emptyText = input('There is nothing here.');
  /** Where the rows are from, after the count: "in team-a", "(cluster-wide)". */
  readonly scope = input('');
  readonly filterPlaceholder = input('Filter by name, status or label=value');
  readonly filter = model('');
  readonly sort = model<TableSort | undefined>(undefined);
  /** Rows can be selected, for an action on many at once (see the class's docs). */
  readonly selectable = input(false);
  /** The selected rows' keys (`rowKey`). */
  readonly selection = model<ReadonlySet<string>>(new Set());
  /** How a row is named in its checkbox's accessible name ("Select web"); default: the first column's value. */
  readonly rowLabel = input<(row: T) => string>();
  /** The row toggled last: where a Shift range starts. */
  private anchor: string | undefined;

  protected readonly id = `cairn-table-${++nextTable}`;
  protected readonly cellTemplates = contentChildren(CellTemplate);
  protected readonly templates = computed(() => new Map(this.cellTemplates().map((cell) => [cell.column(), cell.template as TemplateRef<{ $implicit: T }>])));
  private readonly viewport = viewChild(CdkVirtualScrollViewport);
  private readonly choice = computed(() => new ColumnChoice(this.tableId() ?? this.label()));
  protected readonly choices = signal<Record<string, boolean>>({});
  protected readonly choosing = signal(false);

  protected readonly shownColumns = computed(() => this.columns().filter((column) => isShown(column, this.choices())));
  protected readonly gridColumns = computed(() =>
    [...(this.selectable() ? ['1.25rem'] : []), ...this.shownColumns().map((column) => `minmax(${column.minWidth ?? 6}rem, ${column.grow ?? 1}fr)`)].join(' '),
  );
  /** The table is at least as wide as its columns' minimums; a narrow screen scrolls it sideways. */
  protected readonly minWidth = computed(() => `${this.shownColumns().reduce((sum, column) => sum + (column.minWidth ?? 6) + 0.75, this.selectable() ? 3.5 : 1.5)}rem`);

  protected readonly visible = computed(() => {
    const columns = this.shownColumns();
    return sortRows(filterRows(this.rows(), columns, parseFilter(this.filter()), this.labels()), this.columns(), this.sort());
  });

  /**
   * A phone-sized screen (at most 720 px wide): each row is a card, with the name as a 44 px
   * target, the status beside it and the next key columns under it, so nothing that matters is
   * off the right edge; a tap anywhere on the card opens the object.
   */
  protected readonly narrow = signal(false);
  /** On a card: the name column, the status column, and up to three more shown columns as "label value". */
  protected readonly card = computed(() => {
    const shown = this.shownColumns();
    const name = shown[0];
    const status = shown.find((column, i) => i > 0 && column.status);
    const facts = shown.filter((column) => column !== name && column !== status).slice(0, PHONE_FACTS);
    return { name, status, facts };
  });
  protected readonly rowHeight = computed(() => (this.narrow() ? PHONE_ROW_HEIGHT : ROW_HEIGHT));
  /** As tall as the rows, up to the screen's height: short lists do not leave a gap. */
  protected readonly viewportHeight = computed(() => `min(${Math.max(this.visible().length, 1) * this.rowHeight() + 2}px, var(--cairn-table-height, max(18rem, calc(100dvh - 17rem))))`);
  private readonly router = inject(Router);

  constructor() {
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    const tap = (event: MouseEvent) => this.tapCard(event);
    host.addEventListener('click', tap);
    inject(DestroyRef).onDestroy(() => host.removeEventListener('click', tap));
    const phone = inject(DOCUMENT).defaultView?.matchMedia?.(`(max-width: ${PHONE_MAX_WIDTH}px)`);
    if (phone) {
      this.narrow.set(phone.matches);
      const change = (e: MediaQueryListEvent) => this.narrow.set(e.matches);
      phone.addEventListener?.('change', change);
      inject(DestroyRef).onDestroy(() => phone.removeEventListener?.('change', change));
    }
    // A row that left the list (deleted, or no longer matching the owner's query) leaves the selection.
    effect(() => {
      const selected = this.selection();
      if (selected.size === 0) return;
      const key = this.rowKey();
      const present = new Set(this.rows().map((row) => key(row)));
      if ([...selected].some((k) => !present.has(k))) untracked(() => this.selection.set(new Set([...selected].filter((k) => present.has(k)))));
    });
    effect(() => {
      const choice = this.choice();
      untracked(() => this.choices.set(choice.read()));
    });
    // The filter's cell texts are read while the page is idle, a few milliseconds at a time, so
    // the first keystroke finds them read (rows or columns changed: start again from the top).
    const view = inject(DOCUMENT).defaultView;
    let warming: number | undefined;
    const stopWarming = () => {
      if (warming !== undefined) (view?.cancelIdleCallback ?? clearTimeout)(warming);
      warming = undefined;
    };
    effect(() => {
      const rows = this.rows();
      const columns = this.shownColumns();
      stopWarming();
      if (!view || rows.length === 0) return;
      // Where there is no requestIdleCallback (Safari), a slice every 16 ms, leaving the rest of each frame to the page.
      const idle = view.requestIdleCallback?.bind(view) ?? ((run: (deadline: IdleDeadline) => void) => view.setTimeout(() => run({ didTimeout: false, timeRemaining: () => 5 }), 16));
      const slice = (from: number) => {
        warming = idle((deadline) => {
          const started = performance.now();
          const next = warmCellTexts(rows, columns, from, () => deadline.timeRemaining() > 1 && performance.now() - started < WARM_SLICE_MS);
          warming = undefined;
          if (next < rows.length) slice(next);
        });
      };
      slice(0);
    });
    inject(DestroyRef).onDestroy(stopWarming);
    // The virtual scroll measures its viewport once; tell it when the height follows the rows.
    afterRenderEffect(() => {
      this.viewportHeight();
      untracked(() => this.viewport()?.checkViewportSize());
    });
  }

  protected readonly trackRow = (_index: number, row: T): string => this.rowKey()(row);

  /** How many of the rows the filter shows are selected: the header checkbox is checked when all are, mixed when some are. */
  protected readonly selectedShown = computed(() => {
    const selected = this.selection();
    const key = this.rowKey();
    return selected.size === 0 ? 0 : this.visible().filter((row) => selected.has(key(row))).length;
  });

  protected isSelected(row: T): boolean {
    return this.selection().has(this.rowKey()(row));
  }

  protected nameOf(row: T): string {
    return this.rowLabel()?.(row) ?? String(this.columns()[0]?.value(row) ?? '');
  }

  /** Selects (or clears) `row`; with `range`, every shown row from the one toggled last to it, the same way. */
  protected setRow(row: T, selected: boolean, range: boolean): void {
    const key = this.rowKey();
    const target = key(row);
    const keys = [target];
    if (range && this.anchor !== undefined) {
      const shown = this.visible().map((r) => key(r));
      const from = shown.indexOf(this.anchor);
      const to = shown.indexOf(target);
      if (from >= 0 && to >= 0) keys.splice(0, 1, ...shown.slice(Math.min(from, to), Math.max(from, to) + 1));
    }
    const next = new Set(this.selection());
    for (const k of keys) {
      if (selected) next.add(k);
      else next.delete(k);
    }
    this.anchor = target;
    this.selection.set(next);
  }

  /** Space anywhere on a row (its checkbox, its name) toggles it; Shift-Space selects the range. */
  protected rowKeydown(event: Event): void {
    const target = event.target as HTMLElement;
    if (!this.selectable() || !(event instanceof KeyboardEvent) || target.closest('button, select, textarea') || (target instanceof HTMLInputElement && target.type !== 'checkbox')) return;
    const key = target.closest<HTMLElement>('.viewport .row')?.dataset['rowKey'];
    const row = key === undefined ? undefined : this.visible().find((r) => this.rowKey()(r) === key);
    if (row === undefined) return;
    // The checkbox's own toggle on Space is cancelled here, so a Shift-Space is one range, not a toggle and a range.
    event.preventDefault();
    this.setRow(row, !this.isSelected(row), event.shiftKey);
  }

  /** The header checkbox: every row the filter shows, or none of them. */
  protected selectShown(selected: boolean): void {
    const key = this.rowKey();
    const next = new Set(this.selection());
    for (const row of this.visible()) {
      if (selected) next.add(key(row));
      else next.delete(key(row));
    }
    this.anchor = undefined;
    this.selection.set(next);
  }

  /**
   * A tap on a card outside its links and buttons opens the row's object, as a tap on its name
   * would: a pointer convenience on phones. Keyboard and screen-reader users reach the same
   * object through the name's link, so the card itself is not made a second focus stop.
   */
  private tapCard(event: MouseEvent): void {
    const target = event.target as HTMLElement | null;
    if (!this.narrow() || !target || target.closest('a, button, input, label, select')) return;
    const key = target.closest<HTMLElement>('.row.card')?.dataset['rowKey'];
    const row = key === undefined ? undefined : this.visible().find((r) => this.rowKey()(r) === key);
    const link = row === undefined ? undefined : this.card().name?.link?.(row);
    if (link) void this.router.navigate(link, { queryParamsHandling: 'preserve' });
  }

  /** The sort a phone's "Sort by" select chose: `id` or `id:desc`. */
  protected sortFrom(value: string): void {
    const [column = '', order] = value.split(':');
    this.sort.set({ column, descending: order === 'desc' });
  }

  protected sortValue(): string {
    const current = this.sort() ?? { column: this.columns()[0]?.id ?? '', descending: false };
    return `${current.column}${current.descending ? ':desc' : ''}`;
  }

  protected sortBy(column: TableColumn<T>): void {
    const current = this.sort() ?? { column: this.columns()[0]?.id ?? '', descending: false };
    this.sort.set({ column: column.id, descending: current.column === column.id ? !current.descending : false });
  }

  protected ariaSort(column: TableColumn<T>): 'ascending' | 'descending' | 'none' {
    const current = this.sort() ?? { column: this.columns()[0]?.id, descending: false };
    return current.column !== column.id ? 'none' : current.descending ? 'descending' : 'ascending';
  }

  protected isShown(column: TableColumn<T>): boolean {
    return isShown(column, this.choices());
  }

  protected toggle(column: TableColumn<T>, shown: boolean): void {
    const choices = { ...this.choices() };
    if (shown === !column.hidden) delete choices[column.id];
    else choices[column.id] = shown;
    this.choices.set(choices);
    this.choice().write(choices);
  }

  private readonly columnsMenu = viewChild<ElementRef<HTMLElement>>('columnsMenu');

  protected closeChoiceOutside(event: Event): void {
    const menu = this.columnsMenu()?.nativeElement;
    if (this.choosing() && menu && !menu.contains(event.target as Node)) this.choosing.set(false);
  }

  protected resetColumns(): void {
    this.choices.set({});
    this.choice().write({});
  }
}
