import type { Segment } from './ansi';

/** A match of the search: where it is in which line (by the line's id, which survives the buffer moving). */
export interface SearchMatch {
  readonly lineId: number;
  /** Index of the line in the array searched. */
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

export interface SearchResult {
  readonly matches: readonly SearchMatch[];
  /** More matches exist than `limit`: the count shown is "at least". */
  readonly truncated: boolean;
}

export interface SearchOptions {
  matchCase?: boolean;
  /** At most this many matches are collected (default 10 000). */
  limit?: number;
}

const NO_MATCHES: SearchResult = { matches: [], truncated: false };

/** Every occurrence of `query` (plain text, not a pattern) in the lines' text, in order. */
export function findMatches(lines: readonly { id: number; text: string }[], query: string, options: SearchOptions = {}): SearchResult {
  if (!query) return NO_MATCHES;
  const limit = options.limit ?? 10_000;
  const needle = options.matchCase ? query : query.toLowerCase();
  const matches: SearchMatch[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const hay = options.matchCase ? line.text : line.text.toLowerCase();
    // Lower-casing can change a string's length (e.g. 'İ'); then offsets would point at the wrong characters.
    if (hay.length !== line.text.length) continue;
    for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) {
      if (matches.length === limit) return { matches, truncated: true };
      matches.push({ lineId: line.id, index, start: at, end: at + needle.length });
    }
  }
  return { matches, truncated: false };
}

/** The match to show after `current` (or before it, with `step` -1), wrapping around. */
export function stepMatch(matches: readonly SearchMatch[], current: number, step: 1 | -1): number {
  if (matches.length === 0) return -1;
  if (current < 0) return step === 1 ? 0 : matches.length - 1;
  return (current + step + matches.length) % matches.length;
}

/**
 * Where `current` went after the lines changed: the same match (same line id and offset)
 * when it is still there, else the first match after it, else -1.
 */
export function relocateMatch(matches: readonly SearchMatch[], previous: SearchMatch | undefined): number {
  if (!previous || matches.length === 0) return -1;
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = matches[mid];
    if (m.lineId < previous.lineId || (m.lineId === previous.lineId && m.start < previous.start)) lo = mid + 1;
    else hi = mid;
  }
  return lo < matches.length ? lo : matches.length - 1;
}

/** A run of a line as rendered: a segment, possibly cut at match boundaries. */
export interface MarkedSegment extends Segment {
  /** `match` for a search hit, `current` for the one next/previous moved to. */
  readonly mark?: 'match' | 'current';
}

/**
 * Cuts a line's styled segments where search matches start and end, so the template can
 * wrap the matched text in `<mark>` while keeping the colours.
 */
export function markSegments(segments: readonly Segment[], ranges: readonly { start: number; end: number; current?: boolean }[]): MarkedSegment[] {
  if (ranges.length === 0) return segments as MarkedSegment[];
  const out: MarkedSegment[] = [];
  let offset = 0;
  let r = 0;
  for (const segment of segments) {
    const segStart = offset;
    const segEnd = offset + segment.text.length;
    let at = segStart;
    while (at < segEnd) {
      while (r < ranges.length && ranges[r].end <= at) r++;
      const range = ranges[r];
      if (!range || range.start >= segEnd) {
        out.push(piece(segment, at - segStart, segEnd - segStart));
        break;
      }
      if (range.start > at) {
        out.push(piece(segment, at - segStart, range.start - segStart));
        at = range.start;
      }
      const until = Math.min(range.end, segEnd);
      out.push({ ...piece(segment, at - segStart, until - segStart), mark: range.current ? 'current' : 'match' });
      at = until;
    }
    offset = segEnd;
  }
  return out;
}

function piece(segment: Segment, from: number, to: number): MarkedSegment {
  return from === 0 && to === segment.text.length ? segment : { ...segment, text: segment.text.slice(from, to) };
}

/** Whether a line's text contains `query` (plain text), as `findMatches` would find it: for "only matching lines". */
export function lineMatches(line: { text: string }, query: string, matchCase = false): boolean {
  if (!query) return true;
  return matchCase ? line.text.includes(query) : line.text.toLowerCase().includes(query.toLowerCase());
}
