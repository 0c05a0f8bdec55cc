import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ApiClient, Permissions, USAGE_POLL_MS, UsageSampler } from '@cairn/data-access';
import { UsageChart } from '@cairn/ui-kit-charts';

/**
 * A pod's or node's CPU and memory over the last minutes, sampled by this page while it is open
 * (`UsageSampler`, from the cluster's metrics.k8s.io as the person may read it). Nothing when
 * their role may not read metrics; one quiet line when the cluster serves none.
 */
@Component({
  selector: 'cairn-resource-usage',
  imports: [UsageChart],
  template: `
    @if (sampler(); as s) {
      @switch (s.state()) {
        @case ('ok') {
          <section aria-labelledby="usage">
            <h3 id="usage">Usage</h3>
            <div class="charts">
              <cairn-usage-chart label="CPU" unit="m" [points]="cpu()" />
              <cairn-usage-chart label="Memory" unit="Mi" [points]="memory()" />
            </div>
            <p class="muted note">Sampled every {{ pollSeconds }} s while this page is open, from metrics.k8s.io (what <code>kubectl top</code> shows).</p>
          </section>
        }
        @case ('not-served') { <p class="muted quiet" role="status">No CPU or memory usage: {{ s.message() }}</p> }
        @case ('error') { <p class="muted quiet" role="status">Usage could not be read: {{ s.message() }}</p> }
      }
    }
  `,
  styles: `
    :host { display: block; }
    h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.75rem; }
    .muted { color: var(--cairn-muted); }
    .note { font-size: 0.8rem; margin: 0.375rem 0 0; }
    .quiet { font-size: 0.875rem; margin: 0.75rem 0 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ResourceUsage {
  readonly cluster = input.required<string>();
  readonly kind = input.required<'pods' | 'nodes'>();
  readonly name = input.required<string>();
  /** The pod's namespace (none for a node). */
  readonly namespace = input<string>();
  protected readonly pollSeconds = USAGE_POLL_MS / 1000;
  private readonly api = inject(ApiClient);
  private readonly permissions = inject(Permissions);
  protected readonly sampler = signal<UsageSampler | undefined>(undefined);
  protected readonly cpu = computed(() => (this.sampler()?.points() ?? []).map((p) => ({ at: p.at, value: p.cpuMillicores })));
  protected readonly memory = computed(() => (this.sampler()?.points() ?? []).map((p) => ({ at: p.at, value: p.memoryMiB })));

  constructor() {
    effect(() => {
      const target = { cluster: this.cluster(), kind: this.kind(), name: this.name(), namespace: this.kind() === 'pods' ? this.namespace() : undefined };
      untracked(() => {
        this.sampler()?.stop();
        this.sampler.set(new UsageSampler(this.api, this.permissions, target));
      });
    });
    inject(DestroyRef).onDestroy(() => this.sampler()?.stop());
  }
}
