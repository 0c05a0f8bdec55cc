import { ChangeDetectionStrategy, Component, computed, DestroyRef, ElementRef, inject, OnInit, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ClusterSummary, USER_CLUSTER_PREFIX } from '@cairn/api-contracts';
import { ApiClient, ApiError, ConsoleContext, UserCluster, UserClusterStore, userClusterName, userClusterNameProblem } from '@cairn/data-access';
import { Confirmation, EmptyState, Notice, NoticeTone, TimeAgo } from '@cairn/ui-kit';
import { AddCluster } from '../add-cluster/add-cluster';
import { ClusterFacts, loadClusterFacts, messageOf } from '../cluster-facts';
import { Reachability } from '../reachability/reachability';

/** One row of the home: a configured cluster, or one this browser added. */
interface ClusterRow {
  /** The console's name for it (`user:<name>` when added). */
  cluster: string;
  /** What people read. */
  label: string;
  server?: string;
  added?: UserCluster;
  summary?: ClusterSummary;
}

/**
 * `/clusters`: every cluster the user can reach — configured by whoever runs the console, and
 * added from the user's own kubeconfig in this browser — with whether it answers, its version
 * and who the user is there; adding, renaming and removing the user's own.
 */
@Component({
  selector: 'cairn-clusters-home',
  imports: [RouterLink, AddCluster, Reachability, EmptyState, Notice, TimeAgo],
  templateUrl: './clusters-home.html',
  styleUrl: './clusters-home.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClustersHome implements OnInit {
  private readonly api = inject(ApiClient);
  private readonly store = inject(UserClusterStore);
  private readonly context = inject(ConsoleContext);
  private readonly confirmation = inject(Confirmation);

  private readonly configured = signal<ClusterSummary[]>([]);
  private readonly added = signal<readonly UserCluster[]>([]);
  protected readonly facts = signal<Record<string, ClusterFacts>>({});
  protected readonly loading = signal(true);
  protected readonly configuredError = signal<string | undefined>(undefined);
  protected readonly storeError = signal<string | undefined>(undefined);
  protected readonly signedOut = signal(false);
  protected readonly adding = signal(false);
  /** The last thing done (or what went wrong doing it), read out by screen readers. */
  protected readonly notice = signal<{ tone: NoticeTone; text: string } | undefined>(undefined);

  /** Contexts of the console's own configuration that cannot be used, with the reason. */
  protected readonly unusable = signal<ClusterSummary[]>([]);
  protected readonly renaming = signal<string | undefined>(undefined);
  protected readonly renameValue = signal('');
  protected readonly renameError = signal<string | undefined>(undefined);

  private readonly addButton = viewChild<ElementRef<HTMLButtonElement>>('addButton');
  private readonly table = viewChild<ElementRef<HTMLElement>>('clustersTable');

  protected readonly rows = computed<ClusterRow[]>(() => [
    ...this.configured()
      .filter((c) => !c.name.startsWith(USER_CLUSTER_PREFIX))
      .map((c) => ({ cluster: c.name, label: c.name, server: c.server, summary: c })),
    ...this.added().map((c) => ({ cluster: userClusterName(c.name), label: c.name, server: c.server, added: c })),
  ]);

  protected readonly configuredClusters = computed(() => this.configured());
  protected readonly takenNames = computed(() => this.added().map((c) => c.name));

  constructor() {
    const stop = this.store.subscribe((all) => {
      this.added.set(all);
      this.loadFactsOf(all.map((c) => userClusterName(c.name)));
    });
    inject(DestroyRef).onDestroy(stop);
  }

  async ngOnInit(): Promise<void> {
    await this.refresh();
  }

  /** Reads both lists again and asks every cluster again. */
  protected async refresh(): Promise<void> {
    this.loading.set(true);
    this.facts.set({});
    await Promise.all([this.loadConfigured(), this.loadAdded()]);
    this.loading.set(false);
    this.loadFactsOf(this.rows().map((r) => r.cluster));
  }

  private async loadConfigured(): Promise<void> {
    try {
      const configured = await this.api.configured();
      this.configured.set(configured.filter((c) => !c.problem));
      this.unusable.set(configured.filter((c) => c.problem));
      this.configuredError.set(undefined);
      this.signedOut.set(false);
    } catch (err) {
      this.signedOut.set(err instanceof ApiError && err.status === 401);
      this.configuredError.set(messageOf(err));
    }
  }

  private async loadAdded(): Promise<void> {
    try {
      this.added.set(await this.store.list());
      this.storeError.set(undefined);
    } catch (err) {
      this.storeError.set(messageOf(err));
    }
  }

  /** Asks each cluster not asked yet; rows fill in as the answers come. */
  private loadFactsOf(clusters: string[]): void {
    for (const cluster of clusters) {
      if (this.facts()[cluster]) continue;
      this.facts.update((all) => ({ ...all, [cluster]: { loading: true } }));
      void loadClusterFacts(this.api, cluster).then((facts) => this.facts.update((all) => (all[cluster] ? { ...all, [cluster]: facts } : all)));
    }
  }

  protected groupsOf(facts: ClusterFacts | undefined): string {
    return (facts?.who?.groups ?? []).filter((g) => g !== 'system:authenticated').join(', ');
  }

  protected openAdd(): void {
    this.adding.set(true);
    this.notice.set(undefined);
  }

  protected closeAdd(): void {
    this.adding.set(false);
    setTimeout(() => this.addButton()?.nativeElement.focus());
  }

  protected onAdded(names: string[]): void {
    this.adding.set(false);
    this.notice.set({ tone: 'ok', text: names.length === 1 ? `Added ${names[0]}. It is kept in this browser only.` : `Added ${names.join(', ')}. They are kept in this browser only.` });
    setTimeout(() => this.table()?.nativeElement.focus());
  }

  protected startRename(row: ClusterRow): void {
    this.renaming.set(row.label);
    this.renameValue.set(row.label);
    this.renameError.set(undefined);
    this.focusAction(`rename-input-${row.label}`);
  }

  protected cancelRename(): void {
    const name = this.renaming();
    this.renaming.set(undefined);
    if (name) this.focusAction(`rename-${name}`);
  }

  protected async saveRename(from: string): Promise<void> {
    const to = this.renameValue().trim();
    if (to === from) return this.cancelRename();
    const problem = userClusterNameProblem(to, this.takenNames());
    if (problem) return this.renameError.set(problem);
    try {
      await this.store.rename(from, to);
      this.carrySettings(userClusterName(from), userClusterName(to));
      this.facts.update((all) => {
        const { [userClusterName(from)]: facts, ...rest } = all;
        return facts ? { ...rest, [userClusterName(to)]: facts } : rest;
      });
      this.renaming.set(undefined);
      this.notice.set({ tone: 'ok', text: `Renamed ${from} to ${to}.` });
      this.focusAction(`rename-${to}`);
    } catch (err) {
      this.renameError.set(messageOf(err));
    }
  }

  /** Asks first (the dialog gives focus back to the button when the user keeps it), then forgets the cluster. */
  protected async remove(row: ClusterRow): Promise<void> {
    const name = row.label;
    this.renaming.set(undefined);
    const sure = await this.confirmation.confirm({
      title: `Remove ${name} from this browser?`,
      message: `Only this browser forgets it: the cluster itself is not changed. You can add it again from your kubeconfig.`,
      confirm: 'Remove',
      danger: true,
    });
    if (!sure) return;
    try {
      await this.store.remove(name);
      if (this.context.cluster() === userClusterName(name)) this.context.selectCluster(this.configured().find((c) => !c.name.startsWith(USER_CLUSTER_PREFIX))?.name);
      this.notice.set({ tone: 'ok', text: `Removed ${name} from this browser.` });
      // Its row, and the button that opened the dialog, are gone: the table takes the focus.
      setTimeout(() => this.table()?.nativeElement.focus());
    } catch (err) {
      this.notice.set({ tone: 'error', text: `Could not remove ${name}: ${messageOf(err)}` });
    }
  }

  /** The per-cluster settings follow a renamed cluster. */
  private carrySettings(from: string, to: string): void {
    const allowed = this.context.allowedNamespaces(from);
    if (allowed.length) this.context.setAllowedNamespaces(to, allowed);
    if (this.context.cluster() === from) {
      const namespace = this.context.namespace();
      this.context.selectCluster(to);
      this.context.selectNamespace(namespace);
    }
  }

  private focusAction(id: string): void {
    setTimeout(() => (document.getElementById(id) as HTMLElement | null)?.focus());
  }
}
