import { byLastSeen, eventCount, eventLastSeen } from './events';

describe('events as kubectl prints LAST SEEN and COUNT', () => {
  it('takes a series first, then lastTimestamp, firstTimestamp, eventTime', () => {
    expect(eventLastSeen({ series: { lastObservedTime: '2026-01-01T00:00:09Z', count: 4 }, lastTimestamp: '2026-01-01T00:00:01Z' })).toBe('2026-01-01T00:00:09Z');
    expect(eventLastSeen({ lastTimestamp: '2026-01-01T00:00:02Z', firstTimestamp: '2026-01-01T00:00:01Z' })).toBe('2026-01-01T00:00:02Z');
    expect(eventLastSeen({ lastTimestamp: null, firstTimestamp: '2026-01-01T00:00:01Z' })).toBe('2026-01-01T00:00:01Z');
    expect(eventLastSeen({ eventTime: '2026-01-01T00:00:03.000000Z' })).toBe('2026-01-01T00:00:03.000000Z');
    expect(eventLastSeen('not an event')).toBeUndefined();
    expect([eventCount({ series: { count: 4 }, count: 1 }), eventCount({ count: 7 }), eventCount({})]).toEqual([4, 7, 1]);
  });

  it('orders newest first', () => {
    const events = [{ lastTimestamp: '2026-01-01T00:00:01Z' }, { eventTime: '2026-01-01T00:00:05Z' }, {}];
    expect([...events].sort(byLastSeen)).toEqual([{ eventTime: '2026-01-01T00:00:05Z' }, { lastTimestamp: '2026-01-01T00:00:01Z' }, {}]);
  });
});
