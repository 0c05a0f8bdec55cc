/**
 * A Kubernetes list (`{"kind":…,"metadata":{…},"items":[…]}`) read as it arrives: each item is
 * parsed on its own once its text is complete and handed over at once, and the work stops to
 * let the page run every SLICE_MS. Benchmark 4 (10 000 pods, about 18 MB of JSON) is why: one
 * `res.json()` waited for the last byte before the first row could show, then parsed it all in
 * one task of 260-490 ms, over the 200 ms a task may take.
 */

/** The list without its items: kind, apiVersion and metadata (resourceVersion, continue). */
export interface ListEnvelope {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  [key: string]: unknown;
}

/** Work done without letting the page run, at most (a long task is 50 ms; the target, 200). */
const SLICE_MS = 40;
/** Characters scanned between two looks at the clock. */
const STEP = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Lets the page run (input, rendering) before the next slice of work. */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Splits a list's JSON text, given in pieces of any size, into its items' texts. Relies only on
 * JSON's grammar and on the list's one top-level array being `items`; strings (escapes
 * included) may be cut anywhere between pieces.
 */
export class ListTextSplitter {
  private phase: 'head' | 'items' | 'tail' = 'head';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The text outside `items`: parsed at the end as the envelope (`"items":[` + `]…`). */
  private outside = '';
  /** The start of the item being read, carried over from earlier pieces. */
  private partial = '';

  /** Feeds one piece; returns the items completed in it, as text. */
  push(piece: string): string[] {
    const done: string[] = [];
    let itemFrom = this.partial ? 0 : -1;
    let outsideFrom = this.phase === 'items' ? -1 : 0;
    const n = piece.length;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        i = this.endOfString(piece, i);
        continue;
      }
      const c = piece.charCodeAt(i);
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (this.phase === 'head' && this.depth === 1 && c === OPEN_BRACKET && /"items"\s*:\s*$/.test(this.outside + piece.slice(outsideFrom, i))) {
          this.outside += piece.slice(outsideFrom, i + 1);
          outsideFrom = -1;
          this.phase = 'items';
        } else if (this.phase === 'items' && this.depth === 2) {
          itemFrom = i;
        }
        this.depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.phase === 'items' && this.depth === 2 && itemFrom >= 0) {
          done.push(this.partial + piece.slice(itemFrom, i + 1));
          this.partial = '';
          itemFrom = -1;
        } else if (this.phase === 'items' && this.depth === 1) {
          this.phase = 'tail';
          outsideFrom = i;
        }
      }
    }
    if (itemFrom >= 0) this.partial += piece.slice(itemFrom);
    if (outsideFrom >= 0) this.outside += piece.slice(outsideFrom);
    return done;
  }

  /**
   * Inside a string from `from`: the index of its closing quote (the string has ended), or the
   * piece's last index (it goes on in the next piece). Strings are most of a list's text, so
   * they are skipped with indexOf, not read a character at a time.
   */
  private endOfString(piece: string, from: number): number {
    let i = from;
    if (this.escaped) {
      // The last piece ended on a backslash: this character is escaped.
      this.escaped = false;
      i++;
    }
    for (;;) {
      const quote = piece.indexOf('"', i);
      const end = quote < 0 ? piece.length : quote;
      let backslashes = 0;
      while (end - backslashes - 1 >= i && piece.charCodeAt(end - backslashes - 1) === BACKSLASH) backslashes++;
      if (quote < 0) {
        this.escaped = backslashes % 2 === 1;
        return piece.length - 1;
      }
      if (backslashes % 2 === 0) {
        this.inString = false;
        return quote;
      }
      i = quote + 1;
    }
  }

  /** The list without its items, once the whole text has been pushed. */
  envelope(): ListEnvelope {
    if (this.depth !== 0 || this.inString) throw new SyntaxError('The list ended before its items did.');
    return JSON.parse(this.outside) as ListEnvelope;
  }
}

/**
 * Reads a list from a response body: `onItems` gets the items as they are parsed (in order,
 * several at a time); resolves with the envelope once the body has ended.
 */
export async function readListStream<T>(body: ReadableStream<Uint8Array>, onItems: (items: T[]) => void): Promise<ListEnvelope> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const splitter = new ListTextSplitter();
  let sliceStart = performance.now();
  const feed = async (text: string): Promise<void> => {
    for (let from = 0; from < text.length; from += STEP) {
      const items = splitter.push(text.slice(from, from + STEP)).map((item) => JSON.parse(item) as T);
      if (items.length) onItems(items);
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToPage();
        sliceStart = performance.now();
      }
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await feed(decoder.decode(value, { stream: true }));
    }
    await feed(decoder.decode());
  } finally {
    reader.releaseLock();
  }
  const envelope = splitter.envelope();
  // No items array to split (`"items": null`, or not a list at all): whatever it holds, whole.
  if (Array.isArray(envelope['items']) && envelope['items'].length) onItems(envelope['items'] as T[]);
  return envelope;
}
