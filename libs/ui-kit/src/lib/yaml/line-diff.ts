export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/**
 * Lines removed and added between two texts (a longest-common-subsequence diff), for
 * reviewing a YAML edit before it is applied. Unchanged runs longer than `context` lines
 * around changes are folded into one "…" line.
 */
export function lineDiff(before: string, after: string, context = 3): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail first: edits are usually small.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const table: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) table[i]![j] = x[i] === y[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      middle.push({ kind: 'same', text: x[i++]! });
      j++;
    } else if (i < x.length && (j >= y.length || table[i + 1]![j]! >= table[i]![j + 1]!)) middle.push({ kind: 'removed', text: x[i++]! });
    else middle.push({ kind: 'added', text: y[j++]! });
  }
  const all: DiffLine[] = [...a.slice(0, head).map((text) => ({ kind: 'same' as const, text })), ...middle, ...a.slice(a.length - tail).map((text) => ({ kind: 'same' as const, text }))];
  const near = all.map((_, k) => all.slice(Math.max(0, k - context), k + context + 1).some((l) => l.kind !== 'same'));
  const out: DiffLine[] = [];
  all.forEach((line, k) => {
    if (line.kind !== 'same' || near[k]) out.push(line);
    else if (out[out.length - 1]?.text !== '…') out.push({ kind: 'same', text: '…' });
  });
  return out;
}
