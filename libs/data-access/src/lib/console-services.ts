import type { Provider } from '@angular/core';
import { AccessExplainer } from './access-explainer';
import { ApiClient } from './api-client';
import { LiveLists } from './live-lists';
import { Permissions } from './permissions';
import { UserClusterStore } from './user-clusters';
import { WatchStream } from './watch-stream';

export interface ConsoleServicesOptions {
  /** The console's base URL, e.g. `https://cairn.example/` (the page's `document.baseURI`). */
  baseUrl: string;
  /** Called when the session has ended and could not be renewed, with the reason to show. */
  onSignedOut?: (message: string) => void;
}

/**
 * The services a page of the console runs on, created once per tab: one API client (with the
 * clusters the user added, from this browser's IndexedDB), one watch stream, the live lists
 * kept for going back to them (LiveLists), one cache of
 * permission answers and one of refusal explanations. The shell provides them to every remote; a remote served on its own for
 * development (`nx serve mfe-logs`) provides the same ones, so it behaves as it will in the console.
 */
export function provideConsoleServices(options: ConsoleServicesOptions): Provider[] {
  const userClusters = new UserClusterStore();
  const api = new ApiClient({ baseUrl: options.baseUrl, userClusters, onSignedOut: options.onSignedOut });
  const watch = new WatchStream(api);
  return [
    { provide: ApiClient, useValue: api },
    { provide: UserClusterStore, useValue: userClusters },
    { provide: WatchStream, useValue: watch },
    { provide: LiveLists, useValue: new LiveLists(api, watch) },
    { provide: Permissions, useValue: new Permissions(api) },
    { provide: AccessExplainer, useValue: new AccessExplainer(api) },
  ];
}
