import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { RemoteFailure } from '../remotes/remote-routes';

/** Stands where a remote would be when it could not be loaded; the rest of the console works on. */
@Component({
  selector: 'cairn-remote-error',
  templateUrl: './remote-error.html',
  styleUrl: './remote-error.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RemoteError {
  readonly failure = input.required<RemoteFailure>();

  protected retry(): void {
    // Angular keeps a route's loaded children for the page's lifetime; a reload asks again.
    window.location.reload();
  }
}
