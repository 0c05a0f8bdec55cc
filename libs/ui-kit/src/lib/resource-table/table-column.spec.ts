import { ColumnChoice, compareSimple, filterRows, isShown, parseFilter, sortRows, TableColumn, warmCellTexts } from './table-column';

interface Pod {
  name: string;
  namespace: string;
  restarts: number;
  created?: string;
  labels?: Record<string, string>;
  phase: string;
}

const columns: TableColumn<Pod>[] = [
  { id: 'name', label: 'Name', value: (p) => p.name, fixed: true },
  { id: 'namespace', label: 'Namespace', value: (p) => p.namespace },
  { id: 'status', label: 'Status', value: (p) => p.phase, status: (p) => ({ health: p.phase === 'Running' ? 'ok' : 'failed', text: p.phase }) },
  { id: 'restarts', label: 'Restarts', value: (p) => p.restarts, numeric: true },
  { id: 'age', label: 'Age', value: () => '', since: (p) => p.created },
  { id: 'node', label: 'Node', value: () => 'kwok-node-0', hidden: true },
];

const pods: Pod[] = [
  { name: 'web-10', namespace: 'team-a', restarts: 0, created: '2026-11-20T10:00:00Z', labels: { app: 'web', tier: 'front' }, phase: 'Running' },
  { name: 'web-9', namespace: 'team-a', restarts: 12, created: '2026-11-22T10:00:00Z', labels: { app: 'web', tier: 'back' }, phase: 'CrashLoopBackOff' },
  { name: 'db-0', namespace: 'team-b', restarts: 2, labels: { app: 'db' }, phase: 'Running' },
];

const names = (rows: Pod[]) => rows.map((p) => p.name);

describe('table filters', () => {
  it('reads free text and label terms, = and !=', () => {
    expect(parseFilter('  Web  app=web tier!=back ')).toEqual([
      { text: 'web' },
      { label: 'app', value: 'web', negate: false },
      { label: 'tier', value: 'back', negate: true },
    ]);
    expect(parseFilter('app.kubernetes.io/name=')).toEqual([{ label: 'app.kubernetes.io/name', value: '', negate: false }]);
  });

  it('matches text in any shown column (the status in words too), and every term must match', () => {
    const labels = (p: Pod) => p.labels;
    expect(names(filterRows(pods, columns, parseFilter('crashloop'), labels))).toEqual(['web-9']);
    expect(names(filterRows(pods, columns, parseFilter('team-a app=web tier!=back'), labels))).toEqual(['web-10']);
    expect(names(filterRows(pods, columns, parseFilter('app=db'), labels))).toEqual(['db-0']);
    expect(names(filterRows(pods, columns, parseFilter('app=db team-a'), labels))).toEqual([]);
    // Without a labels accessor, a label term matches nothing rather than everything.
    expect(names(filterRows(pods, columns, parseFilter('app=web')))).toEqual([]);
    expect(names(filterRows(pods, columns, parseFilter('')))).toEqual(['web-10', 'web-9', 'db-0']);
  });

  it('searches only the columns given, so a hidden column does not match unseen', () => {
    expect(filterRows(pods, columns.slice(0, 2), parseFilter('crashloop'))).toEqual([]);
  });

  it('matches ages as they read now, and reads them only for a term that could be one', () => {
    const read: string[] = [];
    const aged: TableColumn<Pod>[] = [columns[0] as TableColumn<Pod>, { id: 'age', label: 'Age', value: (p) => (read.push(p.name), p.name === 'db-0' ? '' : '3d4h'), since: (p) => p.created }];
    expect(names(filterRows(pods, aged, parseFilter('3d')))).toEqual(['web-10', 'web-9']);
    read.length = 0;
    expect(names(filterRows(pods, aged, parseFilter('web-1')))).toEqual(['web-10']);
    expect(read).toEqual([]);
  });
});

describe('table filter cache', () => {
  it('reads each cell once per column function: a column list made anew reads again only its new columns, and a term never matches across two cells', () => {
    const reads: string[] = [];
    const counted = (id: string, value: (p: Pod) => string | number): TableColumn<Pod> => ({ id, label: id, value: (p) => (reads.push(`${id}:${p.name}`), value(p)) });
    const name = counted('name', (p) => p.name);
    const namespace = counted('namespace', (p) => p.namespace);
    const rows = pods.map((p) => ({ ...p }));
    expect(names(filterRows(rows, [name, namespace], parseFilter('team-a')))).toEqual(['web-10', 'web-9']);
    expect(reads).toHaveLength(6);
    reads.length = 0;
    // Another keystroke, and the same columns in a new list beside a new one (a usage sample): only the new column is read.
    const cpu = counted('cpu', () => '2m');
    expect(names(filterRows(rows, [name, namespace], parseFilter('team-b')))).toEqual(['db-0']);
    expect(names(filterRows(rows, [name, namespace, cpu], parseFilter('2m')))).toEqual(['web-10', 'web-9', 'db-0']);
    expect(reads.sort()).toEqual(['cpu:db-0', 'cpu:web-10', 'cpu:web-9']);
    // "0team" would span the name "web-10" and the namespace "team-a": no match.
    expect(filterRows(rows, [name, namespace], parseFilter('0team'))).toEqual([]);
    // A row replaced (a watch event) is read anew.
    reads.length = 0;
    const replaced = [{ ...rows[0], namespace: 'team-c' } as Pod];
    expect(names(filterRows(replaced, [name, namespace], parseFilter('team-c')))).toEqual(['web-10']);
    expect(reads.sort()).toEqual(['name:web-10', 'namespace:web-10']);
  });
});

describe('reading the filter\'s cells ahead', () => {
  const many = Array.from({ length: 120 }, (_, i) => ({ name: `pod-${i}`, namespace: i % 2 ? 'team-a' : 'team-b', restarts: i, created: '2026-11-20T10:00:00Z', phase: 'Running' }));

  it('reads every text cell ahead, so the first keystroke reads none, and leaves ages to be read live', () => {
    const reads: string[] = [];
    const counted = columns.map((c) => ({ ...c, value: (p: Pod) => (reads.push(c.id), c.value(p)) }));
    expect(warmCellTexts(many, counted, 0, () => true)).toBe(many.length);
    expect(new Set(reads)).toEqual(new Set(['name', 'namespace', 'restarts', 'node']));
    reads.length = 0;
    expect(filterRows(many, counted, parseFilter('pod-11'))).toHaveLength(11);
    // Nothing is read: the text cells were read ahead, and "pod-11" cannot be part of an age (read live, it grows).
    expect(reads).toEqual([]);
  });

  it('stops when its slice is over, 50 rows at a time, and goes on from where it stopped', () => {
    const rows = many.map((p) => ({ ...p }));
    let slices = 0;
    const first = warmCellTexts(rows, columns, 0, () => ++slices < 2);
    expect(first).toBe(100);
    expect(warmCellTexts(rows, columns, first, () => false)).toBe(rows.length);
  });
});

describe('table sorting', () => {
  it('sorts by the first column by default, numbers in names as numbers', () => {
    expect(names(sortRows(pods, columns, undefined))).toEqual(['db-0', 'web-9', 'web-10']);
    expect(names(sortRows(pods, columns, { column: 'name', descending: true }))).toEqual(['web-10', 'web-9', 'db-0']);
  });

  it('sorts numeric columns as numbers and breaks ties by the first column', () => {
    expect(names(sortRows(pods, columns, { column: 'restarts', descending: true }))).toEqual(['web-9', 'db-0', 'web-10']);
    expect(names(sortRows(pods, columns, { column: 'namespace', descending: false }))).toEqual(['web-9', 'web-10', 'db-0']);
  });

  it('sorts ages by time, youngest first, objects without a timestamp last', () => {
    expect(names(sortRows(pods, columns, { column: 'age', descending: false }))).toEqual(['web-9', 'web-10', 'db-0']);
  });

  it('orders Kubernetes names as the collator does, numbers by value, without asking it', () => {
    const collator = new Intl.Collator(undefined, { numeric: true });
    const sign = (n: number) => Math.sign(n);
    const alphabet = 'ab-.0129';
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const word = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let n = 0; n < 5000; n++) {
      const a = word();
      const b = random() < 0.3 ? a.slice(0, Math.floor(random() * a.length)) + word() : word();
      expect([a, b, sign(compareSimple(a, b))]).toEqual([a, b, sign(collator.compare(a, b))]);
    }
    expect(['pod-10', 'pod-9', 'pod-1', 'pod', 'pod.a', 'pod-a'].sort(compareSimple)).toEqual(['pod', 'pod-1', 'pod-9', 'pod-10', 'pod-a', 'pod.a']);
  });

  it('sorts a status column by its words', () => {
    expect(names(sortRows(pods, columns, { column: 'status', descending: false }))).toEqual(['web-9', 'db-0', 'web-10']);
  });
});

describe('column choice', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k), items };
  };

  it('keeps only what differs from the defaults, per table', () => {
    const storage = memory();
    const choice = new ColumnChoice('pods', storage);
    expect(choice.read()).toEqual({});
    choice.write({ node: true, namespace: false });
    expect(storage.items.get('cairn.columns.pods')).toBe('{"node":true,"namespace":false}');
    expect(new ColumnChoice('pods', storage).read()).toEqual({ node: true, namespace: false });
    expect(new ColumnChoice('deployments', storage).read()).toEqual({});
    choice.write({});
    expect(storage.items.has('cairn.columns.pods')).toBe(false);
  });

  it('falls back to the defaults when storage is corrupt or refuses', () => {
    const storage = memory();
    storage.items.set('cairn.columns.pods', '{not json');
    expect(new ColumnChoice('pods', storage).read()).toEqual({});
    storage.items.set('cairn.columns.pods', '{"node":"yes","age":false}');
    expect(new ColumnChoice('pods', storage).read()).toEqual({ age: false });
    const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => undefined };
    expect(new ColumnChoice('pods', refusing).read()).toEqual({});
    expect(() => new ColumnChoice('pods', refusing).write({ age: false })).not.toThrow();
  });

  it('shows fixed columns whatever was chosen, and hidden ones only when chosen', () => {
    expect(isShown(columns[0]!, { name: false })).toBe(true);
    expect(isShown(columns[5]!, {})).toBe(false);
    expect(isShown(columns[5]!, { node: true })).toBe(true);
    expect(isShown(columns[1]!, { namespace: false })).toBe(false);
  });
});
