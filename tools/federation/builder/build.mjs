import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBuilder } from '@angular-devkit/architect';
import { sideEffectFreeExternals } from '../side-effect-free-externals.mjs';

/**
 * `@angular-architects/native-federation:build` with the workspace's esbuild plugins, which its
 * options (JSON in project.json) cannot carry: the builder takes them only from code. The same
 * options and schema; every in-repo front end's `build` and `serve` targets run it
 * (`"executor": "./tools/federation/builder:build"`).
 */
async function* build(options, context) {
  const nativeFederation = dirname(createRequire(import.meta.url).resolve('@angular-architects/native-federation/package.json'));
  // Loaded here, not at the top: the architect host require()s this file, which rules out a top-level await.
  const { runBuilder } = await import(pathToFileURL(join(nativeFederation, 'src/builders/build/builder.js')).href);
  yield* runBuilder({ ...options, plugins: [...(options.plugins ?? []), sideEffectFreeExternals()] }, context);
}

export default createBuilder(build);
