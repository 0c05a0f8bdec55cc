import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';

/** `/logs`: where a log view opens from; the sources are picked in Workloads. */
@Component({
  selector: 'cairn-logs-page',
  imports: [RouterLink],
  templateUrl: './logs-page.html',
  styleUrl: './logs-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LogsPage {
  protected readonly sources = [
    { label: 'One container', hint: 'Open a pod, then a container’s “Logs”.' },
    { label: 'All containers of a pod', hint: 'Open a pod and choose “Logs” without a container.' },
    { label: 'All pods of a workload', hint: 'Open a Deployment, StatefulSet, DaemonSet or Job and choose “Logs”.' },
  ];
}
