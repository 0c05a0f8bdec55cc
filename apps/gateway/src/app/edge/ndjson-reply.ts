import type { FastifyReply } from 'fastify';

/** An NDJSON answer being streamed: one JSON value a line, as the work goes. */
export interface NdjsonReply {
  /** Sends one line; nothing once the connection is gone. */
  write(value: unknown): void;
  /** Aborted when the caller goes away before the answer ends (closed the tab, pressed Stop, asked something else). */
  signal: AbortSignal;
  end(): void;
}

/**
 * Takes over `reply` for a streamed NDJSON answer (a drain's progress, a search's results): 200,
 * `application/x-ndjson`, no caching, no proxy buffering; the returned signal aborts when the
 * response closes before it was finished.
 */
export function ndjsonReply(reply: FastifyReply): NdjsonReply {
  const abort = new AbortController();
  reply.hijack();
  const res = reply.raw;
  // The response's close, not the request's: a request closes once its body is read.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  return {
    write: (value) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(value)}\n`);
    },
    signal: abort.signal,
    end: () => res.end(),
  };
}
