/**
 * The `Server-Timing` header a list answers with (W3C Server Timing): `upstream;dur=<ms>`, the
 * milliseconds from the request's arrival at the gateway until the API server's response
 * headers (the caller's session, the request budget, the API server's own time to answer).
 * What a page takes beyond it is its body on the way through. Written by the gateway, read by
 * the footprint benchmark and shown by browsers' devtools.
 */
export function upstreamTiming(elapsedMs: number): string {
  return `upstream;desc="until the API server answered";dur=${elapsedMs.toFixed(1)}`;
}

/** The `upstream` duration (ms) of a `Server-Timing` header; NaN when it has none. */
export function readUpstreamTiming(header: string | null | undefined): number {
  return Number(/(?:^|,)\s*upstream;[^,]*dur=([0-9.]+)/.exec(header ?? '')?.[1] ?? NaN);
}
