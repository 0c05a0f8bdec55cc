import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { findWorkloadKind, WORKLOAD_KINDS } from '../workload-kinds';

/** One kind's view: `/workloads/:kind`. Bound from the route with component input binding. */
@Component({
  selector: 'cairn-workload-kind-view',
  imports: [RouterLink],
  templateUrl: './workload-kind-view.html',
  styleUrl: './workload-kind-view.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadKindView {
  readonly kind = input.required<string>();
  protected readonly workloadKind = computed(() => findWorkloadKind(this.kind()));
  protected readonly knownKinds = WORKLOAD_KINDS.map((kind) => kind.label).join(', ');
}
