import { readFileSync } from 'node:fs';
import { shareAll } from '@angular-architects/native-federation/config';

/**
 * What the shell and every in-repo remote share at run time, as strict singletons: Angular,
 * RxJS, the CDK and the workspace libs that hold state (data-access; ui-kit's entries, each its
 * own bundle: `@cairn/ui-kit`, `-yaml`, `-charts`, `-search`). A remote built
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
 * Entry points nothing here uses at run time; es-module-shims, which the shell bundles and
 * loads itself only where native import maps fall short (it must load before any import map);
 * and the two workspace libs that hold no state (types, schemas and pure kubectl rules): each
 * bundle keeps only the functions it calls, tree-shaken, instead of every page loading all of
 * kube-model and api-contracts from the shell (issue 20's shell budget; 10 KB gz). The rules
 * stay declared once, in libs/; only their copies in the built files differ.
 * `@angular/platform-browser` and `@cairn/ui-kit-standalone` too: only a page's start-up code
 * bootstraps Angular (the shell's, or a remote served on its own), and the router's bundle keeps
 * only what it uses of it; shared, all of it loaded on every page (measured: 3 KB gz less).
 * `tslib` too: only RxJS's bundle uses it (four async helpers), which then carries them instead
 * of every page loading all of tslib (measured: 3.5 KB gz less).
 * A skipped entry must not be a subpath of a shared one (`@cairn/ui-kit/x`): the dev server
 * (`nx serve <remote>`) hands shared names to the builder as `externalDependencies`, which match
 * their subpaths too, so the subpath would be left external and missing from the import map
 * ("Unable to resolve specifier"). Hence `@cairn/ui-kit-standalone`, not `@cairn/ui-kit/standalone`,
 * and the kit's shared entries are named the same way (`@cairn/ui-kit-yaml`, `-charts`, `-search`,
 * beside the base `@cairn/ui-kit`), so any of them can be skipped later without renaming it.
 * The same holds for a package's own secondary entries: skipping `@angular/common/http` (13 KB gz
 * the shell loaded only because platform-browser imports it) left it external under the shared
 * `@angular/common` in the production build too, and the shell did not start (tried 2026-11-29).
 * It stays shared; the builds drop the unused import instead (`./side-effect-free-externals.mjs`,
 * run by `./builder`): platform-browser imports `ɵwithHttpTransferCache` for hydration, which the
 * console does not use, and no page loads `@angular/common/http` any more.
 */
export const skip = [
  'rxjs/ajax',
  'rxjs/fetch',
  'rxjs/testing',
  'rxjs/webSocket',
  'es-module-shims',
  '@cairn/kube-model',
  '@cairn/api-contracts',
  '@cairn/api-contracts/requests',
  '@angular/platform-browser',
  '@cairn/ui-kit-standalone',
  'tslib',
];

/**
 * The rule above, checked whenever a federation config loads, so a new entry that breaks it fails
 * every build with its name instead of a blank page under `nx serve` only. The shared names are
 * the packages in `shared` and the workspace libs (tsconfig.base.json's paths, shared by default).
 */
export function checkSkipNotUnderShared(sharedNames, skipped) {
  const kept = sharedNames.filter((name) => !skipped.includes(name));
  for (const entry of skipped) {
    const parent = kept.find((name) => entry.startsWith(`${name}/`));
    if (parent) {
      throw new Error(
        `tools/federation/shared.mjs: skipped entry ${entry} is a subpath of the shared ${parent}; ` +
          `the dev server would leave it external and unresolved. Give it its own name (not under ${parent}/) in tsconfig.base.json.`,
      );
    }
  }
}

const workspaceLibs = Object.keys(JSON.parse(readFileSync(new URL('../../tsconfig.base.json', import.meta.url), 'utf8')).compilerOptions.paths ?? {});
// Only the workspace's own entries: the skipped package subpaths (rxjs/ajax…) are never imported.
checkSkipNotUnderShared([...Object.keys(shared), ...workspaceLibs], skip.filter((entry) => workspaceLibs.includes(entry)));

/** denseChunking groups chunks in remoteEntry.json, for a smaller file to fetch. */
export const features = { denseChunking: true };
