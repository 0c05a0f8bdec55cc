import { Routes } from '@angular/router';
import type { MfeRemote } from '@cairn/api-contracts';
import { RemoteError } from '../remote-error/remote-error';
import { RemoteModuleLoader } from './remotes';

/** What the error panel shows for a remote that could not be loaded. */
export interface RemoteFailure {
  remote: MfeRemote;
  reason: string;
  /** True when it loaded but then threw while running; false or absent when it did not load. */
  whileRunning?: boolean;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One lazy route per remote. A remote that is down, is not a federation remote, or does not
 * export `routes` is replaced by an error panel under its own route: the shell and the
 * other remotes keep working.
 */
export function remoteRoutes(remotes: readonly MfeRemote[], load: RemoteModuleLoader): Routes {
  return remotes.map((remote) => ({
    path: remote.route,
    title: remote.label,
    loadChildren: async (): Promise<Routes> => {
      try {
        const module = (await load(remote)) as { routes?: unknown } | null;
        if (!Array.isArray(module?.routes)) {
          throw new Error(`its module "${remote.exposedModule}" does not export "routes"`);
        }
        return module.routes as Routes;
      } catch (error) {
        console.error(`Cairn: remote "${remote.name}" could not be loaded`, error);
        const failure: RemoteFailure = { remote, reason: describe(error) };
        return [{ path: '**', component: RemoteError, data: { failure } }];
      }
    },
  }));
}
