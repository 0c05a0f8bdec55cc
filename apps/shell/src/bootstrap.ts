import { ErrorHandler, provideBrowserGlobalErrorListeners } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideConsoleServices } from '@cairn/data-access';
import { App } from './app/app';
import { sessionEnded } from './app/auth/current-session';
import { ShellErrorHandler } from './app/remotes/remote-crashes';
import { appRoutes } from './app/app.routes';
import type { Federation } from './app/remotes/federation';
import { federationLoader, fetchMfeManifest, MFE_MANIFEST } from './app/remotes/remotes';

/**
 * Runs once the federation runtime has set up the import map, so shared packages resolve here.
 * Remotes are found at run time: the manifest comes from the gateway on every start, so a
 * remote registered there appears without rebuilding the shell.
 */
export async function bootstrap(federation: Federation, manifestResponse?: Promise<Response>): Promise<void> {
  // The manifest's request, when main.ts has already sent it.
  const manifest = await fetchMfeManifest(new URL('mfe-manifest.json', document.baseURI).href, (input, init) => manifestResponse ?? fetch(input, init));
  const load = federationLoader(federation, document.baseURI);
  await bootstrapApplication(App, {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideRouter(appRoutes(manifest.remotes, load), withComponentInputBinding()),
      { provide: MFE_MANIFEST, useValue: manifest },
      { provide: ErrorHandler, useClass: ShellErrorHandler },
      // One client, one watch stream and one permissions cache for the whole tab, shared with every remote.
      ...provideConsoleServices({ baseUrl: document.baseURI, onSignedOut: (message) => sessionEnded.set(message) }),
    ],
  });
}
