import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ApiError, ConsoleContext } from '@cairn/data-access';
import type { HelmReleaseList, HelmReleaseRow } from '@cairn/api-contracts';
import { MAX_HELM_RELEASES } from '@cairn/api-contracts';
import { helmStatus, Status } from '@cairn/kube-model';
import { EmptyState, ForbiddenState, NoCluster, Notice, StatusBadge, TimeAgo } from '@cairn/ui-kit';

/**
 * `/workloads/helm`: the Helm releases of the chosen namespace (or of every namespace), the
 * latest revision of each, as the gateway decodes them from Helm's storage with the user's
 * credentials. Read when the page opens and on Refresh (Helm's storage is not watched: a
 * release's revisions are written by `helm` runs, not continuously). Read-only.
 */
@Component({
  selector: 'cairn-helm-releases',
  imports: [RouterLink, EmptyState, ForbiddenState, NoCluster, Notice, StatusBadge, TimeAgo],
  templateUrl: './helm-releases.html',
  styleUrl: './helm.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HelmReleases {
  private readonly api = inject(ApiClient);
  protected readonly context = inject(ConsoleContext);
  protected readonly max = MAX_HELM_RELEASES;
  protected readonly answer = signal<HelmReleaseList | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly loading = signal(false);
  protected readonly readAt = signal<string | undefined>(undefined);
  private asked = 0;

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      untracked(() => void this.read(cluster, namespace));
    });
  }

  protected refresh(): void {
    void this.read(this.context.cluster(), this.context.namespace());
  }

  private async read(cluster: string | undefined, namespace: string | undefined): Promise<void> {
    const ask = ++this.asked;
    this.answer.set(undefined);
    this.error.set(undefined);
    if (!cluster) return;
    this.loading.set(true);
    try {
      const answer = await this.api.helmReleases(cluster, namespace);
      if (ask !== this.asked) return;
      this.answer.set(answer);
      this.readAt.set(new Date().toISOString());
    } catch (err) {
      if (ask !== this.asked) return;
      this.error.set(err instanceof ApiError ? err : new ApiError(0, (err as Error).message));
    } finally {
      if (ask === this.asked) this.loading.set(false);
    }
  }

  protected status(row: HelmReleaseRow): Status {
    return helmStatus(row.status);
  }

  protected rowKey(row: HelmReleaseRow): string {
    return `${row.namespace}/${row.object}`;
  }
}
