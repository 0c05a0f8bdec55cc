import type { WatchEventOut } from '@cairn/api-contracts';
import { DeliveryMemo, serialize, serializeUpstream } from './watch-hub';
import { watchFrame, watchFrameBytes } from './watch.controller';

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
      expect(JSON.parse(frames[499]!.slice('event: watch\ndata: '.length))).toEqual({ id: 'tab-499"', ...event });
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

  it('encodes a frame once per delivery for every tab with the same subscription id', () => {
    const shared = serialize({ type: 'ADDED', object: pod, resourceVersion: '46' });
    const memo: DeliveryMemo = new Map();
    const a = watchFrameBytes('pods', shared, memo);
    expect(watchFrameBytes('pods', shared, memo)).toBe(a);
    expect(a.toString('utf8')).toBe(watchFrame('pods', shared));
    expect(watchFrameBytes('other', shared, memo).toString('utf8')).toBe(watchFrame('other', shared));
    expect(memo.size).toBe(2);
  });
});
