/**
 * @jest-environment node
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
// tools/federation is build tooling, not a project with an import name: reached by its path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { declaresNoSideEffects, isExternal, sideEffectFreeExternals } from '../../../tools/federation/side-effect-free-externals.mjs';

/**
 * The federation builds' plugin (tools/federation/builder): an external import whose package
 * declares no side effects is dropped when nothing of it is used, so the shell's start-up code no
 * longer loads `@angular/common/http` for platform-browser's unused hydration import.
 */
const here = resolve(__dirname);

async function bundle(source: string, plugins = [sideEffectFreeExternals()]): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    external: ['@angular/common', '@angular/core', 'croner'],
    plugins,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('side-effect-free externals', () => {
  it('drops an unused import of a shared package that declares no side effects, and keeps a used one', async () => {
    const source = `import { ɵwithHttpTransferCache } from '@angular/common/http'; import { signal } from '@angular/core'; export const s = signal(1);`;
    expect(await bundle(source, [])).toContain('@angular/common/http');
    const out = await bundle(source);
    expect(out).not.toContain('@angular/common/http');
    expect(out).toContain('@angular/core');
  });

  it('keeps an unused import of a package that may have side effects', async () => {
    expect(await bundle(`import { Cron } from 'croner'; export const x = 1;`)).toContain('croner');
  });

  it('reads package.json sideEffects as bundlers do: false, or a list of globs the file is not in', () => {
    expect(declaresNoSideEffects('@angular/core', here)).toBe(true);
    // @angular/common lists its locale globals; the http entry is not one of them.
    expect(declaresNoSideEffects('@angular/common/http', here)).toBe(true);
    expect(declaresNoSideEffects('croner', here)).toBe(false);
    expect(declaresNoSideEffects('@cairn/no-such-package', here)).toBe(false);
  });

  it('matches externals as esbuild does: the name, its subpaths, a * pattern', () => {
    expect(isExternal('@angular/common/http', ['@angular/common'])).toBe(true);
    expect(isExternal('@angular/commonx', ['@angular/common'])).toBe(false);
    expect(isExternal('@scope/a/b', ['@scope/*'])).toBe(true);
  });
});
