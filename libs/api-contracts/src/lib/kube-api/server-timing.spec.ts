import { readUpstreamTiming, upstreamTiming } from './server-timing';

describe('Server-Timing upstream', () => {
  it('reads back what it writes, among other metrics, and says NaN when there is none', () => {
    expect(readUpstreamTiming(upstreamTiming(123.456))).toBe(123.5);
    expect(readUpstreamTiming(`cache;dur=2, ${upstreamTiming(7)}`)).toBe(7);
    expect(readUpstreamTiming('cache;dur=2')).toBeNaN();
    expect(readUpstreamTiming(undefined)).toBeNaN();
  });
});
