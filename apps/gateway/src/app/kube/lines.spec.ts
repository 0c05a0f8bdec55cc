import { byteLines, lines, LineTooLongError } from './lines';

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

  it('drops a last line that has no newline when asked (a watch event cut off, to be read again on resuming)', async () => {
    const out: string[] = [];
    for await (const line of lines(chunked(Buffer.from('{"type":"ADDED"}\n{"type":"MOD'), [5]), { dropUnterminated: true })) out.push(line);
    expect(out).toEqual(['{"type":"ADDED"}']);
  });
});

describe('lines bound', () => {
  it('stops at a line longer than the bound, naming it, without reading the rest of an endless stream', async () => {
    let chunksRead = 0;
    async function* endless() {
      yield Buffer.from('{"ok":1}\n');
      for (;;) {
        chunksRead++;
        yield Buffer.alloc(64 * 1024, 'x');
      }
    }
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const line of lines(endless(), { maxLine: 1024 * 1024 })) got.push(line);
      })(),
    ).rejects.toThrow(new LineTooLongError(1024 * 1024));
    expect(got).toEqual(['{"ok":1}']);
    // 1 MiB in 64 KiB chunks: the 17th chunk crosses it.
    expect(chunksRead).toBe(17);
    expect(new LineTooLongError(10).message).toContain('CAIRN_MAX_LINE_BYTES');
  });

  it('keeps lines at the bound, and a long line split over many chunks', async () => {
    async function* parts() {
      for (let i = 0; i < 10; i++) yield Buffer.from('a'.repeat(100));
      yield Buffer.from('\nb\n');
    }
    const got: string[] = [];
    for await (const line of lines(parts(), { maxLine: 1000 })) got.push(line);
    expect(got).toEqual(['a'.repeat(1000), 'b']);
  });
});

describe('byteLines', () => {
  it('gives a line that lies in one chunk as a view of that chunk, and joins a line spread over chunks', async () => {
    const chunk = Buffer.from('{"a":1}\n{"b":');
    const got: Buffer[] = [];
    for await (const line of byteLines(chunked(Buffer.concat([chunk, Buffer.from('2}\n')]), [chunk.length]))) got.push(line);
    expect(got.map((b) => b.toString())).toEqual(['{"a":1}', '{"b":2}']);
    // The first line shares the chunk's memory (no copy); the second had to be joined.
    expect(got[0]?.buffer).toBe(chunk.buffer);
  });

  it('bounds a line in bytes, not characters: a line of 400 three-byte characters crosses a 1 000-byte bound', async () => {
    const text = '\u6771'.repeat(400);
    await expect((async () => {
      for await (const line of byteLines(chunked(Buffer.from(`${text}\n`), [7, 500]), { maxLine: 1000 })) void line;
    })()).rejects.toThrow(new LineTooLongError(1000));
    const got: string[] = [];
    for await (const line of lines(chunked(Buffer.from(`${text}\n`), [7, 500]), { maxLine: 1200 })) got.push(line);
    expect(got).toEqual([text]);
  });

  it('skips lines of JSON whitespace only, unless asked to keep them', async () => {
    const body = Buffer.from('a\n \t\r\n\nb\n');
    const read = async (keepEmpty: boolean) => {
      const out: string[] = [];
      for await (const line of byteLines(chunked(body, [3]), { keepEmpty })) out.push(line.toString());
      return out;
    };
    expect(await read(false)).toEqual(['a', 'b']);
    expect(await read(true)).toEqual(['a', ' \t\r', '', 'b']);
  });
});
