import { byLastSeen, eventCount, eventFieldSelector, eventLastSeen, groupByInvolvedObject, involvedObject } from './events';

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

describe('events grouped by the object they are about, and filtered as kubectl --field-selector', () => {
  it('groups by involvedObject (or regarding), newest group first, newest event first within', () => {
    const e = (kind: string, name: string, at: string, reason: string) => ({ involvedObject: { kind, namespace: 'team-a', name }, lastTimestamp: at, reason });
    const groups = groupByInvolvedObject([e('Pod', 'a', '2026-01-01T00:00:01Z', 'Started'), e('Pod', 'b', '2026-01-01T00:00:05Z', 'BackOff'), e('Pod', 'a', '2026-01-01T00:00:09Z', 'Killing'), { regarding: { kind: 'Node', name: 'n1' }, eventTime: '2026-01-01T00:00:03Z', reason: 'Ready' }]);
    expect(groups.map((g) => [g.key, g.events.map((x) => (x as { reason: string }).reason), g.lastSeen])).toEqual([
      ['Pod/team-a/a', ['Killing', 'Started'], '2026-01-01T00:00:09Z'],
      ['Pod/team-a/b', ['BackOff'], '2026-01-01T00:00:05Z'],
      ['Node//n1', ['Ready'], '2026-01-01T00:00:03Z'],
    ]);
    expect(involvedObject('junk')).toEqual({ kind: '', namespace: '', name: '' });
  });

  it('writes the field selector, refusing what a selector cannot carry', () => {
    expect(eventFieldSelector({})).toBeUndefined();
    expect(eventFieldSelector({ type: 'Warning', reason: ' BackOff ', kind: 'Pod', name: 'web-1' })).toBe('type=Warning,reason=BackOff,involvedObject.kind=Pod,involvedObject.name=web-1');
    expect(() => eventFieldSelector({ reason: 'a,b' })).toThrow('The reason filter cannot contain');
  });
});
