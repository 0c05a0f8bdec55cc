import { asArray, asNumber, asObject, asString, Json, text } from './json-shape';

/**
 * The API server's printed table (`meta.k8s.io/v1` Table): the columns and cells `kubectl get`
 * shows, computed by the server itself: the built-in kinds' printers, and for a custom resource
 * its `additionalPrinterColumns` (JSONPath into arrays, `type` and `format` applied, `date`
 * columns printed as ages). Asked for with `?as=Table` on the gateway's list.
 */
export interface ServerTable {
  columnDefinitions: PrinterColumn[];
  rows: Array<{ cells: Json[]; object?: { metadata?: { uid?: string; name?: string; namespace?: string } } }>;
}

export interface PrinterColumn {
  name: string;
  /** `integer`, `number`, `string`, `boolean`, `date` (OpenAPI types, as the CRD declares them). */
  type: string;
  format?: string;
  description?: string;
  /** 0: shown by `kubectl get`; above 0: only with `-o wide`. */
  priority: number;
}

/** The columns of a table, whatever shape the answer had. */
export function printerColumns(table: Json): PrinterColumn[] {
  return asArray(asObject(table)['columnDefinitions'])
    .map(asObject)
    .map((c) => ({ name: text(c['name']), type: text(c['type']), format: asString(c['format']), description: asString(c['description']), priority: asNumber(c['priority']) ?? 0 }));
}

/** Each row's cells by its object's uid (or namespace/name), printed as kubectl prints them. */
export function cellsByObject(table: Json): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of asArray(asObject(table)['rows']).map(asObject)) {
    const metadata = asObject(asObject(row['object'])['metadata']);
    const id = asString(metadata['uid']) ?? `${text(metadata['namespace'])}/${text(metadata['name'])}`;
    out.set(id, asArray(row['cells']).map(printCell));
  }
  return out;
}

/**
 * One cell as `kubectl get` prints it (cli-runtime's table printer): nothing for a missing
 * value, a string up to its first line break (then `...`), anything else as printed text.
 */
export function printCell(cell: Json): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell !== 'string') return text(cell);
  const end = cell.search(/[\f\n\r]/);
  return end >= 0 ? `${cell.slice(0, end)}...` : cell;
}

/**
 * One row of a printed table read without its object (`includeObject=None`): the namespace the
 * table was asked for (rows then carry none of their own), the Name cell, and every cell by its
 * column's name, printed as kubectl prints it.
 */
export interface PrintedRow {
  namespace?: string;
  name: string;
  cells: Record<string, string>;
}

/**
 * The rows of a table asked for in `namespace` (undefined for a cluster-scoped kind) without
 * objects. The name is the `name`-formatted column's cell (the API server's first column), as
 * `kubectl get` prints it. Rows without a name are left out.
 */
export function printedRows(table: Json, namespace: string | undefined): PrintedRow[] {
  const columns = printerColumns(table);
  const nameAt = Math.max(0, columns.findIndex((c) => c.format === 'name'));
  const out: PrintedRow[] = [];
  for (const row of asArray(asObject(table)['rows']).map(asObject)) {
    const cells = asArray(row['cells']).map(printCell);
    const name = cells[nameAt];
    if (!name) continue;
    const byName: Record<string, string> = {};
    columns.forEach((column, i) => (byName[column.name] = cells[i] ?? ''));
    out.push({ namespace, name, cells: byName });
  }
  return out;
}
