import { ListTextSplitter, readListStream } from './list-stream';

const list = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: '' },
  items: [
    { metadata: { name: 'a', annotations: { note: 'braces } ] { [ and "quotes" \\ and \u00e9' } }, spec: { containers: [{ name: 'c', args: ['[', '{'] }] } },
    { metadata: { name: 'b', labels: { app: 'web' } }, status: { phase: 'Running' } },
    { metadata: { name: 'c' }, data: { '"items":[': 'not the list', path: 'C:\\', quote: '\\"' } },
  ],
};
const text = JSON.stringify(list, null, 1);

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

describe('a list read as it arrives', () => {
  it('splits the items out whatever the pieces are cut at, and keeps the envelope', () => {
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const splitter = new ListTextSplitter();
      const items: unknown[] = [];
      for (let i = 0; i < text.length; i += size) items.push(...splitter.push(text.slice(i, i + size)).map((t) => JSON.parse(t)));
      expect(items).toEqual(list.items);
      expect(splitter.envelope()).toEqual({ ...list, items: [] });
    }
  });

  it('decodes bytes cut inside a character and hands items over as they are parsed', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(list));
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 5) pieces.push(bytes.slice(i, i + 5));
    const seen: unknown[] = [];
    const envelope = await readListStream(streamOf(pieces), (items) => seen.push(...items));
    expect(seen).toEqual(list.items);
    expect(envelope.metadata.resourceVersion).toBe('42');
  });

  it('reads an empty list, and says so when the list is cut off', async () => {
    const empty = await readListStream(streamOf([new TextEncoder().encode('{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]}')]), () => undefined);
    expect(empty.metadata.resourceVersion).toBe('7');
    await expect(readListStream(streamOf([new TextEncoder().encode(text.slice(0, text.length / 2))]), () => undefined)).rejects.toThrow(SyntaxError);
  });
});
