import { StringDecoder } from 'node:string_decoder';

/** A line of a stream went past the bound (CAIRN_MAX_LINE_BYTES). */
export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a line of the API server's stream is longer than ${limit} bytes, the bound on one watch event or log line (CAIRN_MAX_LINE_BYTES)`);
  }
}

/** Lines are bounded unless the caller says otherwise: 4 MiB, the gateway's default. */
export const DEFAULT_MAX_LINE = 4 * 1024 * 1024;

/**
 * The lines of a streamed body (a watch's JSON events, a log), as they arrive, without the
 * newline. Bytes are decoded as UTF-8 across chunk boundaries: a character whose bytes arrive
 * in two chunks is one character, not two U+FFFD. Blank lines are skipped unless `keepEmpty`
 * (a log's empty lines are part of it); a last line without a newline is given at the end,
 * unless `dropUnterminated` (a watch: the API server ends every event with a newline, so a
 * last line without one was cut off, and the watch resumes from the event before it).
 *
 * `maxLine` bounds what is held while waiting for a newline: a line longer than that many
 * characters (each at least one UTF-8 byte) throws LineTooLongError and the rest of the
 * stream is not read, so an endless line costs at most `maxLine` of memory.
 */
export async function* lines(stream: AsyncIterable<unknown>, options: { keepEmpty?: boolean; maxLine?: number; dropUnterminated?: boolean } = {}): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const wanted = (line: string) => options.keepEmpty || line.trim() !== '';
  let rest = '';
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    // Only the new text can hold a newline: no rescanning of a long partial line.
    let from = rest.length;
    rest += text;
    let nl: number;
    while ((nl = rest.indexOf('\n', from)) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      from = 0;
      if (line.length > maxLine) throw new LineTooLongError(maxLine);
      if (wanted(line)) yield line;
    }
    if (rest.length > maxLine) throw new LineTooLongError(maxLine);
  }
  rest += decoder.end();
  if (rest.length > maxLine) throw new LineTooLongError(maxLine);
  if (rest !== '' && wanted(rest) && !options.dropUnterminated) yield rest;
}
