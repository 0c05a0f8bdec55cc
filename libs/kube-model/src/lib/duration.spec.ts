import { durationSeconds, humanDuration } from './duration';

describe('HumanDuration read back', () => {
  it('reads every age humanDuration prints as at most the seconds it stood for, in the same order', () => {
    const samples = [0, 1, 59, 60, 61, 119, 120, 599, 600, 3599, 3600, 7199, 7200, 28_799, 28_800, 86_399, 86_400, 172_799, 172_800, 2 * 365 * 86_400 - 1, 2 * 365 * 86_400, 9 * 365 * 86_400];
    let last = -1;
    for (const s of samples) {
      const back = durationSeconds(humanDuration(s));
      expect({ s, text: humanDuration(s), back: back <= s }).toEqual({ s, text: humanDuration(s), back: true });
      expect(back).toBeGreaterThanOrEqual(last);
      last = back;
    }
    expect(durationSeconds('3m41s')).toBe(221);
    expect(durationSeconds('3y45d')).toBe((3 * 365 + 45) * 86_400);
  });

  it('reads anything else as NaN', () => {
    for (const text of ['', '<invalid>', '<unknown>', '3 m', 'm', '5x', '-3s']) expect(durationSeconds(text)).toBeNaN();
  });
});
