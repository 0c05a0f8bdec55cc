/** A line of a stream went past the bound (CAIRN_MAX_LINE_BYTES). */
export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a line of the API server's stream is longer than ${limit} bytes, the bound on one watch event or log line (CAIRN_MAX_LINE_BYTES)`);
  }
}

/** Lines are bounded unless the caller says otherwise: 4 MiB, the gateway's default. */
export const DEFAULT_MAX_LINE = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

interface LineOptions {
  /** Give blank lines too (a log's empty lines are part of it); skipped by default. */
  keepEmpty?: boolean;
  /** Bytes one line may hold (without its newline); more throws LineTooLongError. Default DEFAULT_MAX_LINE. */
  maxLine?: number;
  /** Drop a last line that has no newline (a watch event cut off, read again on resuming). */
  dropUnterminated?: boolean;
}

/** Whether a line holds nothing but spaces, tabs and carriage returns (JSON's whitespace, bar the newline). */
function blank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  }
  return true;
}

/**
 * The lines of a streamed body as bytes, as they arrive, without the newline: no decoding, no
 * copy of a line that lies within one chunk (it is a view of that chunk, valid as long as the
 * caller keeps it; a caller that keeps a line longer than the chunk copies it). A line spread
 * over chunks is joined into one Buffer. A newline byte (0x0A) never occurs inside a UTF-8
 * multi-byte character, so every line is whole UTF-8 when the body is.
 *
 * `maxLine` bounds the bytes held while waiting for a newline: past it, LineTooLongError, and
 * the rest of the stream is not read, so an endless line costs at most `maxLine` of memory.
 * Blank lines (only spaces, tabs, carriage returns) are skipped unless `keepEmpty`; a last line
 * without a newline is given at the end unless `dropUnterminated`. Chunks may be Buffers or
 * strings (encoded as UTF-8).
 */
export async function* byteLines(stream: AsyncIterable<unknown>, options: LineOptions = {}): AsyncGenerator<Buffer> {
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const wanted = (line: Buffer) => options.keepEmpty || !blank(line);
  /** The start of a line whose newline has not come yet, in the chunks it arrived in. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const received of stream) {
    const chunk = typeof received === 'string' ? Buffer.from(received, 'utf8') : (received as Buffer);
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf(NEWLINE, from)) >= 0) {
      let line = chunk.subarray(from, nl);
      if (pendingBytes > 0) {
        line = Buffer.concat([...pending, line], pendingBytes + line.length);
        pending = [];
        pendingBytes = 0;
      }
      from = nl + 1;
      if (line.length > maxLine) throw new LineTooLongError(maxLine);
      if (wanted(line)) yield line;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      pending.push(rest);
      pendingBytes += rest.length;
      if (pendingBytes > maxLine) throw new LineTooLongError(maxLine);
    }
  }
  if (pendingBytes > 0 && !options.dropUnterminated) {
    const last = Buffer.concat(pending, pendingBytes);
    if (wanted(last)) yield last;
  }
}

/**
 * The lines of a streamed body (a watch's JSON events, a log) as text, as they arrive, without
 * the newline: `byteLines`, each line decoded as UTF-8 (a character whose bytes arrive in two
 * chunks is one character, not two U+FFFD). Blank lines (whitespace only) are skipped unless
 * `keepEmpty`; `maxLine` (bytes) and `dropUnterminated` as in `byteLines`.
 */
export async function* lines(stream: AsyncIterable<unknown>, options: LineOptions = {}): AsyncGenerator<string> {
  for await (const bytes of byteLines(stream, { ...options, keepEmpty: true })) {
    const line = bytes.toString('utf8');
    if (options.keepEmpty || line.trim() !== '') yield line;
  }
}
