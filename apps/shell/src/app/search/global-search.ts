import { Dialog, DialogRef } from '@angular/cdk/dialog';
import { Overlay } from '@angular/cdk/overlay';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, Injector, signal, untracked } from '@angular/core';
import { Router } from '@angular/router';
import type { ClusterSummary, SearchEvent, SearchKind, SearchTarget } from '@cairn/api-contracts';
import { ApiClient, ConsoleContext } from '@cairn/data-access';
import { parseSearchQuery } from '@cairn/kube-model';
import { PaletteGroup, PaletteOption, SearchPalette } from '@cairn/ui-kit-search';
import { RecentSearches } from './recent-searches';

/** Milliseconds typing must pause before a search starts (each keystroke would otherwise start, and cancel, one). */
const TYPING_PAUSE_MS = 250;

/** One kind's results in one cluster, as they arrive. */
interface KindResults extends SearchKind {
  items: Array<{ namespace?: string; name: string }>;
  /** Its list was cut at CAIRN_SEARCH_MAX_PAGES. */
  cut: boolean;
}

/**
 * Global search (Ctrl-K, or `/` outside a text field): objects of every kind by name, label
 * selector or `kind:`, in every cluster of the user (configured and added in this browser), read
 * by the gateway with the user's own credentials and shown as they arrive, grouped by kind, each a
 * link to its page. In a cluster where the user may not list across namespaces, the namespaces
 * the console knows for them are searched: those they gave (the namespace picker), the cluster's
 * default, and the one chosen now. A new query cancels the one running (its request is aborted,
 * and with it the gateway's reads). Recent searches are kept in this browser.
 */
@Component({
  selector: 'cairn-global-search',
  imports: [SearchPalette],
  template: `
    <cairn-search-palette
      label="Search every cluster"
      placeholder="Name, app=web, kind:deploy…"
      [groups]="groups()"
      [status]="status()"
      [busy]="running()"
      [(query)]="query"
      (activate)="open($event.option, $event.event)"
    >
      <div class="cairn-search-foot">
        @if (!query().trim() && recent.searches().length) {
          <button type="button" class="cairn-search-clear" (click)="recent.clear()">Clear recent searches</button>
        }
        <span class="cairn-search-keys" aria-hidden="true"><kbd>↑</kbd><kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close</span>
        <button type="button" class="cairn-search-close" (click)="ref.close()">Close</button>
      </div>
    </cairn-search-palette>
  `,
  styles: `
    .cairn-search-foot { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; padding: 0.5rem 0.875rem; border-top: 1px solid var(--cairn-border, #d0d7de);
      font-size: 0.8125rem; color: var(--cairn-muted, #57606a); margin-top: auto; }
    .cairn-search-keys { margin-right: auto; }
    .cairn-search-keys kbd { font: inherit; font-size: 0.75rem; padding: 0 0.3rem; border: 1px solid var(--cairn-border, #d0d7de); border-radius: 4px; margin-right: 0.125rem; }
    .cairn-search-foot button { font: inherit; font-size: 0.8125rem; padding: 0.25rem 0.625rem; min-height: 2rem; border-radius: 6px; border: 1px solid var(--cairn-border, #d0d7de);
      background: var(--cairn-surface, #fff); color: var(--cairn-text, #1f2328); cursor: pointer; }
    @media (max-width: 560px) {
      .cairn-search-keys { display: none; }
      .cairn-search-foot { justify-content: space-between; }
      .cairn-search-foot button { min-height: 2.75rem; }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GlobalSearch {
  protected readonly ref = inject(DialogRef);
  protected readonly recent = inject(RecentSearches);
  private readonly api = inject(ApiClient);
  private readonly context = inject(ConsoleContext);
  private readonly router = inject(Router);

  protected readonly query = signal('');
  protected readonly running = signal(false);
  private readonly kinds = signal<KindResults[]>([]);
  private readonly skipped = signal(0);
  private readonly notes = signal<string[]>([]);
  private readonly finished = signal(false);
  private clusters: Promise<ClusterSummary[]> | undefined;
  private current: AbortController | undefined;

  constructor() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      const q = this.query().trim();
      untracked(() => {
        clearTimeout(timer);
        this.current?.abort();
        this.reset();
        if (q) timer = setTimeout(() => void this.run(q), TYPING_PAUSE_MS);
      });
    });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(timer);
      this.current?.abort();
    });
  }

  protected readonly groups = computed<PaletteGroup[]>(() => {
    if (!this.query().trim()) {
      const recent = this.recent.searches();
      return recent.length ? [{ id: 'recent', label: 'Recent searches', options: recent.map((q, i) => ({ id: `recent-${i}`, label: q })) }] : [];
    }
    const manyClusters = new Set(this.kinds().map((k) => k.cluster)).size > 1;
    return this.kinds()
      .filter((k) => k.items.length)
      .map((k) => ({
        id: `${k.cluster}|${k.group}|${k.resource}`,
        label: manyClusters ? `${k.kind} · ${k.cluster}` : k.kind,
        count: `${k.items.length}${k.cut ? '+' : ''}`,
        options: k.items.map((item) => ({
          id: `${k.cluster}|${k.group}|${k.resource}|${item.namespace ?? ''}|${item.name}`,
          label: item.name,
          detail: [item.namespace, manyClusters ? undefined : k.cluster].filter(Boolean).join(' · ') || 'cluster-wide',
          href: this.router.serializeUrl(
            this.router.createUrlTree(['/workloads', 'other', k.group, k.version, k.resource, item.namespace ?? '_', item.name], { queryParams: { cluster: k.cluster } }),
          ),
        })),
      }));
  });

  protected readonly status = computed(() => {
    if (!this.query().trim()) return this.recent.searches().length ? '' : 'Search by name, by label (app=web, tier!=db, env in (a,b)) or by kind (kind:Deployment web, kind:po).';
    const found = this.kinds().reduce((n, k) => n + k.items.length, 0);
    const parts = [this.finished() ? `${found} found` : found ? `${found} found so far…` : this.running() ? 'Searching…' : ''];
    if (this.skipped()) parts.push(`${this.skipped()} kinds or namespaces skipped (you may not list them)`);
    return [...parts.filter(Boolean), ...this.notes()].join('. ');
  });

  protected open(option: PaletteOption, event?: MouseEvent): void {
    if (!option.href) {
      // A recent search: run it again.
      this.query.set(option.label);
      event?.preventDefault();
      return;
    }
    this.recent.record(this.query());
    // A modified click (new tab or window) is the browser's.
    if (event && (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)) return;
    event?.preventDefault();
    this.ref.close();
    void this.router.navigateByUrl(option.href);
  }

  /** Starts with `text` as the query, as if typed into the field. */
  type(text: string): void {
    this.query.set(text);
  }

  private reset(): void {
    this.kinds.set([]);
    this.skipped.set(0);
    this.notes.set([]);
    this.finished.set(false);
    this.running.set(false);
  }

  private async run(q: string): Promise<void> {
    // The gateway's own rule, checked here first: a query it would refuse is explained at once, and not sent.
    const parsed = parseSearchQuery(q);
    if ('problem' in parsed) {
      this.notes.set([`Not a search Cairn can run: ${parsed.problem.replace(/\.$/, '')}`]);
      return;
    }
    const abort = new AbortController();
    this.current = abort;
    this.running.set(true);
    try {
      const targets = await this.targets();
      if (abort.signal.aborted) return;
      if (!targets.length) {
        this.notes.set(['No cluster to search: sign in, or add a cluster']);
        return;
      }
      await this.api.search(q, targets, (event) => this.take(event), abort.signal);
      if (!abort.signal.aborted) this.finished.set(true);
    } catch (err) {
      if (!abort.signal.aborted) this.notes.update((n) => [...n, (err as Error).message.replace(/\.$/, '')]);
    } finally {
      if (this.current === abort) this.running.set(false);
    }
  }

  private take(event: SearchEvent): void {
    switch (event.type) {
      case 'results': {
        const { type: _type, items, ...kind } = event;
        this.kinds.update((all) => {
          const at = all.findIndex((k) => k.cluster === kind.cluster && k.group === kind.group && k.resource === kind.resource);
          if (at < 0) return [...all, { ...kind, items, cut: false }];
          const next = [...all];
          next[at] = { ...all[at], items: [...(all[at]?.items ?? []), ...items] } as KindResults;
          return next;
        });
        break;
      }
      case 'skipped':
        this.skipped.update((n) => n + 1);
        break;
      case 'cluster':
        if (event.unknownKinds.length) this.notes.update((n) => [...n, `${event.cluster} serves no kind named ${event.unknownKinds.join(', ')}`]);
        break;
      case 'cluster-error':
        this.notes.update((n) => [...n, event.message.replace(/\.$/, '')]);
        break;
      case 'truncated':
        if (event.kind) {
          const cut = event.kind;
          this.kinds.update((all) => all.map((k) => (k.cluster === cut.cluster && k.group === cut.group && k.resource === cut.resource ? { ...k, cut: true } : k)));
        }
        this.notes.update((n) => [...n, event.message.replace(/\.$/, '')]);
        break;
      case 'done':
        break;
    }
  }

  /** Every cluster of the user, each with the namespaces the console knows for them there. */
  private async targets(): Promise<SearchTarget[]> {
    this.clusters ??= this.api.clusters().catch((err: unknown) => {
      this.clusters = undefined;
      throw err;
    });
    const clusters = (await this.clusters).filter((c) => !c.problem);
    return clusters.slice(0, 10).map((c) => {
      const chosen = c.name === this.context.cluster() ? this.context.namespace() : undefined;
      const namespaces = [...new Set([...this.context.allowedNamespaces(c.name), ...(c.namespace ? [c.namespace] : []), ...(chosen ? [chosen] : [])])].slice(0, 50);
      return namespaces.length ? { cluster: c.name, namespaces } : { cluster: c.name };
    });
  }
}

/**
 * Opens the search dialog in `injector`'s context, with what was `typed` before it could open as
 * its query, and returns its handle. Loaded on the first
 * Ctrl-K (see `GlobalSearchOpener`), so the dialog, the CDK overlay and the palette cost the
 * shell's first load nothing.
 */
export function openGlobalSearch(injector: Injector, typed = ''): DialogRef<unknown, GlobalSearch> {
  const overlay = injector.get(Overlay);
  const ref = injector.get(Dialog).open(GlobalSearch, {
    ariaLabel: 'Search every cluster',
    ariaModal: true,
    autoFocus: 'input',
    restoreFocus: true,
    hasBackdrop: true,
    // Near the top, where results grow downwards; the whole screen on a phone.
    positionStrategy: overlay.position().global().centerHorizontally().top(window.innerWidth <= 560 ? '0' : '8vh'),
  });
  if (typed) ref.componentInstance?.type(typed);
  return ref;
}
