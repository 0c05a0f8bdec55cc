import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { ApiClient, UserClusterStore, WatchStream } from '@cairn/data-access';
import { routes } from './app.routes';

// Only when this remote is served on its own (`nx serve`): inside the console the shell provides one of each for the tab.
const userClusters = new UserClusterStore();
const api = new ApiClient({ baseUrl: document.baseURI, userClusters });

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    { provide: ApiClient, useValue: api },
    { provide: UserClusterStore, useValue: userClusters },
    { provide: WatchStream, useValue: new WatchStream(api) },
  ],
};
