/**
 * Preloaded into a console under benchmark 3 (`node --require <this file>`, never in the
 * product): every 250 ms appends `process.memoryUsage()` (bytes: rss, heapTotal, heapUsed,
 * external, arrayBuffers) and the garbage collector's time since the last sample (ms, from
 * `gc` performance entries) as one JSON line to the file named by CAIRN_BENCH_MEMORY_FILE, so
 * the report can say what held the peak: V8's heap, or memory outside it (Buffers, sockets).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

const file = process.env['CAIRN_BENCH_MEMORY_FILE'];
if (file) {
  mkdirSync(dirname(file), { recursive: true });
  let gcMs = 0;
  let gcCount = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    try {
      appendFileSync(file, `${JSON.stringify({ at: Date.now(), ...process.memoryUsage(), gcMs, gcCount })}\n`);
    } catch {
      // a full disk must not end the console under measurement; the report says when samples are missing
    }
    gcMs = 0;
    gcCount = 0;
  }, 250).unref();
}
