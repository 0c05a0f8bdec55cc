import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { ApiClient, ConsoleContext, KubeObject } from '@cairn/data-access';

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
 * API client. It is built and served apart from the console and registered at run time
 * with a ConfigMap (see ../README.md).
 */
@Component({
  selector: 'team-quotas-page',
  template: `
    <h1>Quotas</h1>
    @if (!context.cluster() || !context.namespace()) {
      <p>Choose a cluster and a namespace in the top bar to see its quotas.</p>
    } @else if (error(); as e) {
      <p role="alert">{{ e }}</p>
    } @else if (rows().length === 0) {
      <p>{{ loading() ? 'Loading…' : 'No ResourceQuota limits ' + context.namespace() + '.' }}</p>
    } @else {
      <table>
        <caption>ResourceQuotas of {{ context.namespace() }}</caption>
        <thead><tr><th scope="col">Quota</th><th scope="col">Resource</th><th scope="col">Used</th><th scope="col">Limit</th></tr></thead>
        <tbody>
          @for (r of rows(); track r.name + r.resource) {
            <tr><td>{{ r.name }}</td><td>{{ r.resource }}</td><td>{{ r.used }}</td><td>{{ r.hard }}</td></tr>
          }
        </tbody>
      </table>
    }
  `,
  styles: `
    table { border-collapse: collapse; background: var(--cairn-surface); border: 1px solid var(--cairn-border); }
    caption { text-align: left; padding: 0.25rem 0; color: var(--cairn-muted); }
    th, td { text-align: left; padding: 0.375rem 0.75rem; border-bottom: 1px solid var(--cairn-border); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuotasPage {
  private readonly api = inject(ApiClient);
  protected readonly context = inject(ConsoleContext);
  protected readonly rows = signal<QuotaRow[]>([]);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | undefined>(undefined);

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
    } finally {
      this.loading.set(false);
    }
  }
}
