import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a streamed body (a watch's JSON events, a log), as they arrive, without the
 * newline. Bytes are decoded as UTF-8 across chunk boundaries: a character whose bytes arrive
 * in two chunks is one character, not two U+FFFD. Blank lines are skipped unless `keepEmpty`
 * (a log's empty lines are part of it); a last line without a newline is given at the end.
 */
export async function* lines(stream: AsyncIterable<unknown>, options: { keepEmpty?: boolean } = {}): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const wanted = (line: string) => options.keepEmpty || line.trim() !== '';
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (wanted(line)) yield line;
    }
  }
  rest += decoder.end();
  if (rest !== '' && wanted(rest)) yield rest;
}
