import type { Status } from '../status-badge/status-badge';

/**
 * One column of a `ResourceTable`. `value` is what the cell says, what the filter searches and,
 * unless `sortValue` says otherwise, what sorts. A column shows a status badge, an age, or a
 * link instead of plain text when it has `status`, `since` or `link`.
 */
export interface TableColumn<T> {
  /** Stable, for the person's column choice kept in the browser. */
  id: string;
  label: string;
  value: (row: T) => string | number | undefined;
  sortValue?: (row: T) => string | number;
  /** Sort as numbers ("10" after "9"). */
  numeric?: boolean;
  status?: (row: T) => Status;
  /** An RFC 3339 timestamp: shown as an age, sorted youngest first. */
  since?: (row: T) => string | undefined;
  /** A router link for the cell, usually the name; the query (cluster, namespace) is kept. */
  link?: (row: T) => readonly unknown[] | undefined;
  /** Query parameters the link sets over the page's own (a merged list's row: `cluster` of its own cluster). */
  linkQuery?: (row: T) => Record<string, string | null>;
  /** Not shown until chosen under "Columns". */
  hidden?: boolean;
  /** Always shown (the name): it cannot be unchosen. */
  fixed?: boolean;
  /** Narrowest width in rem (default 6) and share of the spare width (default 1). */
  minWidth?: number;
  grow?: number;
}

export interface TableSort {
  column: string;
  descending: boolean;
}

/** One term of a table filter: free text, or a label that must (not) have a value. */
export type FilterTerm = { text: string } | { label: string; value: string; negate: boolean };

/** `web app=api tier!=db` → a text term and two label terms; terms are ANDed. */
export function parseFilter(filter: string): FilterTerm[] {
  return filter
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((term) => {
      const match = /^([^=!]+)(!?=)(.*)$/.exec(term);
      return match ? { label: match[1]!, value: match[3]!, negate: match[2] === '!=' } : { text: term.toLowerCase() };
    });
}

/**
 * Each cell's searchable text (lower case), by the function that computes it (a column's
 * `status`, else its `value`) and the row: typing a filter over 10 000 rows reads each cell
 * once, not once per keystroke, and a column list made anew (a pods list's CPU and memory
 * columns come with every usage sample, every 15 s) reads again only the cells of the columns
 * whose functions are new. Rows are replaced, never changed in place, so a cell's text stays
 * true for the row.
 */
const cellTexts = new WeakMap<object, WeakMap<object, string>>();

/** A cell's text as the filter reads it; ages (which grow) are not cached here. */
function cellText<T>(row: T, column: TableColumn<T>): string {
  const compute = () => {
    const text = column.status ? column.status(row).text : column.value(row);
    return text === undefined ? '' : String(text).toLowerCase();
  };
  if (typeof row !== 'object' || row === null) return compute();
  const by = column.status ?? column.value;
  let byRow = cellTexts.get(by);
  if (!byRow) cellTexts.set(by, (byRow = new WeakMap()));
  let text = byRow.get(row);
  if (text === undefined) byRow.set(row, (text = compute()));
  return text;
}

/** A number per cell function, so a column list can be named by the functions it reads. */
const functionIds = new WeakMap<object, number>();
let lastFunctionId = 0;
function functionId(f: object): number {
  let id = functionIds.get(f);
  if (id === undefined) functionIds.set(f, (id = ++lastFunctionId));
  return id;
}

/** The text columns' functions, as one key: a row's text is made again when it changes. */
function textColumnsKey<T>(textColumns: readonly TableColumn<T>[]): string {
  return textColumns.map((column) => functionId(column.status ?? column.value)).join(',');
}

/**
 * A row's cells as the filter reads them, one line each: a term never contains a line break
 * (terms are split at white space), so it matches within one cell, never across two. Kept per row
 * and column list: a keystroke over 10 000 rows is one `includes` per row, not one per cell.
 */
const rowTexts = new WeakMap<object, { key: string; text: string }>();

function rowText<T>(row: T, textColumns: readonly TableColumn<T>[], key: string): string {
  const keepable = typeof row === 'object' && row !== null;
  const kept = keepable ? rowTexts.get(row) : undefined;
  if (kept?.key === key) return kept.text;
  const text = textColumns.map((column) => cellText(row, column)).join('\n');
  if (keepable) rowTexts.set(row, { key, text });
  return text;
}

/**
 * Reads the filter's texts of `rows` ahead of the first keystroke, from row `from` on, while
 * `more()` says there is time left (a slice of an idle period); returns the row to go on from
 * (`rows.length` when done). The first keystroke over 10 000 pods otherwise read about 100 000
 * cells in one task: 90-130 ms in benchmark 4, against its 100 ms target. Ages are left out, as
 * `cellText` leaves them.
 */
export function warmCellTexts<T>(rows: readonly T[], columns: readonly TableColumn<T>[], from: number, more: () => boolean): number {
  const textColumns = columns.filter((column) => !column.since);
  const key = textColumnsKey(textColumns);
  let i = from;
  while (i < rows.length) {
    rowText(rows[i] as T, textColumns, key);
    i++;
    // Checked every 50 rows: a clock read per row would cost more than the row.
    if (i % 50 === 0 && !more()) break;
  }
  return i;
}

/**
 * Whether a term could be part of an age as kubectl prints it (`45s`, `3m20s`, `2d`, `<invalid>`):
 * ages are read live for every row a term did not otherwise match, so a term that cannot be in
 * one (a name, most of the time) skips that work (9 000 ages per keystroke at 10 000 pods).
 */
const mayBeInAge = (text: string) => /^[0-9smhdy<>inval]*$/.test(text);

/** Rows matching every term: text in any shown column, labels by exact value. */
export function filterRows<T>(rows: readonly T[], columns: readonly TableColumn<T>[], terms: readonly FilterTerm[], labels?: (row: T) => Record<string, string> | undefined): T[] {
  if (terms.length === 0) return [...rows];
  const ageColumns = columns.filter((column) => column.since);
  const textColumns = columns.filter((column) => !column.since);
  const key = textColumnsKey(textColumns);
  // Asked once per term, not once per row.
  const ageTerms = new Set(terms.filter((term) => 'text' in term && mayBeInAge(term.text)));
  return rows.filter((row) =>
    terms.every((term) => {
      if ('label' in term) return (labels?.(row)?.[term.label] === term.value) !== term.negate;
      if (rowText(row, textColumns, key).includes(term.text)) return true;
      return ageTerms.has(term) && ageColumns.some((column) => String(column.value(row) ?? '').toLowerCase().includes(term.text));
    }),
  );
}

function sortKey<T>(column: TableColumn<T>, row: T): string | number {
  if (column.sortValue) return column.sortValue(row);
  if (column.since) {
    const since = column.since(row);
    // Youngest first when ascending, as an age column reads; no timestamp sorts last.
    return since ? -Date.parse(since) : Number.POSITIVE_INFINITY;
  }
  if (column.status) return column.status(row).text;
  return column.value(row) ?? '';
}

/**
 * One collator for every comparison: `localeCompare` with options builds one per call, which at
 * 10 000 rows (about 140 000 comparisons) made a sort take seconds instead of milliseconds.
 */
const collator = new Intl.Collator(undefined, { numeric: true });

/** Kubernetes names, namespaces, IPs: lower-case letters, digits, `-` and `.` only. */
const SIMPLE = /^[a-z0-9.-]*$/;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * `collator.compare` for two strings of SIMPLE characters, about ten times faster: for these
 * the collation order is the code-unit order (`-` < `.` < digits < letters, as in Unicode's
 * root collation) with each run of digits compared as a number. Runs equal in value but not in
 * spelling (`01`, `1`) go to the collator.
 */
export function compareSimple(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ie = i;
      let je = j;
      while (ie < a.length && isDigit(a.charCodeAt(ie))) ie++;
      while (je < b.length && isDigit(b.charCodeAt(je))) je++;
      let is = i;
      let js = j;
      while (is < ie - 1 && a.charCodeAt(is) === 48) is++;
      while (js < je - 1 && b.charCodeAt(js) === 48) js++;
      // The longer run (leading zeros aside) is the larger number; equally long ones compare digit by digit.
      let order = ie - is - (je - js);
      for (let k = 0; order === 0 && k < ie - is; k++) order = a.charCodeAt(is + k) - b.charCodeAt(js + k);
      if (order) return order;
      if (ie - i !== je - j) return collator.compare(a, b);
      i = ie;
      j = je;
    } else if (ca !== cb) {
      return ca - cb;
    } else {
      i++;
      j++;
    }
  }
  return a.length - i - (b.length - j);
}

const compareText = (a: string, b: string): number => (SIMPLE.test(a) && SIMPLE.test(b) ? compareSimple(a, b) : collator.compare(a, b));

/**
 * Each text's place among the distinct texts: the texts are compared once per pair of distinct
 * values (a status column of 10 000 rows has a handful), and the rows are then sorted by numbers.
 */
function ranks(texts: readonly string[]): Map<string, number> {
  const distinct = [...new Set(texts)];
  const simple = distinct.every((t) => SIMPLE.test(t));
  distinct.sort(simple ? compareSimple : compareText);
  return new Map(distinct.map((text, i) => [text, i]));
}

/**
 * Rows in the column's order; ties are broken by the first column, so the order never jumps.
 * Each row's keys are read once (a status is computed once, not per comparison).
 */
export function sortRows<T>(rows: readonly T[], columns: readonly TableColumn<T>[], sort: TableSort | undefined): T[] {
  const column = columns.find((c) => c.id === sort?.column) ?? columns[0];
  const first = columns[0];
  if (!column || !first) return [...rows];
  const numeric = column.numeric || Boolean(column.since);
  const direction = sort?.descending ? -1 : 1;
  const keys = rows.map((row) => sortKey(column, row));
  const ties = rows.map((row) => String(first.value(row) ?? ''));
  const tieRank = ranks(ties);
  const keyRank = numeric ? undefined : column === first ? tieRank : ranks(keys.map(String));
  const keyed = rows.map((row, i) => ({
    row,
    key: keyRank ? (keyRank.get(String(keys[i])) as number) : Number(keys[i]),
    tie: tieRank.get(ties[i] as string) as number,
  }));
  keyed.sort((a, b) => ((a.key - b.key || 0) || a.tie - b.tie) * direction);
  return keyed.map((k) => k.row);
}

/**
 * Which columns a person chose to see, kept per table in the browser so the choice survives a
 * reload. Only the choices differing from the default are stored; a column added later starts
 * at its default.
 */
export class ColumnChoice {
  constructor(
    private readonly key: string,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = globalThis.localStorage,
  ) {}

  read(): Record<string, boolean> {
    try {
      const stored: unknown = JSON.parse(this.storage?.getItem(this.storageKey) ?? '{}');
      if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
      return Object.fromEntries(Object.entries(stored).filter(([, shown]) => typeof shown === 'boolean')) as Record<string, boolean>;
    } catch {
      // A private window or a corrupt entry: the defaults are a fine answer.
      return {};
    }
  }

  write(choices: Record<string, boolean>): void {
    try {
      if (Object.keys(choices).length === 0) this.storage?.removeItem(this.storageKey);
      else this.storage?.setItem(this.storageKey, JSON.stringify(choices));
    } catch {
      // Storage full or refused: the choice holds for this page only.
    }
  }

  private get storageKey(): string {
    return `cairn.columns.${this.key}`;
  }
}

/** Whether a column is shown, given the person's choices. */
export function isShown<T>(column: TableColumn<T>, choices: Record<string, boolean>): boolean {
  return column.fixed === true || (choices[column.id] ?? !column.hidden);
}
