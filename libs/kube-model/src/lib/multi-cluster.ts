import type { PrinterColumn } from './server-table';

/**
 * Lists merged across clusters ("several clusters at once", issue 23 item 7): which clusters a
 * merged list reads, how its rows are told apart, and how the API servers' printer columns are
 * joined when they differ. Kubernetes has no rule for this (each API server prints its own
 * `meta.k8s.io/v1` Table, kubectl reads one context at a time), so these are the console's own
 * rules, declared once here for every merged view.
 */

/**
 * Clusters one merged list reads at most. Each chosen cluster costs its own list (or one per
 * namespace for someone who may not list across it), its own watch on the tab's stream and its
 * own printed table, so the fan-out of one page stays bounded. Past it, `mergedClusters` keeps the
 * first ones and says so naming this constant.
 */
export const MAX_MERGED_CLUSTERS = 5;

/** The query parameter that keeps a merged list's clusters in the address: `clusters=a,b`. */
export const MERGED_CLUSTERS_PARAM = 'clusters';

/** The clusters a merged list reads, from its `clusters` parameter, and what was left out. */
export interface MergedClusters {
  /** Known clusters, in the order given, each once, at most MAX_MERGED_CLUSTERS. */
  clusters: string[];
  /** Names given that are not among the user's clusters (a shared link from someone else's browser). */
  unknown: string[];
  /** Known clusters past the bound, left out. */
  overLimit: string[];
  /** What to tell the user when something was left out. */
  problem?: string;
}

/**
 * Reads `clusters=a,b` (comma-separated names; blanks and repeats dropped) against the
 * clusters the user has (`known`, configured and added in this browser). A name with a comma
 * cannot be given this way. Order is kept: the first cluster's columns come first.
 */
export function mergedClusters(param: string | undefined | null, known: readonly string[], max = MAX_MERGED_CLUSTERS): MergedClusters {
  const given = [...new Set((param ?? '').split(',').map((name) => name.trim()).filter(Boolean))];
  const unknown = given.filter((name) => !known.includes(name));
  const wanted = given.filter((name) => known.includes(name));
  const clusters = wanted.slice(0, max);
  const overLimit = wanted.slice(max);
  const problems = [
    ...(unknown.length ? [`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among your clusters (add ${unknown.length === 1 ? 'it' : 'them'} on the Clusters page)`] : []),
    ...(overLimit.length ? [`at most ${max} clusters are listed together (MAX_MERGED_CLUSTERS): ${overLimit.join(', ')} left out; choose fewer`] : []),
  ];
  return { clusters, unknown, overLimit, ...(problems.length ? { problem: `${problems.join('; ')}.` } : {}) };
}

/** The parameter's value for a choice of clusters: their names joined by commas, or undefined for none. */
export function mergedClustersParam(clusters: readonly string[]): string | undefined {
  return clusters.length ? clusters.join(',') : undefined;
}

/**
 * A row's identity in a merged list: `cluster/namespace/name` (`cluster//name` for a
 * cluster-scoped object). Not the uid: the same API server reached twice (a context trusting the
 * OpenID provider and one by impersonation) gives the same object, with the same uid, in two rows.
 */
export function mergedRowKey(cluster: string, object: { metadata: { name: string; namespace?: string } }): string {
  return `${cluster}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** A printer column of a merged list, and where each cluster's table has it. */
export interface MergedPrinterColumn extends PrinterColumn {
  /** The column's index in each cluster's table that prints it; a cluster that does not has no entry. */
  indexIn: Record<string, number>;
}

/** How the clusters' printer columns were joined. */
export interface MergedPrinterColumns {
  columns: MergedPrinterColumn[];
  /** True when the clusters' tables do not have the same column names. */
  differ: boolean;
  /** Per cluster whose table lacks some of the union's columns: which, by name. */
  missing: Array<{ cluster: string; columns: string[] }>;
  /** Columns whose type differs between clusters (sorted as text then), by name. */
  typeConflicts: string[];
}

/**
 * The union by name of the printer columns of each cluster's table (`meta.k8s.io/v1` Table
 * `columnDefinitions`, what `kubectl get` prints there): the first cluster's columns in its order,
 * then each later cluster's new ones in theirs. A column is numeric only where every cluster that
 * prints it gives it the same type (else `string`, listed in `typeConflicts`); it is a `-o wide`
 * column (`priority` above 0) only where every cluster prints it so. A cluster's row has no cell
 * for a column its table lacks (shown empty). Tables not read yet (`columns` undefined) take no part.
 */
export function unionPrinterColumns(tables: ReadonlyArray<{ cluster: string; columns: readonly PrinterColumn[] | undefined }>): MergedPrinterColumns {
  const byName = new Map<string, MergedPrinterColumn>();
  const typeConflicts = new Set<string>();
  const read = tables.filter((t): t is { cluster: string; columns: readonly PrinterColumn[] } => t.columns !== undefined);
  for (const { cluster, columns } of read) {
    columns.forEach((column, index) => {
      const known = byName.get(column.name);
      if (!known) {
        byName.set(column.name, { ...column, indexIn: { [cluster]: index } });
        return;
      }
      known.indexIn[cluster] ??= index;
      if (known.type !== column.type) {
        typeConflicts.add(column.name);
        known.type = 'string';
      }
      known.priority = Math.min(known.priority, column.priority);
    });
  }
  const columns = [...byName.values()];
  const missing = read
    .map(({ cluster }) => ({ cluster, columns: columns.filter((c) => c.indexIn[cluster] === undefined).map((c) => c.name) }))
    .filter((m) => m.columns.length > 0);
  return { columns, differ: missing.length > 0, missing, typeConflicts: [...typeConflicts] };
}
