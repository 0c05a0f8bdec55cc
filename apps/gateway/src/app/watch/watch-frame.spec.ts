import type { WatchEventOut } from '@cairn/api-contracts';
import { DeliveryMemo, readBuiltInEvent, serialize, serializeUpstream } from './watch-hub';
import { watchFrame, watchFrameText } from './watch.controller';

describe('watch frames', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'team-a', resourceVersion: '42', labels: { app: 'web "quoted"' } } };
  const events: WatchEventOut[] = [
    { type: 'MODIFIED', object: pod, resourceVersion: '42' },
    { type: 'BOOKMARK', resourceVersion: '43' },
    { type: 'RESYNC', items: [pod], resourceVersion: '44' },
    { type: 'ERROR', status: 403, message: 'pods is forbidden: User "alice" cannot watch resource "pods"' },
  ];

  it('is one server-sent event whose data is the event with the subscription id first', () => {
    for (const event of events) {
      const frame = watchFrame('pods/team-a', event);
      expect(frame).toBe(`event: watch\ndata: ${JSON.stringify({ id: 'pods/team-a', ...event })}\n\n`);
      expect(JSON.parse(frame.slice('event: watch\ndata: '.length))).toEqual({ id: 'pods/team-a', ...event });
    }
  });

  it('serialises an event shared by many tabs once, whatever their ids', () => {
    const event: WatchEventOut = { type: 'ADDED', object: pod, resourceVersion: '45' };
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      // The hub serialises each event once, when it arrives; every tab's frame reuses that text.
      const shared = serialize(event);
      const frames = Array.from({ length: 500 }, (_, i) => watchFrame(`tab-${i}"`, shared));
      // One for the event, one per id (ids need escaping too).
      expect(stringify).toHaveBeenCalledTimes(501);
      expect(JSON.parse(String(frames.at(-1)).slice('event: watch\ndata: '.length))).toEqual({ id: 'tab-499"', ...event });
    } finally {
      stringify.mockRestore();
    }
  });

  it('takes an upstream event\'s object text as it came, giving what serialising the parsed event gives; other shapes are serialised', () => {
    const lines = [
      JSON.stringify({ type: 'MODIFIED', object: pod }),
      JSON.stringify({ type: 'DELETED', object: { ...pod, metadata: { ...pod.metadata, name: 'caf\u00e9 "x" \\ y' } } }),
      // Not the API server's shape: another key, spaces, an escaped type.
      JSON.stringify({ type: 'ADDED', object: pod, extra: { object: 1 } }),
      JSON.stringify({ type: 'ADDED', object: pod }, null, 1),
      '{"type":"ADD\\u0045D","object":{"kind":"Pod"}}',
    ];
    for (const line of lines) {
      const parsed = JSON.parse(line) as { type: WatchEventOut['type']; object: { metadata?: { resourceVersion?: string } } };
      const rv = parsed.object.metadata?.resourceVersion;
      const expected = serialize({ type: parsed.type, object: parsed.object, resourceVersion: rv });
      expect(serializeUpstream(line, parsed, rv)).toEqual(expected);
      expect(JSON.parse(serializeUpstream(line, parsed, rv).json)).toEqual(JSON.parse(expected.json));
    }
  });

  it('makes a frame once per delivery for every tab with the same subscription id', () => {
    const shared = serialize({ type: 'ADDED', object: pod, resourceVersion: '46' });
    const memo: DeliveryMemo = new Map();
    const a = watchFrameText('pods', shared, memo);
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      expect(watchFrameText('pods', shared, memo)).toBe(a);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
    expect(a).toBe(watchFrame('pods', shared));
    expect(watchFrameText('other', shared, memo)).toBe(watchFrame('other', shared));
    expect(memo.size).toBe(2);
  });

  it('never passes on a carriage return from an upstream line (JSON whitespace, but the end of a server-sent event\'s data line)', () => {
    const line = '{"type":"ADDED","object":{"kind":"Pod",\r"metadata":{"name":"a","resourceVersion":"5"}}}';
    const parsed = JSON.parse(line) as { type: string; object: { metadata: { resourceVersion: string } } };
    const event = serializeUpstream(line, parsed, '5');
    expect(event.json).not.toContain('\r');
    expect(JSON.parse(event.json)).toEqual({ type: 'ADDED', object: parsed.object, resourceVersion: '5' });
    expect(readBuiltInEvent(Buffer.from(line.replace('{"kind":"Pod",\r', '{"kind":"Pod","apiVersion":"v1",').replace('}}}', ',"x":"\r"}}}')))).toBeUndefined();
  });

  it('reads a built-in kind\'s event from the start of its line, giving what parsing and serialising give; any other shape is left to the parser', () => {
    const typed = (type: string, object: unknown) => JSON.stringify({ type, object });
    const meta = { name: 'web-1', generateName: 'web-', namespace: 'team-a', uid: 'u-1', resourceVersion: '77', creationTimestamp: '2026-11-30T00:00:00Z', labels: { app: 'web "quoted"' } };
    for (const type of ['ADDED', 'MODIFIED', 'DELETED']) {
      const line = typed(type, { kind: 'Pod', apiVersion: 'v1', metadata: meta, spec: { containers: [{ name: 'web' }] } });
      const read = readBuiltInEvent(Buffer.from(line));
      expect(read).toEqual({ kind: 'Pod', resourceVersion: '77', event: serializeUpstream(line, JSON.parse(line), '77') });
      expect(JSON.parse(read?.event.json ?? '')).toEqual({ type, object: JSON.parse(line).object, resourceVersion: '77' });
    }
    // Long names before resourceVersion (253 characters, the most a name may have) take the start past its first decoded bytes; non-ASCII text after it stays as it was.
    const long = typed('MODIFIED', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'n'.repeat(253), generateName: 'g'.repeat(253), namespace: 's'.repeat(63), uid: 'u-2', resourceVersion: '78' }, data: { text: 'caf\u00e9 \u6771\u4eac \ud83c\udf0d' } });
    expect(readBuiltInEvent(Buffer.from(long))).toEqual({ kind: 'ConfigMap', resourceVersion: '78', event: serializeUpstream(long, JSON.parse(long), '78') });
    expect(JSON.parse(readBuiltInEvent(Buffer.from(long))?.event.json ?? '')).toEqual({ type: 'MODIFIED', object: JSON.parse(long).object, resourceVersion: '78' });
    const notRead = [
      // A custom resource: keys sorted, so an annotation (or label) could be named resourceVersion before metadata's own.
      typed('ADDED', { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { annotations: { resourceVersion: '999999' }, name: 'g', resourceVersion: '5' } }),
      typed('ADDED', { kind: 'Gadget', apiVersion: 'example.com/v1', metadata: { annotations: { resourceVersion: '999999' }, name: 'g', resourceVersion: '5' } }),
      // Escapes or quotes in a field before resourceVersion; a kind that is not a plain word.
      typed('ADDED', { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a\\"resourceVersion":"1', resourceVersion: '5' } }),
      typed('ADDED', { kind: 'Po\u0064', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '5' } }).replace('Pod', 'Po\\u0064'),
      // Not an ADDED/MODIFIED/DELETED event, or not the API server's layout.
      typed('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '5' } }),
      typed('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, code: 410 }),
      JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '5' } } }, null, 1),
      // A resourceVersion that is not etcd's decimal revision (a line cut short never gets here: lines() drops it for a watch).
      typed('ADDED', { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: 'abc' } }),
    ];
    for (const line of notRead) expect({ line, read: readBuiltInEvent(Buffer.from(line)) }).toEqual({ line, read: undefined });
    // A Secret is read as one (the hub then parses it, to take its values out).
    expect(readBuiltInEvent(Buffer.from(typed('ADDED', { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', namespace: 'x', resourceVersion: '9' }, data: { k: 'dg==' } })))?.kind).toBe('Secret');
  });
});
