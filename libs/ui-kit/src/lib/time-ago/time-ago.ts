import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, input, signal } from '@angular/core';
import { age } from '@cairn/data-access';

/**
 * One clock for the whole tab, ticking every 10 s while something shows an age, so "5m"
 * becomes "6m" without every row keeping a timer of its own.
 */
const now = signal(Date.now());
let watchers = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function watchClock(): () => void {
  if (watchers++ === 0) timer = setInterval(() => now.set(Date.now()), 10_000);
  return () => {
    if (--watchers === 0) clearInterval(timer);
  };
}

/** How long ago something happened, as kubectl says it ("42s", "5m", "3h", "12d"), with the exact time on hover. */
@Component({
  selector: 'cairn-age',
  template: `@if (since()) {<time [attr.datetime]="since()" [attr.title]="exact()">{{ text() }}</time>}`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TimeAgo {
  /** An RFC 3339 timestamp, as the API server writes them. Nothing is shown without one. */
  readonly since = input<string | undefined>();
  /**
   * Read at the time of drawing, with the tab's clock as the tick that redraws it: the clock may
   * be up to 10 s old, and an object created since would otherwise be "in the future", which
   * kubectl prints as "<invalid>" (kept for real clock skew).
   */
  protected readonly text = computed(() => {
    now();
    return age(this.since(), Date.now());
  });
  protected readonly exact = computed(() => {
    const since = this.since();
    return since ? new Date(since).toLocaleString() : '';
  });

  constructor() {
    inject(DestroyRef).onDestroy(watchClock());
  }
}
