import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ConsoleContext, Permissions } from '@cairn/data-access';
import type { WorkloadKind } from '../workload-kinds';

/**
 * "Create <kind>": a link to the create page of one kind, shown only when an access review
 * (batched with the page's others) allows `create` of that kind where the list is: in the chosen
 * namespace, cluster-wide for cluster-scoped kinds (and, with all namespaces shown, anywhere).
 */
@Component({
  selector: 'cairn-create-button',
  imports: [RouterLink],
  template: `
    @if (allowed()) {
      <a class="create" [class.compact]="compact()" [attr.aria-label]="'Create ' + kind().singular" [routerLink]="['/workloads', 'create', kind().group, kind().version, kind().resource]" queryParamsHandling="preserve">{{ compact() ? 'Create' : 'Create ' + kind().singular }}</a>
    }
  `,
  styles: `
    :host { display: contents; }
    .create { display: inline-flex; align-items: center; min-height: 2rem; padding: 0 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-accent, #0969da); background: var(--cairn-surface, #fff); color: var(--cairn-accent, #0969da); font-weight: 600; text-decoration: none; font-size: 0.875rem; white-space: nowrap; }
    .create.compact { min-height: 0; padding: 0 0.4rem; font-size: 0.75rem; background: none; color: var(--cairn-accent, #0969da); }
    @media (max-width: 720px) { .create:not(.compact) { min-height: 44px; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CreateButton {
  readonly kind = input.required<WorkloadKind>();
  /** "Create" alone (a list of kinds, where the kind is already named beside it). */
  readonly compact = input(false);
  private readonly context = inject(ConsoleContext);
  private readonly permissions = inject(Permissions);
  protected readonly allowed = signal(false);

  constructor() {
    effect(() => {
      const [kind, cluster, namespace] = [this.kind(), this.context.cluster(), this.context.namespace()];
      untracked(() => {
        this.allowed.set(false);
        if (!cluster) return;
        const check = { verb: 'create' as const, group: kind.group, resource: kind.resource, ...(kind.namespaced !== false && namespace ? { namespace } : {}) };
        void this.permissions.can(cluster, check).then(
          (allowed) => this.kind() === kind && this.context.cluster() === cluster && this.allowed.set(allowed),
          () => this.allowed.set(false),
        );
      });
    });
  }
}
