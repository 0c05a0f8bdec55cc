import { findMatches, markSegments, relocateMatch, stepMatch } from './log-search';

const lines = ['GET /api 200', 'error: timeout', 'ERROR again, error twice', 'ok'].map((text, i) => ({ id: 10 + i, text }));

describe('log search', () => {
  it('finds every occurrence, ignoring case unless asked', () => {
    const { matches, truncated } = findMatches(lines, 'error');
    expect(truncated).toBe(false);
    expect(matches).toEqual([
      { lineId: 11, index: 1, start: 0, end: 5 },
      { lineId: 12, index: 2, start: 0, end: 5 },
      { lineId: 12, index: 2, start: 13, end: 18 },
    ]);
    expect(findMatches(lines, 'ERROR', { matchCase: true }).matches).toEqual([{ lineId: 12, index: 2, start: 0, end: 5 }]);
  });

  it('treats the query as text, not a pattern', () => {
    expect(findMatches([{ id: 1, text: 'a.b axb (x)' }], '.').matches).toHaveLength(1);
    expect(findMatches([{ id: 1, text: 'a.b axb (x)' }], '(x)').matches).toEqual([{ lineId: 1, index: 0, start: 8, end: 11 }]);
  });

  it('finds nothing for an empty query, and stops at the limit', () => {
    expect(findMatches(lines, '').matches).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => ({ id: i, text: 'aaaa' }));
    const result = findMatches(many, 'a', { limit: 100 });
    expect(result.matches).toHaveLength(100);
    expect(result.truncated).toBe(true);
  });

  it('steps forwards and backwards, wrapping around', () => {
    const { matches } = findMatches(lines, 'error');
    expect(stepMatch(matches, -1, 1)).toBe(0);
    expect(stepMatch(matches, -1, -1)).toBe(2);
    expect(stepMatch(matches, 2, 1)).toBe(0);
    expect(stepMatch(matches, 0, -1)).toBe(2);
    expect(stepMatch([], -1, 1)).toBe(-1);
  });

  it('keeps the current match when lines arrive or leave', () => {
    const { matches } = findMatches(lines, 'error');
    const current = matches[1];
    const later = findMatches([...lines.slice(2), { id: 14, text: 'error' }], 'error').matches;
    expect(later[relocateMatch(later, current)]).toMatchObject({ lineId: 12, start: 0 });
    // Its line left the buffer: the next one after it.
    const gone = findMatches([{ id: 20, text: 'error' }], 'error').matches;
    expect(relocateMatch(gone, current)).toBe(0);
    expect(relocateMatch(gone, undefined)).toBe(-1);
  });

  it('cuts styled segments at match boundaries and marks the current one', () => {
    const segments = [
      { text: 'ERR', classes: 'ansi-fg-1' },
      { text: 'OR: disk', classes: '' },
    ];
    expect(markSegments(segments, [{ start: 1, end: 5 }, { start: 8, end: 10, current: true }])).toEqual([
      { text: 'E', classes: 'ansi-fg-1' },
      { text: 'RR', classes: 'ansi-fg-1', mark: 'match' },
      { text: 'OR', classes: '', mark: 'match' },
      { text: ': d', classes: '' },
      { text: 'is', classes: '', mark: 'current' },
      { text: 'k', classes: '' },
    ]);
    expect(markSegments(segments, [])).toBe(segments);
  });
});
