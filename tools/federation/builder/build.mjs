import { createBuilder } from '@angular-devkit/architect';
import { sideEffectFreeExternals } from '../side-effect-free-externals.mjs';

/**
 * `@angular-architects/native-federation:build` with the workspace's esbuild plugins, which its
 * options (JSON in project.json) cannot carry: the builder takes them only from code. The same
 * options and schema; every in-repo front end's `build` and `serve` targets run it
 * (`"executor": "./tools/federation/builder:build"`).
 */
async function* build(options, context) {
  // The package's `internal` entry (in its exports) is how a custom builder runs Native Federation's; loaded here,
  // not at the top: the architect host require()s this file, which rules out a top-level await.
  const { runBuilder } = await import('@angular-architects/native-federation/internal');
  yield* runBuilder({ ...options, plugins: [...(options.plugins ?? []), sideEffectFreeExternals()] }, context);
}

export default createBuilder(build);
