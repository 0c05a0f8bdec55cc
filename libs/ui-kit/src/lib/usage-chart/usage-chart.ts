import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** One point: when (ms since the epoch) and the value. */
export interface ChartPoint {
  at: number;
  value: number;
}

const WIDTH = 300;
const HEIGHT = 64;

/**
 * A small line chart of one quantity over the last minutes (a pod's or node's CPU or memory):
 * the newest value and its unit as text beside it, the line scaled from zero to the largest
 * value shown, a dot per point. With fewer than two points it says it is waiting for the next
 * sample instead of drawing a line. Purely presentational: the points come from the page.
 */
@Component({
  selector: 'cairn-usage-chart',
  template: `
    <figure>
      <figcaption><span class="label">{{ label() }}</span> <strong class="value">{{ latest() }}</strong></figcaption>
      <svg [attr.viewBox]="'0 0 ' + width + ' ' + height" preserveAspectRatio="none" role="img" [attr.aria-label]="description()">
        <line class="axis" x1="0" [attr.y1]="height - 1" [attr.x2]="width" [attr.y2]="height - 1" />
        @if (path(); as d) { <path class="line" [attr.d]="d" /> }
        @for (p of dots(); track p.x) { <circle class="dot" [attr.cx]="p.x" [attr.cy]="p.y" r="2.5" /> }
      </svg>
      <p class="range">{{ range() }}</p>
    </figure>
  `,
  styles: `
    :host { display: block; min-width: 0; }
    figure { margin: 0; padding: 0.5rem 0.75rem; border: 1px solid var(--cairn-border); border-radius: 6px; background: var(--cairn-surface); }
    figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem; }
    .label { color: var(--cairn-muted); font-size: 0.85rem; }
    .value { font-variant-numeric: tabular-nums; }
    svg { display: block; width: 100%; height: 4rem; margin: 0.25rem 0; overflow: visible; }
    .axis { stroke: var(--cairn-border); stroke-width: 1; vector-effect: non-scaling-stroke; }
    .line { fill: none; stroke: var(--cairn-accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
    .dot { fill: var(--cairn-accent); }
    .range { margin: 0; color: var(--cairn-muted); font-size: 0.8rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsageChart {
  /** What is measured, e.g. "CPU". */
  readonly label = input.required<string>();
  /** Unit appended to values, e.g. "m" (millicores) or "Mi". */
  readonly unit = input.required<string>();
  readonly points = input.required<readonly ChartPoint[]>();
  protected readonly width = WIDTH;
  protected readonly height = HEIGHT;

  private readonly scaled = computed(() => {
    const points = this.points();
    if (points.length === 0) return [];
    const first = points[0]?.at ?? 0;
    const span = Math.max((points.at(-1)?.at ?? first) - first, 1);
    // Headroom above the highest value, so a steady line is not drawn on the top edge.
    const top = Math.max(...points.map((p) => p.value), 1) * 1.25;
    return points.map((p) => ({ x: points.length === 1 ? WIDTH / 2 : ((p.at - first) / span) * WIDTH, y: HEIGHT - 2 - (p.value / top) * (HEIGHT - 6) }));
  });
  protected readonly dots = computed(() => this.scaled());
  protected readonly path = computed(() => {
    const s = this.scaled();
    return s.length < 2 ? '' : s.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  });
  protected readonly latest = computed(() => {
    const last = this.points().at(-1);
    return last ? `${last.value}${this.unit()}` : '–';
  });
  protected readonly range = computed(() => {
    const points = this.points();
    if (points.length < 2) return 'Waiting for the next sample to draw a line.';
    const values = points.map((p) => p.value);
    const seconds = Math.round(((points.at(-1)?.at ?? 0) - (points[0]?.at ?? 0)) / 1000);
    const span = seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} minutes`;
    return `${points.length} samples over ${span}; low ${Math.min(...values)}${this.unit()}, high ${Math.max(...values)}${this.unit()}`;
  });
  protected readonly description = computed(() => `${this.label()} over the last minutes: ${this.range()}`);
}
