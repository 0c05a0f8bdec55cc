import { Routes } from '@angular/router';
import type { MfeRemote } from '@cairn/api-contracts';
import { Home } from './home/home';
import { NotFound } from './not-found/not-found';
import { remoteRoutes } from './remotes/remote-routes';
import { SignIn } from './sign-in/sign-in';
import { RemoteModuleLoader } from './remotes/remotes';

/** The shell's own pages around the remotes' routes, which only the manifest knows. */
export function appRoutes(remotes: readonly MfeRemote[], load: RemoteModuleLoader): Routes {
  return [
    { path: '', pathMatch: 'full', component: Home, title: 'Cairn' },
    { path: 'sign-in', component: SignIn, title: 'Sign in · Cairn' },
    ...remoteRoutes(remotes, load),
    { path: '**', component: NotFound, title: 'Not found · Cairn' },
  ];
}
