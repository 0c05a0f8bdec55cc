import { ChangeDetectionStrategy, Component, computed, effect, inject, OnInit, signal, untracked } from '@angular/core';
import { DestroyRef } from '@angular/core';
import { NavigationEnd, Router } from '@angular/router';
import type { ClusterSummary } from '@cairn/api-contracts';
import { ApiClient, ApiError, ConsoleContext, UserClusterStore, userClusterLabel } from '@cairn/data-access';

/**
 * The cluster switcher and namespace picker in the top bar. The choice lives in the URL
 * (`?cluster=…&ns=…`) so every view can be shared as a link, and in the console context
 * every remote reads. A user who may not list namespaces (a tenant, seed 002) picks from
 * the namespaces the console found for them (the administrator's CAIRN_NAMESPACE_DISCOVERY,
 * each checked with their own rights) and those they typed before, or types one.
 */
@Component({
  selector: 'cairn-context-bar',
  template: `
    @if (signedOut()) {
      <span class="muted">Sign in to see your clusters</span>
    } @else if (clusters().length === 0) {
      <span class="muted">{{ loading() ? 'Loading clusters…' : 'No cluster configured' }}</span>
    } @else {
      <label class="field">
        <span class="label">Cluster</span>
        <select [value]="context.cluster() ?? ''" (change)="chooseCluster($any($event.target).value)" aria-label="Cluster">
          @for (c of clusters(); track c.name) {
            <option [value]="c.name" [selected]="c.name === context.cluster()">{{ label(c.name) }}</option>
          }
        </select>
      </label>
      <label class="field">
        <span class="label">Namespace</span>
        <input list="cairn-namespaces" [value]="context.namespace() ?? ''" [placeholder]="mayNotList() ? (namespaces().length ? 'Pick your namespace' : 'Type your namespace') : 'All namespaces'" aria-label="Namespace"
          [attr.aria-describedby]="mayNotList() ? 'cairn-namespace-hint' : null"
          (change)="chooseNamespace($any($event.target).value)" autocomplete="off" spellcheck="false" />
        <datalist id="cairn-namespaces">
          @for (ns of namespaces(); track ns) {
            <option [value]="ns"></option>
          }
        </datalist>
      </label>
      @if (mayNotList()) {
        <!-- Said in words, not only on hover: phones have no hover, and the placeholder says the short form there. -->
        <span class="muted hint" id="cairn-namespace-hint">{{ hint() }}</span>
      }
    }
  `,
  styles: `
    :host { display: flex; align-items: center; gap: 0.5rem; min-width: 0; }
    .field { display: flex; align-items: center; gap: 0.25rem; min-width: 0; }
    .label { font-size: 0.75rem; opacity: 0.8; }
    select, input { font: inherit; font-size: 0.875rem; padding: 0.125rem 0.375rem; border-radius: 4px; border: 1px solid rgb(255 255 255 / 30%);
      background: rgb(255 255 255 / 10%); color: inherit; max-width: 12rem; }
    select option { color: var(--cairn-text); background: var(--cairn-surface); }
    .muted { opacity: 0.75; font-size: 0.875rem; }
    .hint { font-size: 0.75rem; max-width: 16rem; line-height: 1.2; }
    @media (max-width: 720px) {
      .label { display: none; }
      .hint { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
      .field { flex: 1 1 0; }
      select, input { max-width: none; width: 100%; min-height: 2.75rem; box-sizing: border-box; font-size: 1rem; }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ContextBar implements OnInit {
  private readonly api = inject(ApiClient);
  private readonly userClusters = inject(UserClusterStore);
  private readonly destroyRef = inject(DestroyRef);
  private readonly router = inject(Router);
  protected readonly context = inject(ConsoleContext);
  protected readonly clusters = signal<ClusterSummary[]>([]);
  /** The namespaces listed from the cluster, when the user may list them. */
  private readonly listed = signal<string[]>([]);
  /** What the picker offers: the listed namespaces, or the ones the user gave (updated as soon as any view adds one). */
  protected readonly namespaces = computed(() => {
    this.context.settingsVersion();
    const cluster = this.context.cluster();
    return this.mayNotList() && cluster ? this.context.allowedNamespaces(cluster) : this.listed();
  });
  protected readonly mayNotList = signal(false);
  /** Said beside the field to someone who may not list namespaces: whether any were found for them, and the bound if it was hit. */
  protected readonly hint = computed(() => {
    const cluster = this.context.cluster();
    const found = cluster ? this.context.found()[cluster] : undefined;
    const offered = found?.namespaces.length
      ? `You may not list namespaces: pick one of the ${found.namespaces.length} found for you, or type another.`
      : 'You may not list namespaces here: type yours; it is remembered in this browser.';
    // The bound's whole message is on the home card; the top bar has room for a few words.
    return found?.limited ? `${offered} Only the first ${found.limited.limit} candidates were checked.` : offered;
  });
  protected readonly signedOut = signal(false);
  protected readonly loading = signal(true);
  /**
   * The cluster and namespace of the address the page was opened at, read before anything runs:
   * the router may finish its first navigation (and the URL be synced to an empty choice)
   * before the clusters have been listed.
   */
  private readonly opened = new URLSearchParams(location.search);
  /** The address's cluster after the last navigation. */
  private urlCluster = this.opened.get('cluster') ?? undefined;

  constructor() {
    // Keep the URL in step with the choice, so the page can be shared as it is.
    effect(() => this.syncUrl(this.context.cluster(), this.context.namespace()));
    const navigations = this.router.events.subscribe((event) => {
      if (!(event instanceof NavigationEnd)) return;
      if (this.adoptUrlCluster()) return;
      this.syncUrl(this.context.cluster(), this.context.namespace(), true);
    });
    inject(DestroyRef).onDestroy(() => navigations.unsubscribe());
    effect(() => {
      const cluster = this.context.cluster();
      if (cluster) void this.loadNamespaces(cluster);
    });
  }

  /** A cluster added in this browser by the name the user gave it ("staging (added)"), not `user:staging`. */
  protected label(cluster: string): string {
    const added = userClusterLabel(cluster);
    return added === undefined ? cluster : `${added} (added)`;
  }

  async ngOnInit(): Promise<void> {
    // A cluster added, renamed or removed on the clusters page shows here at once, not after a reload.
    const stop = this.userClusters.subscribe(() => void this.api.clusters().then((clusters) => this.clusters.set(clusters)).catch(() => undefined));
    this.destroyRef.onDestroy(stop);
    try {
      const clusters = await this.api.clusters();
      this.clusters.set(clusters);
      const params = this.opened;
      const wanted = params.get('cluster');
      const chosen = clusters.find((c) => c.name === wanted)?.name ?? this.context.cluster() ?? clusters[0]?.name;
      if (chosen) {
        this.context.selectCluster(chosen);
        const ns = params.get('ns');
        if (ns) this.context.selectNamespace(ns);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.signedOut.set(true);
    } finally {
      this.loading.set(false);
    }
  }

  /**
   * Puts the cluster and namespace in the current page's URL, once the router knows the page.
   * Never while another navigation runs: a new navigation cancels the running one (the home
   * page's redirect of a signed-out visitor to `/sign-in` was lost that way), and the
   * `NavigationEnd` that follows syncs the URL anyway (`ending`: called from that event, while
   * the router still holds the navigation that has just succeeded).
   */
  private syncUrl(cluster: string | undefined, ns: string | undefined, ending = false): void {
    if (!this.router.navigated || (!ending && untracked(this.router.currentNavigation))) return;
    const tree = this.router.parseUrl(this.router.url);
    if ((tree.queryParams['cluster'] ?? undefined) === cluster && (tree.queryParams['ns'] ?? undefined) === ns) return;
    const queryParams = { ...tree.queryParams };
    if (cluster) queryParams['cluster'] = cluster;
    else delete queryParams['cluster'];
    if (ns) queryParams['ns'] = ns;
    else delete queryParams['ns'];
    tree.queryParams = queryParams;
    void this.router.navigateByUrl(tree, { replaceUrl: true });
  }

  /**
   * A link to another of the user's clusters (`?cluster=b`: a merged list's row, a problem on
   * another home card, a search result) makes it the current cluster, with the link's namespace;
   * without this the URL would be synced back to the cluster chosen before. True when adopted
   * (the effect then syncs the URL).
   */
  private adoptUrlCluster(): boolean {
    const params = this.router.parseUrl(this.router.url).queryParams;
    const wanted = typeof params['cluster'] === 'string' ? params['cluster'] : undefined;
    const before = this.urlCluster;
    this.urlCluster = wanted;
    // Only a navigation that changed the address's cluster: one that merely kept a cluster chosen meanwhile (in the top bar) must not undo the choice.
    if (!wanted || wanted === before || wanted === this.context.cluster() || !this.clusters().some((c) => c.name === wanted)) return false;
    this.context.selectCluster(wanted);
    if (typeof params['ns'] === 'string') this.context.selectNamespace(params['ns']);
    return true;
  }

  protected chooseCluster(name: string): void {
    this.context.selectCluster(name || undefined);
  }

  protected chooseNamespace(value: string): void {
    const ns = value.trim() || undefined;
    const cluster = this.context.cluster();
    if (ns && cluster && this.mayNotList() && !this.context.allowedNamespaces(cluster).includes(ns)) {
      this.context.setAllowedNamespaces(cluster, [...this.context.allowedNamespaces(cluster), ns]);
    }
    this.context.selectNamespace(ns);
  }

  private async loadNamespaces(cluster: string): Promise<void> {
    try {
      const list = await this.api.list(cluster, { group: 'core', version: 'v1', resource: 'namespaces' });
      this.mayNotList.set(false);
      this.listed.set(list.items.map((n) => n.metadata.name).sort());
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        this.mayNotList.set(true);
        void this.context.findNamespaces(this.api, cluster);
      } else if (err instanceof ApiError && err.status === 401) {
        this.signedOut.set(true);
      }
    }
  }
}
