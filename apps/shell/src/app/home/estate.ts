import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { ClusterSummary } from '@cairn/api-contracts';
import { ApiClient, UserClusterStore, userClusterLabel } from '@cairn/data-access';
import { MAX_MERGED_CLUSTERS, mergedClustersParam } from '@cairn/kube-model';
import { Notice } from '@cairn/ui-kit';
import { MFE_MANIFEST } from '../remotes/remotes';
import { ClusterCard } from './cluster-card';
import { RecentPlace, RecentPlaces } from './recent-places';

/**
 * The signed-in home page's body, loaded only once someone is signed in (a lazy chunk of the
 * shell): a card for every cluster the user has — the configured ones and those added in this
 * browser — and their last places.
 */
@Component({
  selector: 'cairn-estate',
  imports: [RouterLink, Notice, ClusterCard],
  template: `
    <section aria-labelledby="clusters-title">
      <h2 id="clusters-title" class="section-title">Your clusters</h2>
      @if (error(); as e) {
        <cairn-notice tone="error">The clusters could not be listed: {{ e }}</cairn-notice>
      } @else if (clusters() === undefined) {
        <p class="muted" role="status">Loading your clusters…</p>
      } @else if (clusters()?.length === 0) {
        <p>No clusters yet.
          @if (hasClusters) { <a routerLink="/clusters">Add your own from a kubeconfig</a>: it stays in this browser. }
        </p>
      } @else {
        <div class="cards">
          @for (c of clusters(); track c.name) {
            <cairn-cluster-card [cluster]="c" />
          }
        </div>
        @if (across(); as clusters) {
          <p class="across">In one list from {{ clusters.count === clusters.of ? 'all ' + clusters.count : 'the first ' + clusters.count + ' of your ' + clusters.of }} clusters:
            <a routerLink="/workloads/pods" [queryParams]="{ clusters: clusters.param }">Pods</a>,
            <a routerLink="/workloads/deployments" [queryParams]="{ clusters: clusters.param }">Deployments</a>
            (choose others in the list's Clusters menu).</p>
        }
      }
    </section>
    <section aria-labelledby="recent-title">
      <h2 id="recent-title" class="section-title">Your last places</h2>
      @if (recent.places().length === 0) {
        <p class="muted">The pages you open are listed here (kept in this browser only).</p>
      } @else {
        <ol class="places">
          @for (p of recent.places(); track p.url) {
            <li>
              <a [href]="p.url" (click)="open($event, p)">{{ p.title }}</a>
              <span class="muted">{{ where(p) }}</span>
            </li>
          }
        </ol>
      }
    </section>
  `,
  styles: `
    :host { display: block; }
    .section-title { font-size: 1.15rem; margin: 1.25rem 0 0.5rem; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); gap: 0.75rem; align-items: start; }
    .muted { color: var(--cairn-muted); }
    .across { margin: 0.75rem 0 0; }
    .places { list-style: none; padding: 0; margin: 0; border: 1px solid var(--cairn-border); border-radius: 8px; background: var(--cairn-surface); }
    .places li { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--cairn-border); min-width: 0; }
    .places li:last-child { border-bottom: 0; }
    .places span { overflow-wrap: anywhere; min-width: 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Estate implements OnInit {
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly userClusters = inject(UserClusterStore);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly recent = inject(RecentPlaces);
  protected readonly hasClusters = inject(MFE_MANIFEST).remotes.some((r) => r.route === 'clusters');
  private readonly hasWorkloads = inject(MFE_MANIFEST).remotes.some((r) => r.route === 'workloads');
  protected readonly clusters = signal<ClusterSummary[] | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  /** Several clusters: links to the workloads lists merged across them (at most MAX_MERGED_CLUSTERS, kube-model's bound). */
  protected readonly across = computed(() => {
    const names = (this.clusters() ?? []).map((c) => c.name);
    const chosen = names.slice(0, MAX_MERGED_CLUSTERS);
    return names.length > 1 && this.hasWorkloads ? { param: mergedClustersParam(chosen), count: chosen.length, of: names.length } : undefined;
  });

  async ngOnInit(): Promise<void> {
    // A cluster added or removed on the clusters page (another tab) shows here at once.
    const stop = this.userClusters.subscribe(() => void this.load());
    this.destroyRef.onDestroy(stop);
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      this.clusters.set(await this.api.clusters());
      this.error.set(undefined);
    } catch (err) {
      this.error.set(err instanceof Error ? err.message : String(err));
    }
  }

  /** Where a place is, in words: its path, cluster and namespace. */
  protected where(place: RecentPlace): string {
    const url = new URL(place.url, 'http://console');
    const cluster = url.searchParams.get('cluster');
    const ns = url.searchParams.get('ns');
    const clusterText = cluster ? (userClusterLabel(cluster) ?? cluster) : undefined;
    return [decodeURIComponent(url.pathname), clusterText && `cluster ${clusterText}`, ns && `namespace ${ns}`].filter(Boolean).join(' · ');
  }

  protected open(event: MouseEvent, place: RecentPlace): void {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void this.router.navigateByUrl(place.url);
  }
}
