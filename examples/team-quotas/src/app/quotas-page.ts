import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { ApiClient, ApiError, ConsoleContext, KubeObject } from '@cairn/data-access';
import { EmptyState, ForbiddenState, ResourceTable, TableColumn } from '@cairn/ui-kit';

interface QuotaRow {
  name: string;
  resource: string;
  used: string;
  hard: string;
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * An example of a team's own module: the ResourceQuotas of the namespace chosen in the
 * console's top bar, read with the signed-in user's rights through the console's shared
 * API client, and shown with the console's own UI kit so it looks like the rest of it. It is
 * built and served apart from the console and registered at run time with a ConfigMap
 * (see ../README.md).
 */
@Component({
  selector: 'team-quotas-page',
  imports: [EmptyState, ForbiddenState, ResourceTable],
  template: `
    <h1>Quotas</h1>
    @if (!context.cluster() || !context.namespace()) {
      <cairn-empty-state heading="Choose a namespace"><p>Choose a cluster and a namespace in the top bar to see its quotas.</p></cairn-empty-state>
    } @else if (forbidden()) {
      <cairn-forbidden what="ResourceQuotas" [namespace]="context.namespace()" [cluster]="context.cluster()" [reason]="error()" />
    } @else if (error(); as e) {
      <cairn-empty-state heading="The quotas could not be read" tone="error"><p>{{ e }}</p></cairn-empty-state>
    } @else {
      <cairn-resource-table label="Quota limits" tableId="team-quotas" [rows]="rows()" [columns]="columns" [rowKey]="rowKey" [loading]="loading()"
        [scope]="'in ' + context.namespace()" [emptyText]="'No ResourceQuota limits ' + context.namespace() + '.'" filterPlaceholder="Filter by quota or resource" />
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuotasPage {
  private readonly api = inject(ApiClient);
  protected readonly context = inject(ConsoleContext);
  protected readonly rows = signal<QuotaRow[]>([]);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly forbidden = signal(false);
  protected readonly columns: TableColumn<QuotaRow>[] = [
    { id: 'quota', label: 'Quota', value: (r) => r.name, fixed: true },
    { id: 'resource', label: 'Resource', value: (r) => r.resource },
    { id: 'used', label: 'Used', value: (r) => r.used },
    { id: 'limit', label: 'Limit', value: (r) => r.hard },
  ];
  protected readonly rowKey = (r: QuotaRow) => `${r.name}/${r.resource}`;

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      untracked(() => void (cluster && namespace ? this.load(cluster, namespace) : this.rows.set([])));
    });
  }

  private async load(cluster: string, namespace: string): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    this.forbidden.set(false);
    try {
      const list = await this.api.list<KubeObject>(cluster, { group: 'core', version: 'v1', resource: 'resourcequotas' }, { namespace });
      this.rows.set(
        list.items.flatMap((q) => {
          const status = (q['status'] as Any | undefined) ?? {};
          return Object.entries((status['hard'] as Record<string, string>) ?? {}).map(([resource, hard]) => ({ name: q.metadata.name, resource, hard, used: (status['used'] as Record<string, string> | undefined)?.[resource] ?? '0' }));
        }),
      );
    } catch (err) {
      this.error.set((err as Error).message);
      this.forbidden.set(err instanceof ApiError && err.status === 403);
    } finally {
      this.loading.set(false);
    }
  }
}
