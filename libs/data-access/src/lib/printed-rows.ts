import { signal } from '@angular/core';
import { asObject, PrintedRow, printedRows } from '@cairn/kube-model';
import { ApiClient, KindRef } from './api-client';
import { inPool } from './pool';

/** A list across namespaces is printed first only when the cluster has at most this many namespaces (one table each). */
export const MAX_PRINTED_NAMESPACES = 50;
/** Tables asked for at once when printing a list across namespaces (a browser opens at most 6 connections to the console, and the watch stream holds one). */
export const PRINTED_CONCURRENCY = 4;
/** The objects' list waits at most this long (ms) for the printed rows before it is read anyway. */
export const PRINTED_WAIT_MS = 1500;

/** Resolves after the next frame has been drawn (in a page), or on the next turn (elsewhere). */
function afterDrawn(): Promise<void> {
  return new Promise((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(resolve, 0)));
}

export interface PrintedRowsQuery extends KindRef {
  cluster: string;
  /** One namespace; undefined: every namespace of the cluster (a namespaced kind), or a cluster-scoped kind. */
  namespace?: string;
  namespaced: boolean;
}

/**
 * A list's rows as the API server prints them (`kubectl get`'s cells), read without their
 * objects (`includeObject=None`) while the objects themselves are read: for pods a tenth of the
 * bytes, and the API server answers 10 000 of them in well under a second where the whole
 * objects take over one (benchmark 4, `bench/reports/2026-12-01-printed-first.md`).
 *
 * Rows of such a table carry no namespace, so a list across namespaces asks one table per
 * namespace (at most MAX_PRINTED_NAMESPACES, PRINTED_CONCURRENCY at a time), after listing the
 * namespaces and checking that the user may list the kind across the cluster. All or nothing:
 * `rows` stays undefined when any of it fails (the namespaces may not be listed, a namespace's
 * pods may not be, too many namespaces, an answer that is not a Table), the tables still being
 * read are stopped, and the screen then waits for the objects as before. Never followed: the
 * objects' live list replaces these rows.
 */
export class PrintedRows {
  /** Every row, once all tables were read; undefined until then, and for good when one failed. */
  readonly rows = signal<PrintedRow[] | undefined>(undefined);
  /** Why there are no printed rows, once that is known (for tests and the console's log). */
  readonly skipped = signal<string | undefined>(undefined);
  /**
   * Settles once the rows are in and drawn, or will not be (never rejects), or after
   * PRINTED_WAIT_MS: the objects' list waits for it, so that the two do not share the API server
   * and the page while the printed rows are read and drawn.
   */
  readonly done: Promise<void>;
  private readonly abort = new AbortController();

  constructor(
    private readonly api: ApiClient,
    readonly query: PrintedRowsQuery,
    /** At most this many namespaces, one table each (tests cross it with a smaller one). */
    private readonly maxNamespaces = MAX_PRINTED_NAMESPACES,
  ) {
    const read = this.read().then(
      async (rows) => {
        if (this.abort.signal.aborted) return;
        this.rows.set(rows);
        // The objects' list starts once these rows are drawn: its first slices of parsing would
        // otherwise share a task with drawing 10 000 rows (224 ms in benchmark 4, over the 200 a task may take).
        await afterDrawn();
      },
      (err: unknown) => this.skipped.set(err instanceof Error ? err.message : String(err)),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.done = Promise.race([read, new Promise<void>((resolve) => (timer = setTimeout(resolve, PRINTED_WAIT_MS)))]).finally(() => clearTimeout(timer));
  }

  private async read(): Promise<PrintedRow[]> {
    const { cluster, namespace, namespaced } = this.query;
    const kind: KindRef = { group: this.query.group, version: this.query.version, resource: this.query.resource };
    const signal = this.abort.signal;
    const namespaces = !namespaced || namespace !== undefined ? [namespace] : await this.namespaces(kind);
    const tables: PrintedRow[][] = new Array(namespaces.length);
    try {
      await inPool(namespaces, PRINTED_CONCURRENCY, async (ns, i) => {
        if (signal.aborted) throw new Error('stopped');
        const table = await this.api.table(cluster, kind, { namespace: ns, includeObject: 'None' }, signal);
        // A server may answer a list where a Table was asked for (the Accept header allows it): that is not "no rows".
        if (asObject(table)['kind'] !== 'Table') throw new Error(`the cluster answered ${String(asObject(table)['kind'] ?? 'something')} where a Table was asked for`);
        tables[i] = printedRows(table, ns);
      });
    } catch (err) {
      // All or nothing: the first failure stops the tables still being read.
      this.abort.abort();
      throw err;
    }
    if (signal.aborted) throw new Error('stopped');
    return tables.flat();
  }

  /**
   * The cluster's namespaces, if the user may list them and there are at most `maxNamespaces`,
   * and may list `kind` across the cluster as the objects' list will (one object is read to
   * know): someone who may read every namespace's pods but not all at once (RoleBindings) would
   * otherwise see the rows, then be refused.
   */
  private async namespaces(kind: KindRef): Promise<string[]> {
    const [list] = await Promise.all([
      this.api.list(this.query.cluster, { group: 'core', version: 'v1', resource: 'namespaces' }, { limit: this.maxNamespaces }),
      this.api.list(this.query.cluster, kind, { limit: 1 }),
    ]);
    if (list.metadata.continue) throw new Error(`more than ${this.maxNamespaces} namespaces (MAX_PRINTED_NAMESPACES): one table each would be too many requests`);
    return list.items.map((n) => n.metadata.name);
  }

  /** Stops reading; rows not yet shown never will be. */
  stop(): void {
    this.abort.abort();
  }
}
