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

/** Rows matching every term: text in any shown column, labels by exact value. */
export function filterRows<T>(rows: readonly T[], columns: readonly TableColumn<T>[], terms: readonly FilterTerm[], labels?: (row: T) => Record<string, string> | undefined): T[] {
  if (terms.length === 0) return [...rows];
  return rows.filter((row) =>
    terms.every((term) => {
      if ('label' in term) return (labels?.(row)?.[term.label] === term.value) !== term.negate;
      return columns.some((column) => {
        const text = column.status ? column.status(row).text : column.value(row);
        return text !== undefined && String(text).toLowerCase().includes(term.text);
      });
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

/** Rows in the column's order; ties are broken by the first column, so the order never jumps. */
export function sortRows<T>(rows: readonly T[], columns: readonly TableColumn<T>[], sort: TableSort | undefined): T[] {
  const column = columns.find((c) => c.id === sort?.column) ?? columns[0];
  const first = columns[0];
  if (!column || !first) return [...rows];
  const numeric = column.numeric || Boolean(column.since);
  const direction = sort?.descending ? -1 : 1;
  const keyed = rows.map((row) => ({ row, key: sortKey(column, row), tie: String(first.value(row) ?? '') }));
  keyed.sort((a, b) => {
    const order = numeric ? Number(a.key) - Number(b.key) || 0 : String(a.key).localeCompare(String(b.key), undefined, { numeric: true });
    return (order || a.tie.localeCompare(b.tie, undefined, { numeric: true })) * direction;
  });
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
