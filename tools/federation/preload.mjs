import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toChunkImport } from '@softarc/native-federation/domain';
import { init, parse } from 'es-module-lexer';

/**
 * The modules a front end's start needs, written into its remoteEntry.json as `preload`, so the
 * page can ask for all of them at once instead of finding them one import level at a time.
 *
 * Benchmark 4's waterfall is why: the shell's start went through five levels of imports
 * (bootstrap, then Angular and our libraries, then their shared chunks, …), each level asked
 * for only once the one before had arrived and been parsed, and the last file came 300 ms after
 * the first. README, "How the front ends load".
 *
 * `preload` maps a start module to the files it imports statically, directly or not, in the
 * order met (breadth first), the start module left out:
 * - `"."`: the shell's `bootstrap` chunk (main.ts imports it once the import map is in place);
 * - each exposed module's key (`"./routes"`): what loading it imports, within the remote's own
 *   folder, and the bare names (`"@cairn/ui-kit"`) it imports from the page's shared packages,
 *   which the page resolves with its import map (the shell's build of a singleton wins);
 * - `"shared:<package>"`: for each shared package, the chunks its bundle imports statically and
 *   the bare names of the other shared packages it imports, so the page can preload a shared
 *   package with its chunks, from whichever build it maps the package to.
 *
 * Only static imports (`import … from`, `import "…"`) are followed: a dynamic `import()` is a
 * lazy route or an optional module, loaded when asked for. Imports are read with es-module-lexer,
 * the lexer Vite and es-module-shims use, not with a regular expression.
 */
export async function writePreload(dir) {
  const entryPath = join(dir, 'remoteEntry.json');
  if (!existsSync(entryPath)) return undefined;
  await init;
  const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
  /** A bare name this front end's build maps, and its file (its shared packages and their chunks). */
  const own = new Map();
  const sharedFiles = [];
  for (const shared of entry.shared ?? []) {
    for (const [name, file] of 'entries' in shared ? Object.entries(shared.entries) : [[shared.packageName, shared.outFileName]]) {
      own.set(name, file);
      sharedFiles.push([name, file]);
    }
  }
  for (const file of Object.values(entry.chunks ?? {}).flat()) own.set(toChunkImport(file), file);
  const sharedNames = new Set(sharedFiles.map(([name]) => name));
  const importsCache = new Map();
  const importsOf = (file) => {
    if (!importsCache.has(file)) {
      const path = join(dir, file);
      const [imports] = existsSync(path) ? parse(readFileSync(path, 'utf8'), file) : [[]];
      // d === -1: a static import (-2 is import.meta, >= 0 a dynamic import()).
      importsCache.set(file, imports.filter((i) => i.d === -1 && i.n).map((i) => i.n));
    }
    return importsCache.get(file);
  };
  /**
   * Breadth first from `start`: files of this folder, and, unless `intoShared`, the bare names
   * of shared packages (not followed: the page decides whose build of them runs). The shell
   * follows into its shared packages: its builds of them are the page's.
   */
  const closure = (start, intoShared) => {
    const seen = new Set([start]);
    const out = [];
    const queue = [start];
    while (queue.length) {
      for (const spec of importsOf(queue.shift())) {
        let file;
        if (spec.startsWith('./')) file = spec.slice(2);
        else if (!intoShared && sharedNames.has(spec)) {
          if (!seen.has(spec)) {
            seen.add(spec);
            out.push(spec);
          }
          continue;
        } else file = own.get(spec);
        if (!file || seen.has(file)) continue;
        seen.add(file);
        out.push(file);
        queue.push(file);
      }
    }
    return out;
  };
  const preload = {};
  const files = readdirSync(dir);
  const bootstrap = files.find((f) => /^bootstrap-[A-Z0-9]+\.js$/.test(f));
  if (bootstrap) preload['.'] = [bootstrap, ...closure(bootstrap, true)];
  for (const exposed of entry.exposes ?? []) preload[exposed.key] = closure(exposed.outFileName, false);
  for (const [name, file] of sharedFiles) preload[`shared:${name}`] = closure(file, false);
  writeFileSync(entryPath, JSON.stringify({ ...entry, preload }, null, 2));
  return preload;
}
