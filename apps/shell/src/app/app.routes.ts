import { Routes } from '@angular/router';
import type { MfeRemote } from '@cairn/api-contracts';
import { remoteRoutes } from './remotes/remote-routes';
import { RemoteModuleLoader } from './remotes/remotes';

/**
 * The shell's own pages around the remotes' routes, which only the manifest knows. Each of its
 * pages loads on first visit: a deep link to a module's page does not load the home or sign-in
 * code (issue 20's shell budget).
 */
export function appRoutes(remotes: readonly MfeRemote[], load: RemoteModuleLoader): Routes {
  return [
    { path: '', pathMatch: 'full', loadComponent: () => import('./home/home').then((m) => m.Home), title: 'Cairn' },
    { path: 'sign-in', loadComponent: () => import('./sign-in/sign-in').then((m) => m.SignIn), title: 'Sign in · Cairn' },
    ...remoteRoutes(remotes, load),
    { path: '**', loadComponent: () => import('./not-found/not-found').then((m) => m.NotFound), title: 'Not found · Cairn' },
  ];
}
