import { afterNextRender, afterRenderEffect, ChangeDetectionStrategy, Component, computed, DestroyRef, effect, ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import { LogLine, shortSource } from '../log-lines/log-line';
import { fieldText } from '@cairn/kube-model';
import { MarkedSegment, markSegments, SearchMatch } from '../log-lines/log-search';
import { colourer } from '../log-lines/structured-view';

/** Height of one unwrapped line, in pixels (the stylesheet sets the same). */
export const ROW_HEIGHT = 20;
/** Rendered beyond the visible area, above and below, so fast scrolling shows no gaps. */
const OVERSCAN_PX = 600;
/** Until the element has a size (and in tests): render as if it were this tall. */
const FALLBACK_HEIGHT = 600;

interface Row {
  readonly line: LogLine;
  readonly time: string;
  readonly segments: readonly MarkedSegment[];
  /** Colour class from the colour-by key ('' for none). */
  readonly tint: string;
  /** Columns mode, a JSON/logfmt line: its level, the chosen fields, and its message instead of the raw text. */
  readonly columns?: { level: string; cells: Array<{ name: string; text: string }>; message?: string; hit: boolean };
}

/**
 * The log lines, windowed: only the lines in view (and a screen's worth around them) are in
 * the DOM, so 10 000 lines cost what 100 do. Unwrapped lines have one height; wrapped lines
 * are estimated from their length and the width, then measured once rendered. The view
 * sticks to the newest line until the user scrolls up; then it keeps the line they are
 * reading in place even as old lines leave the buffer.
 */
@Component({
  selector: 'cairn-log-viewport',
  templateUrl: './log-viewport.html',
  styleUrl: './log-viewport.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.wrap]': 'wrap()' },
})
export class LogViewport {
  readonly lines = input.required<readonly LogLine[]>();
  readonly wrap = input(false);
  readonly timestamps = input(false);
  /** Show each line's pod/container (merged sources). */
  readonly sources = input(false);
  /** Show sources short (`…x2k4q/web`): on a phone, where the whole pod name would take the line. */
  readonly shortSources = input(false);
  protected readonly shortSource = shortSource;
  readonly matches = input<readonly SearchMatch[]>([]);
  /** Index into `matches` of the match next/previous moved to, or -1. */
  readonly current = input(-1);
  readonly label = input('Log lines');
  /** Show JSON/logfmt lines as level, `columns` and message (plain lines keep their text). */
  readonly asColumns = input(false);
  /** Field names shown as columns, in this order. */
  readonly columns = input<readonly string[]>([]);
  /** Colour each line by this key's value (see `colourer`); '' for none. */
  readonly colourBy = input('');
  private readonly tint = computed(() => colourer(this.colourBy()));

  private readonly scroller = viewChild.required<ElementRef<HTMLElement>>('scroller');
  private readonly probe = viewChild.required<ElementRef<HTMLElement>>('probe');
  private readonly height = signal(0);
  private readonly width = signal(0);
  private readonly charWidth = signal(7.5);
  /** Measured heights of wrapped lines, by line id. */
  private readonly measured = new Map<number, number>();
  private readonly measuredVersion = signal(0);
  /** The line the user scrolled to and how far into it; `null`: stick to the newest line. */
  private readonly anchor = signal<{ id: number; delta: number } | null>(null);

  /** Whether the view follows the newest line (false once the user scrolled up). */
  readonly atEnd = computed(() => this.anchor() === null);

  private readonly layout = computed(() => {
    const lines = this.lines();
    this.measuredVersion();
    const offsets = new Float64Array(lines.length + 1);
    if (!this.wrap()) {
      for (let i = 0; i < lines.length; i++) offsets[i + 1] = offsets[i] + ROW_HEIGHT;
      return { lines, offsets };
    }
    // Wrapped: how many characters fit a row decides the estimate for a line not yet measured.
    const perRow = Math.max(20, Math.floor((this.width() - 16) / this.charWidth()) || 100);
    const prefix = (this.timestamps() ? 24 : 0);
    const sources = this.sources();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const known = this.measured.get(line.id);
      const chars = prefix + (sources && line.source ? (this.shortSources() ? shortSource(line.source) : line.source).length + 1 : 0) + line.text.length;
      offsets[i + 1] = offsets[i] + (known ?? ROW_HEIGHT * Math.max(1, Math.ceil(chars / perRow)));
    }
    return { lines, offsets };
  });

  protected readonly total = computed(() => {
    const { offsets } = this.layout();
    return offsets[offsets.length - 1];
  });

  private readonly viewHeight = computed(() => this.height() || FALLBACK_HEIGHT);

  /** The scroll position the view should have. */
  private readonly viewTop = computed(() => {
    const { lines, offsets } = this.layout();
    const max = Math.max(0, this.total() - this.viewHeight());
    const anchor = this.anchor();
    if (!anchor) return max;
    const i = indexOfId(lines, anchor.id);
    return Math.min(max, Math.max(0, offsets[i] + (lines[i]?.id === anchor.id ? anchor.delta : 0)));
  });

  private readonly window = computed(() => {
    const { offsets, lines } = this.layout();
    const top = this.viewTop();
    const start = lineAt(offsets, top - OVERSCAN_PX);
    const end = Math.min(lines.length, lineAt(offsets, top + this.viewHeight() + OVERSCAN_PX) + 1);
    return { start, end, top: offsets[start] };
  });

  protected readonly offsetTop = computed(() => this.window().top);

  private readonly matchesByLine = computed(() => {
    const byLine = new Map<number, Array<{ start: number; end: number; current: boolean }>>();
    const current = this.matches()[this.current()];
    for (const m of this.matches()) {
      const ranges = byLine.get(m.lineId) ?? [];
      ranges.push({ start: m.start, end: m.end, current: m === current });
      byLine.set(m.lineId, ranges);
    }
    return byLine;
  });

  protected readonly rows = computed<Row[]>(() => {
    const { start, end } = this.window();
    const lines = this.lines();
    const marks = this.matchesByLine();
    const tint = this.tint();
    const asColumns = this.asColumns();
    const names = this.columns();
    const rows: Row[] = [];
    for (let i = start; i < end; i++) {
      const line = lines[i];
      const ranges = marks.get(line.id);
      const structured = line.structured;
      const columns = asColumns && line.kind === 'log'
        ? {
            level: structured?.severity ?? '',
            cells: names.map((name) => ({ name, text: fieldText(structured?.fields[name]) })),
            message: structured?.format ? structured.message ?? line.text : undefined,
            hit: !!ranges,
          }
        : undefined;
      rows.push({ line, time: shortTime(line.timestamp), segments: ranges ? markSegments(line.segments, ranges) : line.segments, tint: tint(line), columns });
    }
    return rows;
  });

  constructor() {
    // What an estimate depends on changed: every measurement is stale.
    effect(() => {
      this.wrap();
      this.width();
      this.timestamps();
      this.sources();
      untracked(() => {
        this.measured.clear();
        this.measuredVersion.update((v) => v + 1);
      });
    });

    afterRenderEffect({
      read: () => {
        // Only when the window or the lines changed: measure what was drawn.
        this.rows();
        if (!this.wrap()) return;
        const lines = this.scroller().nativeElement.querySelectorAll<HTMLElement>('.line');
        let changed = false;
        for (const el of Array.from(lines)) {
          const id = Number(el.dataset['id']);
          const h = el.offsetHeight;
          if (h > 0 && this.measured.get(id) !== h) {
            this.measured.set(id, h);
            changed = true;
          }
        }
        if (this.measured.size > 4 * Math.max(1000, this.lines().length)) this.forgetDropped();
        if (changed) this.measuredVersion.update((v) => v + 1);
      },
    });
    afterRenderEffect({
      write: () => {
        const top = this.viewTop();
        this.total();
        const el = this.scroller().nativeElement;
        if (Math.abs(el.scrollTop - top) >= 1) el.scrollTop = top;
      },
    });

    // The element's size decides how many lines are drawn and, wrapped, how they wrap.
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => this.measureBox());
    afterNextRender({
      read: () => {
        this.measureBox();
        observer?.observe(this.scroller().nativeElement);
      },
    });
    inject(DestroyRef).onDestroy(() => observer?.disconnect());
  }

  /** Brings line `index` of `lines` into view, a third from the top. */
  scrollToIndex(index: number): void {
    const line = this.lines()[index];
    if (line) this.anchor.set({ id: line.id, delta: -Math.floor(this.viewHeight() / 3) });
  }

  /** Back to the newest line, following what arrives. */
  scrollToEnd(): void {
    this.anchor.set(null);
  }

  protected onScroll(): void {
    const el = this.scroller().nativeElement;
    const top = el.scrollTop;
    if (Math.abs(top - this.viewTop()) < 1) return; // the view's own move
    const { lines, offsets } = this.layout();
    if (top + el.clientHeight >= this.total() - 2) {
      this.anchor.set(null);
      return;
    }
    const i = lineAt(offsets, top);
    const line = lines[i];
    this.anchor.set(line ? { id: line.id, delta: top - offsets[i] } : null);
  }

  private measureBox(): void {
    const el = this.scroller().nativeElement;
    this.height.set(el.clientHeight);
    this.width.set(el.clientWidth);
    const probe = this.probe().nativeElement.getBoundingClientRect().width / 10;
    if (probe > 0) this.charWidth.set(probe);
  }

  private forgetDropped(): void {
    const first = this.lines()[0]?.id ?? Infinity;
    for (const id of this.measured.keys()) if (id < first) this.measured.delete(id);
  }
}

/** Index of the line that covers `y` (offsets are the lines' tops, ascending). */
function lineAt(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0 || y <= 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index of the line with `id`, or of the first line after it (ids ascend). */
function indexOfId(lines: readonly LogLine[], id: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, Math.max(0, lines.length - 1));
}

/** `2024-05-01T12:00:01.123456789Z` → `2024-05-01 12:00:01.123`. */
function shortTime(ts: string | undefined): string {
  if (!ts) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?/.exec(ts);
  return m ? `${m[1]} ${m[2]}${(m[3] ?? '.').padEnd(4, '0')}` : ts;
}
