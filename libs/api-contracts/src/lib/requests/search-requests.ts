import * as z from 'zod/mini';
import { MAX_SEARCH_QUERY, parseSearchQuery } from '@cairn/kube-model';
import { MAX_SEARCH_CLUSTERS, MAX_SEARCH_NAMESPACES } from '../search/search-api';
import { clusterName, kubeName } from './kube-names';
import { jsonQuery } from './gateway-requests';

/** One cluster to search, with the namespaces to read when the caller may not list across it. */
export const SearchTarget = z.strictObject({
  cluster: clusterName,
  /**
   * The console context's namespaces for this cluster (a tenant's): read one by one for each
   * namespaced kind the caller may not list across the cluster. Never more than the caller may
   * list in them: each is read with the caller's credentials.
   */
  namespaces: z.optional(z.array(kubeName('namespace')).check(z.maxLength(MAX_SEARCH_NAMESPACES, { error: `must hold at most ${MAX_SEARCH_NAMESPACES} namespaces per cluster` }))),
});
export type SearchTarget = z.output<typeof SearchTarget>;

const TARGETS_EXAMPLE = '[{"cluster":"main"},{"cluster":"prod","namespaces":["tenant-1"]}]';

/**
 * `GET /api/v1/search?q=…&clusters=[…]`: `q` is global search's query (kube-model's
 * `parseSearchQuery`: name pieces, `kind:` names, label requirements; a query it cannot run is a
 * 400 saying why); `clusters` a JSON array of SearchTarget, each cluster once.
 */
export const SearchQueryParams = z.strictObject({
  q: z.string({ error: 'must be given: a name, a label selector (app=web) or kind:Deployment' }).check(
    z.maxLength(MAX_SEARCH_QUERY, { error: `must be at most ${MAX_SEARCH_QUERY} characters` }),
    z.superRefine((q, ctx) => {
      const parsed = parseSearchQuery(q);
      if ('problem' in parsed) ctx.issues.push({ code: 'custom', message: `is not a search this console can run: ${parsed.problem}`, input: q });
    }),
  ),
  clusters: z.pipe(
    jsonQuery('clusters', TARGETS_EXAMPLE),
    z.array(SearchTarget, { error: `must be a JSON array, e.g. ${TARGETS_EXAMPLE}` }).check(
      z.minLength(1, { error: `must name at least one cluster, e.g. ${TARGETS_EXAMPLE}` }),
      z.maxLength(MAX_SEARCH_CLUSTERS, { error: `must name at most ${MAX_SEARCH_CLUSTERS} clusters per search` }),
      z.refine((list) => new Set(list.map((t) => t.cluster)).size === list.length, { error: 'must name each cluster once' }),
    ),
  ),
});
export type SearchQueryParams = z.output<typeof SearchQueryParams>;
