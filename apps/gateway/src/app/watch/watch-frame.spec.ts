import type { WatchEventOut } from '@cairn/api-contracts';
import { serialize } from './watch-hub';
import { watchFrame } from './watch.controller';

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
});
