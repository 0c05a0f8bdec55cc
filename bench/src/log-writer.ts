import { appendFileSync } from 'node:fs';

/**
 * Appends CRI-format lines (what kwok serves through pods/log) to a container's log file at a
 * steady rate, in 50 ms batches. Each line carries its sequence number, so a reader can tell
 * how far behind the writer it is.
 */
export class LogWriter {
  seq = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly file: string) {}

  start(linesPerSecond: number): this {
    this.stop();
    const started = performance.now();
    const base = this.seq;
    this.timer = setInterval(() => {
      const due = base + Math.floor(((performance.now() - started) / 1000) * linesPerSecond);
      if (due <= this.seq) return;
      let text = '';
      const stamp = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
      while (this.seq < due) {
        const n = ++this.seq;
        text += `${stamp} stdout F seq=${n} level=${n % 50 === 0 ? 'warn' : 'info'} msg="request served" path=/v1/items/${n % 997} status=${n % 37 === 0 ? 503 : 200} ms=${n % 250}\n`;
      }
      appendFileSync(this.file, text);
    }, 50);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
