import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { WORKLOAD_KINDS } from '../workload-kinds';

@Component({
  selector: 'cairn-workloads-page',
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './workloads-page.html',
  styleUrl: './workloads-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadsPage {
  protected readonly kinds = WORKLOAD_KINDS;
}
