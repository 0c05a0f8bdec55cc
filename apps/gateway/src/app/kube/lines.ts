/** The non-empty lines of a streamed body (a watch's JSON events, a log), as they arrive. */
export async function* lines(stream: AsyncIterable<unknown>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
  if (rest.trim()) yield rest;
}
