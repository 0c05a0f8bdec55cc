import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/**
 * An esbuild plugin for the federation builds: an import of a shared package (left external,
 * loaded through the import map) whose package declares no side effects (`"sideEffects": false`,
 * or a list that does not name the file imported) is dropped when nothing it imports is used,
 * as it would be if the package were bundled. Without it esbuild keeps every external import
 * of every module it bundles, used or not: the shell's start-up code, which bundles
 * `@angular/platform-browser`, loaded all of `@angular/common/http` (13 KB gz) only because
 * platform-browser imports `ɵwithHttpTransferCache` for hydration, which the console does not
 * use (issue 20's shell budget). Imports of workspace libs and of packages that may have side
 * effects are left as they are.
 */
export function sideEffectFreeExternals() {
  const answers = new Map();
  return {
    name: 'cairn-side-effect-free-externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!isExternal(args.path, build.initialOptions.external ?? [])) return undefined;
        const key = `${args.resolveDir}\0${args.path}`;
        if (!answers.has(key)) answers.set(key, declaresNoSideEffects(args.path, args.resolveDir || process.cwd()));
        return answers.get(key) ? { path: args.path, external: true, sideEffects: false } : undefined;
      });
    },
  };
}

/** esbuild's rule for `external`: the name itself, a `*` pattern, or a package name whose subpath this is. */
export function isExternal(path, externals) {
  return externals.some((name) => {
    if (name.includes('*')) {
      const [before, after] = name.split('*', 2);
      return path.startsWith(before) && path.endsWith(after) && path.length >= before.length + after.length;
    }
    return path === name || path.startsWith(`${name}/`);
  });
}

/**
 * Whether `specifier`, resolved from `fromDir` as Node resolves it, is a file its package says
 * has no side effects (package.json `sideEffects`, as bundlers read it: `false`, or a list of
 * globs none of which matches the file). Unresolvable names and packages that say nothing: no.
 */
export function declaresNoSideEffects(specifier, fromDir) {
  let file;
  try {
    file = createRequire(join(fromDir, 'noop.js')).resolve(specifier);
  } catch {
    return false;
  }
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    // A nested package.json without a name (a module-type marker) says nothing of the package.
    if (!pkg.name) continue;
    if (pkg.sideEffects === false) return true;
    if (!Array.isArray(pkg.sideEffects)) return false;
    const inPackage = relative(dir, file).split(sep).join('/');
    return !pkg.sideEffects.some((glob) => globToRegExp(glob).test(inPackage));
  }
  return false;
}

/** A package.json `sideEffects` glob (`**` any folders, `*` within a name) as a regular expression, relative to the package. */
function globToRegExp(glob) {
  const pattern = glob.replace(/^\.\//, '');
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  // A glob without a slash matches the file's name in any folder, as webpack and esbuild read it.
  return new RegExp(pattern.includes('/') ? `^${source}$` : `(?:^|/)${source}$`);
}
