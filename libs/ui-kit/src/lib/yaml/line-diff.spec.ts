import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('shows a changed line as removed then added, with context around it', () => {
    const before = ['a', 'b', 'c', 'replicas: 2', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = before.replace('replicas: 2', 'replicas: 3');
    expect(lineDiff(before, after, 1)).toEqual([
      { kind: 'same', text: '…' },
      { kind: 'same', text: 'c' },
      { kind: 'removed', text: 'replicas: 2' },
      { kind: 'added', text: 'replicas: 3' },
      { kind: 'same', text: 'd' },
      { kind: 'same', text: '…' },
    ]);
  });

  it('finds lines added in the middle and removed at the end', () => {
    expect(lineDiff('x\ny\nz', 'x\nnew\ny')).toEqual([
      { kind: 'same', text: 'x' },
      { kind: 'added', text: 'new' },
      { kind: 'same', text: 'y' },
      { kind: 'removed', text: 'z' },
    ]);
  });

  it('says nothing changed with no added or removed lines', () => {
    // Only the fold: no line added or removed, and not an empty answer either.
    expect(lineDiff('a\nb', 'a\nb')).toEqual([{ kind: 'same', text: '…' }]);
  });
});
