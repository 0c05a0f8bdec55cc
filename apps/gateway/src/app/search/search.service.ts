import { HttpException, Injectable } from '@nestjs/common';
import type { SearchBound, SearchEvent, SearchHit, SearchKind } from '@cairn/api-contracts';
import type { SearchTarget } from '@cairn/api-contracts/requests';
import { asArray, asObject, asString, nameMatches, requirementsText, parseSearchQuery, searchableKinds, SearchQuery } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { query, resourcePath } from '../kube/resource-paths';
import { DiscoveryService } from '../resources/discovery.service';

/**
 * Metadata only (names, namespaces, labels), as `kubectl get -o name` asks for it: a
 * PartialObjectMetadataList instead of whole objects. A server that cannot (an aggregated API
 * without the conversion) answers its plain list, of which only the metadata is read.
 */
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** How long a list refused with 429 (the caller's request budget, or the API server's) waits before it is asked again. */
const RETRY_AFTER_429_MS = 1000;

/** One list to read: a kind of a cluster, across the cluster or in one namespace. */
interface ListTask {
  caller: Caller;
  target: SearchTarget;
  kind: SearchKind;
  namespace?: string;
}

/** Where a search stands while it runs. */
interface Run {
  emit: (event: SearchEvent) => void;
  signal: AbortSignal;
  stop: (bound?: { bound: SearchBound; limit: number; message: string; kind?: SearchKind }) => void;
  query: SearchQuery;
  labelSelector?: string;
  results: number;
  skipped: number;
  truncated: boolean;
}

/**
 * Global search as the caller: for each cluster, the kinds discovery says may be listed, each
 * read as metadata in pages with the caller's own credentials (server-side `labelSelector`,
 * names matched here), and each page's matches sent as it arrives. Bounded by the
 * CAIRN_SEARCH_* settings: lists in flight at once, pages per kind, objects sent, and a
 * deadline; a bound reached is a `truncated` line naming it, and every upstream request still
 * open is aborted then, as when the browser goes away.
 *
 * A namespaced kind the caller may not list across the cluster is read in each namespace the
 * browser gave for that cluster (the console context's, a tenant's), and what is still refused
 * is skipped and counted: nothing is read with any credential but the caller's, so nothing from
 * a namespace they have no rights in can appear.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly kube: KubeService,
    private readonly discovery: DiscoveryService,
  ) {}

  /**
   * Runs `q` over `targets`, sending lines to `emit` until it ends, `signal` aborts it (the
   * browser left), or a bound stops it; the last line is `done`. `callers` holds the caller of
   * each cluster, or the refusal to say for it.
   */
  async run(q: string, targets: SearchTarget[], callers: Array<Caller | HttpException>, emit: (event: SearchEvent) => void, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    const parsed = parseSearchQuery(q);
    if ('problem' in parsed) throw new Error(parsed.problem); // the request schema refused it already
    const limits = this.kube.limits;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const run: Run = {
      emit,
      signal: abort.signal,
      query: parsed,
      labelSelector: parsed.labels.length ? requirementsText(parsed.labels) : undefined,
      results: 0,
      skipped: 0,
      truncated: false,
      stop: (bound) => {
        if (bound && !run.truncated && !signal.aborted) emit({ type: 'truncated', ...bound });
        if (bound) run.truncated = true;
        abort.abort();
      },
    };
    const deadline = setTimeout(
      () =>
        run.stop({
          bound: 'CAIRN_SEARCH_DEADLINE_SECONDS',
          limit: limits.searchDeadlineSeconds,
          message: `The search stopped after ${limits.searchDeadlineSeconds} s (CAIRN_SEARCH_DEADLINE_SECONDS): what is shown was found by then. Narrow it with kind:… or a label to finish sooner.`,
        }),
      limits.searchDeadlineSeconds * 1000,
    );
    try {
      const queue: ListTask[] = [];
      let discovering = targets.length;
      let wake: (() => void) | undefined;
      const more = () => {
        wake?.();
        wake = undefined;
      };
      // Discovery of every cluster at once (two requests each); each cluster's lists join the queue as soon as its kinds are known.
      targets.forEach((target, i) => {
        const caller = callers[i];
        void this.kindsOf(target, caller, run)
          .then((tasks) => queue.push(...tasks))
          .finally(() => {
            discovering--;
            more();
          });
      });
      const worker = async () => {
        for (;;) {
          if (run.signal.aborted) return;
          const task = queue.shift();
          if (task) {
            await this.read(task, queue, run);
            continue;
          }
          if (!discovering) return;
          await new Promise<void>((resolve) => {
            const prev = wake;
            wake = () => {
              prev?.();
              resolve();
            };
            run.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
      };
      await Promise.all(Array.from({ length: limits.searchConcurrency }, worker));
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      abort.abort();
    }
    if (!signal.aborted) emit({ type: 'done', results: run.results, skipped: run.skipped, truncated: run.truncated, elapsedMs: Date.now() - started });
  }

  /** The lists to read in one cluster, after its discovery; a cluster that cannot be searched says why. */
  private async kindsOf(target: SearchTarget, caller: Caller | HttpException | undefined, run: Run): Promise<ListTask[]> {
    try {
      if (!caller || caller instanceof HttpException) throw caller ?? new Error('no credentials');
      const resources = await this.discovery.resources(target.cluster, caller, run.signal);
      const { kinds, unknown } = searchableKinds(resources, run.query.kinds);
      if (run.signal.aborted) return [];
      run.emit({ type: 'cluster', cluster: target.cluster, kinds: kinds.length, unknownKinds: unknown });
      return kinds.map((r) => ({
        caller,
        target,
        kind: { cluster: target.cluster, group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced },
      }));
    } catch (err) {
      if (!run.signal.aborted) run.emit({ type: 'cluster-error', cluster: target.cluster, message: `Cluster ${target.cluster} could not be searched: ${(err as Error).message}` });
      return [];
    }
  }

  /** Reads one list page by page (at most CAIRN_SEARCH_MAX_PAGES) and sends each page's matches. */
  private async read(task: ListTask, queue: ListTask[], run: Run): Promise<void> {
    const { kind, namespace } = task;
    const limits = this.kube.limits;
    let next: string | undefined;
    for (let page = 0; ; page++) {
      if (run.signal.aborted) return;
      if (page === limits.searchPages) {
        run.truncated = true;
        run.emit({
          type: 'truncated',
          bound: 'CAIRN_SEARCH_MAX_PAGES',
          limit: limits.searchPages,
          kind,
          message: `Only the first ${limits.searchPages} pages of ${limits.searchPageSize} ${kind.resource}${namespace ? ` in ${namespace}` : ''} were read (CAIRN_SEARCH_MAX_PAGES): add a label or kind to the search to find the rest.`,
        });
        return;
      }
      let list: Record<string, unknown>;
      try {
        const path =
          resourcePath({ group: kind.group, version: kind.version, resource: kind.resource, namespace }) +
          query({ labelSelector: run.labelSelector, limit: limits.searchPageSize, continue: next });
        list = asObject(await this.withinBudget(() => this.kube.json(kind.cluster, task.caller, { method: 'GET', path, accept: METADATA_ACCEPT, signal: run.signal }), run.signal));
      } catch (err) {
        if (run.signal.aborted) return;
        const status = err instanceof HttpException ? err.getStatus() : 0;
        // Not allowed across the cluster: each namespace the browser gave for it, one by one.
        if (status === 403 && kind.namespaced && !namespace && task.target.namespaces?.length) {
          queue.unshift(...task.target.namespaces.map((ns) => ({ ...task, namespace: ns })));
          return;
        }
        run.skipped++;
        run.emit({ type: 'skipped', ...kind, reason: status === 403 ? 'forbidden' : 'error', ...(namespace ? { namespace } : {}), ...(status === 403 ? {} : { message: (err as Error).message }) });
        return;
      }
      const items: SearchHit[] = [];
      for (const item of asArray(list['items'])) {
        const meta = asObject(asObject(item)['metadata']);
        const name = asString(meta['name']);
        if (!name || !nameMatches(name, run.query.nameTerms)) continue;
        const ns = asString(meta['namespace']);
        items.push(ns ? { namespace: ns, name } : { name });
      }
      const room = limits.searchResults - run.results;
      const sent = items.slice(0, room);
      if (sent.length) {
        run.results += sent.length;
        run.emit({ type: 'results', ...kind, items: sent });
      }
      if (items.length > room || run.results >= limits.searchResults) {
        if (items.length > room || asString(asObject(list['metadata'])['continue']) || queue.length) {
          run.stop({
            bound: 'CAIRN_SEARCH_MAX_RESULTS',
            limit: limits.searchResults,
            message: `The search stopped at ${limits.searchResults} objects (CAIRN_SEARCH_MAX_RESULTS): add to the name, a label or kind:… to narrow it.`,
          });
        }
        return;
      }
      next = asString(asObject(list['metadata'])['continue']) || undefined;
      if (!next) return;
    }
  }

  /**
   * A search is one request of the browser's but many of the API server's: each counts against
   * the caller's request budget (CAIRN_USER_REQUEST_RATE), and one the budget (or the API server)
   * refuses with 429 waits a second and is asked again, until the search ends or its deadline.
   */
  private async withinBudget<T>(read: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (err) {
        if (!(err instanceof HttpException) || err.getStatus() !== 429 || signal.aborted) throw err;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RETRY_AFTER_429_MS);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (signal.aborted) throw err;
      }
    }
  }
}
