import { ErrorHandler, inject, Injectable, Injector, signal } from '@angular/core';
import { NavigationStart, Router } from '@angular/router';
import type { RemoteFailure } from './remote-routes';
import { MFE_MANIFEST } from './remotes';

/**
 * A remote that throws while it runs (in an event handler, a template, a subscription) is
 * replaced by an error panel, and the shell and the other remotes go on. Errors are told
 * apart by the route the user is on: the remote that owns it is the one that failed.
 */
@Injectable({ providedIn: 'root' })
export class RemoteCrashes {
  private readonly injector = inject(Injector);
  /** The remote that failed on the current page, if one did. */
  readonly current = signal<RemoteFailure | undefined>(undefined);
  private watching = false;

  report(error: unknown): boolean {
    const router = this.injector.get(Router);
    const remotes = this.injector.get(MFE_MANIFEST, { remotes: [], problems: [] }).remotes;
    const segment = router.url.split(/[/?#]/)[1] ?? '';
    const remote = remotes.find((r) => r.route === segment);
    if (!remote) return false;
    this.current.set({ remote, reason: error instanceof Error ? error.message : String(error), whileRunning: true });
    if (!this.watching) {
      this.watching = true;
      // Leaving the failed remote's pages clears the panel; the others were never affected.
      router.events.subscribe((event) => {
        const failed = this.current();
        if (event instanceof NavigationStart && failed && event.url.split(/[/?#]/)[1] !== failed.remote.route) this.current.set(undefined);
      });
    }
    return true;
  }
}

/** Angular's error handler for the shell: logs every error and hands remote failures to RemoteCrashes. */
@Injectable()
export class ShellErrorHandler implements ErrorHandler {
  private readonly injector = inject(Injector);

  handleError(error: unknown): void {
    console.error(error);
    try {
      this.injector.get(RemoteCrashes).report(error);
    } catch {
      // Never let the error handler itself throw.
    }
  }
}
