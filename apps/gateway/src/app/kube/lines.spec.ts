import { lines } from './lines';

/** A body as the network delivers it: the same bytes, cut into chunks at the given offsets. */
async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

const collect = async (source: AsyncIterable<unknown>, keepEmpty = false) => {
  const out: string[] = [];
  for await (const line of lines(source, { keepEmpty })) out.push(line);
  return out;
};

describe('lines', () => {
  // Two-, three- and four-byte characters, a combining mark, and a JSON event as a watch sends it.
  const text = ['€ 100, 東京 ok', '{"type":"MODIFIED","object":{"data":{"greeting":"こんにちは 🌍 naïve"}}}', '', 'e\u0301 done'].join('\n') + '\n';
  const bytes = Buffer.from(text, 'utf8');

  it('decodes UTF-8 split at every byte offset exactly as the whole text', async () => {
    const expected = text.split('\n').filter((line) => line !== '');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect({ cut, lines: await collect(chunked(bytes, [cut])) }).toEqual({ cut, lines: expected });
    }
  });

  it('decodes a body cut into one-byte chunks, keeping the empty lines of a log when asked', async () => {
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(await collect(chunked(bytes, everyByte), true)).toEqual(text.split('\n').slice(0, -1));
  });

  it('gives a last line that has no newline, and nothing for an empty body', async () => {
    expect(await collect(chunked(Buffer.from('a\nlast €'), [8]))).toEqual(['a', 'last €']);
    expect(await collect(chunked(Buffer.alloc(0), []))).toEqual([]);
  });
});
