/**
 * The lines a view keeps: the newest `capacity`, so a chatty pod costs the tab a fixed amount
 * of memory however long it runs. Every change makes a new array, so a signal holding
 * `items` changes with it; arrivals come in batches (one per animation frame), so the copy
 * is paid once a frame, not once a line.
 */
export class LogBuffer<T> {
  private lines: readonly T[] = [];
  private droppedCount = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get items(): readonly T[] {
    return this.lines;
  }

  get length(): number {
    return this.lines.length;
  }

  /** Lines pushed out (or never let in) since the last clear. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Adds a batch; the oldest lines go when it is full. Returns how many were dropped. */
  push(batch: readonly T[]): number {
    if (batch.length === 0) return 0;
    const overflow = Math.max(0, this.lines.length + batch.length - this.capacity);
    if (overflow === 0) {
      this.lines = this.lines.concat(batch);
    } else if (batch.length >= this.capacity) {
      this.lines = batch.slice(batch.length - this.capacity);
    } else {
      this.lines = this.lines.slice(overflow).concat(batch);
    }
    this.droppedCount += overflow;
    return overflow;
  }

  /** Counts lines that were thrown away before reaching the buffer (e.g. a backlog trimmed while the tab was hidden). */
  countDropped(n: number): void {
    this.droppedCount += n;
  }

  /** Takes back the newest lines after the first `length`, to put them again in another order (not counted as dropped). */
  truncate(length: number): T[] {
    const taken = this.lines.slice(length);
    if (taken.length > 0) this.lines = this.lines.slice(0, length);
    return taken;
  }

  clear(): void {
    this.lines = [];
    this.droppedCount = 0;
  }
}
