import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Entry point of `npm run bench`. tsc compiles the benchmarks and the workspace libraries they
 * import into dist/bench but keeps `@cairn/...` specifiers as written, so this maps each to
 * its compiled copy before anything imports one.
 */
const compiledLibs = join(__dirname, '../../libs');
registerHooks({
  resolve(specifier, context, nextResolve) {
    const lib = /^@cairn\/([a-z-]+)$/.exec(specifier)?.[1];
    if (lib) return { url: pathToFileURL(join(compiledLibs, lib, 'src/index.js')).href, format: 'commonjs', shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

void import('./run').then(({ main }) => main(process.argv.slice(2)));
