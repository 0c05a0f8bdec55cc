import { shareAll } from '@angular-architects/native-federation/config';

/**
 * What the shell and every in-repo remote share at run time, as strict singletons: Angular,
 * RxJS, the CDK and the workspace libs (data-access, ui-kit, api-contracts). A remote built
 * against another major version is refused by the shell instead of loading a second Angular.
 * A team's remote in its own repository carries the same block (see examples/team-quotas).
 */
export const shared = {
  ...shareAll(
    { singleton: true, strictVersion: true, requiredVersion: 'auto', build: 'package' },
    {
      overrides: {
        // includeSecondaries opts out of ignoreUnusedDeps, so all of @angular/core is shared
        // and no part of it can load twice.
        '@angular/core': { singleton: true, strictVersion: true, requiredVersion: 'auto', build: 'package', includeSecondaries: { keepAll: true } },
      },
    },
  ),
};

/**
 * Entry points nothing here uses at run time; and es-module-shims, which the shell bundles and
 * loads itself only where native import maps fall short (it must load before any import map).
 */
export const skip = ['rxjs/ajax', 'rxjs/fetch', 'rxjs/testing', 'rxjs/webSocket', 'es-module-shims'];

/** denseChunking groups chunks in remoteEntry.json, for a smaller file to fetch. */
export const features = { denseChunking: true };
