import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ApiResource } from '@cairn/api-contracts';
import { ConsoleContext } from '@cairn/data-access';
import { NoCluster, Notice } from '@cairn/ui-kit';
import { KindResolver } from '../kind-resolver';
import { CreateButton } from '../create/create-button';
import { genericKind, WorkloadKind } from '../workload-kinds';

/** `/workloads/other`: every other kind the cluster serves (CRDs included), from discovery. */
@Component({
  selector: 'cairn-other-kinds',
  imports: [RouterLink, NoCluster, Notice, CreateButton],
  template: `
    <p class="summary">Every kind this cluster serves that can be listed, custom resources included.</p>
    @if (!context.cluster()) {
      <cairn-no-cluster purpose="to see the kinds it serves" />
    } @else if (error(); as e) {
      <cairn-notice tone="error">The cluster's kinds could not be read: {{ e }}</cairn-notice>
    } @else {
      <label class="filter"><span class="visually-hidden">Filter kinds</span>
        <input type="search" [value]="filter()" (input)="filter.set($any($event.target).value)" placeholder="Filter by kind or group" spellcheck="false" /></label>
      @for (g of groups(); track g.group) {
        <section [attr.aria-label]="g.group">
          <h2>{{ g.group === 'core' ? 'core (v1)' : g.group }}</h2>
          <ul>
            @for (r of g.resources; track r.resource) {
              <li><a [routerLink]="['/workloads', 'other', r.group, r.version, r.resource]" queryParamsHandling="preserve">{{ r.kind }}</a>
                <span class="muted">{{ r.resource }} · {{ r.version }}{{ r.namespaced ? '' : ' · cluster-wide' }}</span>
                @if (r.verbs.includes('create')) { <cairn-create-button [kind]="asKind(r)" [compact]="true" /> }</li>
            }
          </ul>
        </section>
      } @empty {
        <p class="muted">{{ loading() ? 'Loading…' : 'No kind matches.' }}</p>
      }
    }
  `,
  styles: `
    .summary, .muted { color: var(--cairn-muted); }
    h2 { font-size: 0.95rem; margin: 1rem 0 0.25rem; }
    ul { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 0.125rem 1rem; }
    li { display: flex; gap: 0.5rem; align-items: baseline; }
    li { flex-wrap: wrap; min-width: 0; }
    li > a { overflow-wrap: anywhere; }
    .muted { font-size: 0.8125rem; overflow-wrap: anywhere; }
    .filter input { font: inherit; padding: 0.3rem 0.5rem; min-width: 18rem; border: 1px solid var(--cairn-border); border-radius: 6px; background: var(--cairn-surface); color: var(--cairn-text); }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OtherKinds {
  protected readonly context = inject(ConsoleContext);
  private readonly resolver = inject(KindResolver);
  private readonly resources = signal<ApiResource[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly filter = signal('');

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      untracked(() => {
        if (!cluster) return;
        this.loading.set(true);
        this.resolver
          .resources(cluster)
          .then((all) => this.resources.set(all.filter((r) => r.preferred && r.verbs.includes('list'))), (err: unknown) => this.error.set((err as Error).message))
          .finally(() => this.loading.set(false));
      });
    });
  }

  /** One descriptor per kind, kept, so each Create button asks once (the reviews of one render go as one batch). */
  private readonly kinds = new Map<ApiResource, WorkloadKind>();
  protected asKind(r: ApiResource): WorkloadKind {
    let kind = this.kinds.get(r);
    if (!kind) this.kinds.set(r, (kind = genericKind(r.group, r.version, r.resource, r.kind, r.namespaced)));
    return kind;
  }

  protected readonly groups = computed(() => {
    const term = this.filter().trim().toLowerCase();
    const byGroup = new Map<string, ApiResource[]>();
    for (const r of this.resources()) {
      if (term && !`${r.kind} ${r.resource} ${r.group}`.toLowerCase().includes(term)) continue;
      byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
    }
    return [...byGroup.entries()]
      .sort(([a], [b]) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)))
      .map(([group, resources]) => ({ group, resources: resources.sort((a, b) => a.kind.localeCompare(b.kind)) }));
  });
}
