import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createBuilder, targetFromTargetString } from '@angular-devkit/architect';
import { precompressSync } from './precompress.mjs';
import { sideEffectFreeExternals } from './side-effect-free-externals.mjs';

/**
 * The logic of the workspace's federation builder (`tools/federation/builder`, a shim that
 * exports it): kept here, outside the builder's folder, which `.nxignore` hides from Nx (its
 * package.json is not a project), so a change to it changes the front ends' build cache key
 * (nx.json's build inputs include `tools/federation/**`).
 *
 * `@angular-architects/native-federation:build` with the workspace's esbuild plugins, which its
 * options (JSON in project.json) cannot carry: the builder takes them only from code. The same
 * options and schema; every in-repo front end's `build` and `serve` targets run it
 * (`"executor": "./tools/federation/builder:build"`).
 *
 * One more duty: Native Federation keeps each shared package's bundle in
 * `node_modules/.cache/native-federation` under a checksum of that package alone, not of what
 * else is shared, so a package moved in or out of the shared set (`tools/federation/shared.mjs`,
 * e.g. tslib unshared) left bundles that still import it from the import map, which no longer
 * has it: "Failed to resolve module specifier" and a console that does not start, on every
 * machine that had built before (a fresh clone was fine). When the shared set's files changed
 * since this project last built, its shared bundles are built afresh once
 * (`cacheExternalArtifacts: false`), and the files' fingerprint is recorded beside the cache.
 *
 * And after each production build, every text file of the output gets Brotli and gzip copies
 * beside it (precompress.mjs), which the gateway sends to browsers that accept them.
 */
async function* build(options, context) {
  // The package's `internal` entry (in its exports) is how a custom builder runs Native Federation's; loaded here,
  // not at the top: the architect host require()s this file, which rules out a top-level await.
  const { runBuilder } = await import('@angular-architects/native-federation/internal');
  const project = context.target?.project ?? 'unknown';
  const root = (await context.getProjectMetadata(project)).root ?? '';
  const fingerprint = sharedSetFingerprint([join(context.workspaceRoot, 'tools/federation/shared.mjs'), join(context.workspaceRoot, String(root), 'federation.config.mjs')]);
  // Development bundles (`nx serve`, `dev: true`) are cached apart from production ones: each has its own stamp.
  const stamp = join(context.workspaceRoot, 'node_modules/.cache/native-federation', `.cairn-shared-set-${project}${options.dev ? '-dev' : ''}.sha256`);
  const current = existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint;
  if (!current) context.logger.info(`${project}: the shared set changed since its last build (or it never built here): shared bundles built afresh, not taken from Native Federation's cache`);
  let recorded = current;
  // Asked before the build, not after its result: Native Federation's builder ends the process
  // 500 ms after its last result, so what follows that result must not wait on anything.
  const production = !options.dev && !options.devServer;
  const outputPath = production && options.target ? (await context.getTargetOptions(targetFromTargetString(options.target))).outputPath : undefined;
  for await (const result of runBuilder({ ...options, ...(current ? {} : { cacheExternalArtifacts: false }), plugins: [...(options.plugins ?? []), sideEffectFreeExternals()] }, context)) {
    if (result.success && typeof outputPath === 'string') {
      const dir = join(context.workspaceRoot, outputPath, 'browser');
      const done = precompressSync(dir);
      const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
      context.logger.info(`${project}: ${done.files} files (${kb(done.bytes)}) precompressed beside them: ${kb(done.br)} as .br, ${kb(done.gz)} as .gz`);
    }
    if (result.success && !recorded) {
      mkdirSync(dirname(stamp), { recursive: true });
      writeFileSync(stamp, fingerprint);
      recorded = true;
    }
    yield result;
  }
}

/** SHA-256 over the files that decide what is shared (a missing file counts as empty). */
export function sharedSetFingerprint(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0${existsSync(file) ? readFileSync(file, 'utf8') : ''}\0`);
  return hash.digest('hex');
}

export const builder = createBuilder(build);
