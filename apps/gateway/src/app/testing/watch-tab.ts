import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';

/** One server-sent event of the gateway's watch stream, as a browser tab receives it. */
export interface TabFrame {
  event: string;
  data: {
    id?: string;
    type?: string;
    object?: { kind?: string; metadata: { name: string; resourceVersion?: string }; data?: Record<string, unknown> };
    items?: Array<{ metadata: { name: string } }>;
    status?: number;
    message?: string;
    resourceVersion?: string;
  };
}

/**
 * A browser tab's side of `GET /api/v1/watch`, read over a real socket: collects the frames
 * (and the `: ping` comments) as they arrive. `pause()` stops reading, as a tab that cannot keep
 * up does: the socket's buffers fill and the gateway's writes queue behind them.
 */
export interface WatchTab {
  frames: TabFrame[];
  /** Comment lines (`: ping`) seen so far. */
  comments: string[];
  status(): number;
  /** Resolves when the gateway has ended the stream (or the socket closed). */
  ended: Promise<void>;
  isEnded(): boolean;
  waitFor(what: string, predicate: (f: TabFrame) => boolean, timeoutMs?: number): Promise<TabFrame>;
  pause(): void;
  resume(): void;
  close(): void;
}

export function openWatchTab(base: string, subscriptions: unknown[], headers: Record<string, string>): WatchTab {
  const frames: TabFrame[] = [];
  const comments: string[] = [];
  let status = 0;
  let ended = false;
  let response: IncomingMessage | undefined;
  let pauseWanted = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  let markEnded!: () => void;
  const endedPromise = new Promise<void>((r) => (markEnded = r));
  const end = () => {
    ended = true;
    markEnded();
    wake();
  };
  const req = request(`${base}/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    response = res;
    status = res.statusCode ?? 0;
    if (pauseWanted) res.pause();
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        for (const line of block.split('\n')) if (line.startsWith(':')) comments.push(line);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) });
      }
      wake();
    });
    res.on('end', end);
    res.on('close', end);
    wake();
  });
  req.on('error', end);
  req.end();

  return {
    frames,
    comments,
    status: () => status,
    ended: endedPromise,
    isEnded: () => ended,
    async waitFor(what, predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = frames.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${what} in ${JSON.stringify(frames.map((f) => [f.event, f.data.id, f.data.type, f.data.status, f.data.object?.metadata.name, f.data.message]))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, 200);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    pause() {
      pauseWanted = true;
      response?.pause();
    },
    resume() {
      pauseWanted = false;
      response?.resume();
    },
    close: () => req.destroy(),
  };
}

/** Waits until `check()` holds, failing with `describe()` of the last state seen. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, describe: () => unknown, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(describe())})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
