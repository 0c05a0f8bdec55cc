import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map, startWith } from 'rxjs';
import { KIND_SECTIONS, WORKLOAD_KINDS } from '../workload-kinds';

/**
 * `/workloads`: the kinds, grouped (workloads, network, configuration, storage, other), above
 * the page of the chosen one. Wide screens show every kind as a link; phones a select.
 */
@Component({
  selector: 'cairn-workloads-page',
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './workloads-page.html',
  styleUrl: './workloads-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadsPage {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly sections = KIND_SECTIONS.map((section) => ({ ...section, kinds: WORKLOAD_KINDS.filter((kind) => kind.section === section.id) }));

  /** The first path segment under this page: a kind's resource, `other`, or '' for the overview. */
  protected readonly current = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(undefined),
      map(() => this.route.firstChild?.snapshot?.url[0]?.path ?? ''),
    ),
    { initialValue: '' },
  );

  protected go(segment: string): void {
    void this.router.navigate(segment ? [segment] : ['.'], { relativeTo: this.route, queryParamsHandling: 'preserve' });
  }
}
