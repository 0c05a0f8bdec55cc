import { ScrollingModule } from '@angular/cdk/scrolling';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KubeObject, WatchStream, LiveList } from '@cairn/data-access';
import { HealthBadge } from '../health-badge';
import { kindFromRoute } from '../kind-resolver';
import { WORKLOAD_KINDS, WorkloadKind } from '../workload-kinds';

interface Row {
  object: KubeObject;
  key: string;
  name: string;
  namespace: string;
  link: string[];
  status: ReturnType<WorkloadKind['status']>;
  cells: Array<string | number>;
}

/**
 * `/workloads/:kind`: every object of one kind in the chosen namespace (or all), live, with
 * a text and label filter, sorting by any column, and a virtual scroll that keeps 10 000
 * rows smooth.
 */
@Component({
  selector: 'cairn-workload-list',
  imports: [ScrollingModule, RouterLink, HealthBadge],
  templateUrl: './workload-list.html',
  styleUrl: './workload-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadList {
  /** A built-in kind (`/workloads/deployments`)… */
  readonly kind = input<string>();
  /** …or any kind the cluster serves (`/workloads/other/:group/:version/:resource`). */
  readonly group = input<string>();
  readonly version = input<string>();
  readonly resource = input<string>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  protected readonly context = inject(ConsoleContext);
  protected readonly workloadKind = kindFromRoute(this);
  protected readonly knownKinds = WORKLOAD_KINDS.map((kind) => kind.label).join(', ');
  protected readonly list = signal<LiveList | undefined>(undefined);
  protected readonly filter = signal('');
  protected readonly problemsOnly = signal(false);
  /** Column index (-1 name, -2 namespace, -3 status) and direction. */
  protected readonly sort = signal<{ column: number; descending: boolean }>({ column: -1, descending: false });

  constructor() {
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const namespace = this.context.namespace();
      untracked(() => {
        this.list()?.stop();
        this.list.set(kind && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: kind.namespaced === false ? undefined : namespace, group: kind.group, version: kind.version, resource: kind.resource }) : undefined);
      });
    });
    inject(DestroyRef).onDestroy(() => this.list()?.stop());
  }

  protected readonly rows = computed<Row[]>(() => {
    const kind = this.workloadKind();
    const list = this.list();
    if (!kind || !list) return [];
    return list.items().map((object) => ({
      object,
      key: object.metadata.uid ?? `${object.metadata.namespace}/${object.metadata.name}`,
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? '',
      link: [...kind.path, object.metadata.namespace ?? '_', object.metadata.name],
      status: kind.status(object),
      cells: kind.columns.map((c) => c.value(object)),
    }));
  });

  protected readonly visible = computed<Row[]>(() => {
    const terms = this.filter().trim().split(/\s+/).filter(Boolean);
    const problems = this.problemsOnly();
    const { column, descending } = this.sort();
    const numeric = column >= 0 && this.workloadKind()?.columns[column]?.numeric;
    const rows = this.rows().filter((row) => {
      if (problems && !['failed', 'warning'].includes(row.status.health)) return false;
      return terms.every((term) => {
        const eq = term.indexOf('=');
        if (eq > 0) return row.object.metadata.labels?.[term.slice(0, eq)] === term.slice(eq + 1);
        const t = term.toLowerCase();
        return row.name.toLowerCase().includes(t) || row.namespace.toLowerCase().includes(t) || row.status.text.toLowerCase().includes(t);
      });
    });
    const value = (row: Row): string | number => (column === -1 ? row.name : column === -2 ? row.namespace : column === -3 ? row.status.text : (row.cells[column] ?? ''));
    const direction = descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = numeric ? Number(x) - Number(y) : String(x).localeCompare(String(y), undefined, { numeric: true });
      return (order || a.name.localeCompare(b.name)) * direction;
    });
  });

  protected sortBy(column: number): void {
    const current = this.sort();
    this.sort.set({ column, descending: current.column === column ? !current.descending : false });
  }

  protected ariaSort(column: number): 'ascending' | 'descending' | 'none' {
    const current = this.sort();
    return current.column !== column ? 'none' : current.descending ? 'descending' : 'ascending';
  }

  protected trackRow(_index: number, row: Row): string {
    return row.key;
  }
}
