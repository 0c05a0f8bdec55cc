/**
 * @jest-environment node
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// tools/federation is build tooling, not a project with an import name: reached by its path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { declaresNoSideEffects, isExternal, sideEffectFreeExternals } from '../../../tools/federation/side-effect-free-externals.mjs';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { writePreload } from '../../../tools/federation/preload.mjs';

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

describe('preload lists (tools/federation/preload.mjs)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-preload-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const files = (contents: Record<string, string>) => Object.entries(contents).forEach(([name, text]) => writeFileSync(join(dir, name), text));
  const entry = (extra: object) => writeFileSync(join(dir, 'remoteEntry.json'), JSON.stringify({ name: 'x', shared: [{ packageName: '@angular/core', outFileName: '_angular_core.js', singleton: true }], chunks: { 'browser-angular_core': ['chunk-CORE.js'] }, ...extra }));

  it('lists what the shell’s bootstrap imports statically, through its shared packages and their chunks, and leaves lazy imports out', async () => {
    entry({ exposes: [] });
    files({
      'bootstrap-AB12.js': 'import{a}from"./chunk-ONE.js";import"@angular/core";const lazy=()=>import("./lazy-route.js");const s="import x from \\"./not-an-import.js\\"";',
      'chunk-ONE.js': 'import{b}from"./chunk-TWO.js";export const a=1;',
      'chunk-TWO.js': 'export const b=2;',
      '_angular_core.js': 'import{c}from"@nf-internal/chunk-CORE";export const d=c;',
      'chunk-CORE.js': 'export const c=3;',
      'lazy-route.js': 'export const r=1;',
    });
    const preload = (await writePreload(dir)) ?? {};
    expect(preload['.']).toEqual(['bootstrap-AB12.js', 'chunk-ONE.js', '_angular_core.js', 'chunk-TWO.js', 'chunk-CORE.js']);
    expect(JSON.parse(readFileSync(join(dir, 'remoteEntry.json'), 'utf8')).preload).toEqual(preload);
  });

  it('lists a remote’s exposed module with its own files and the shared packages it names, not followed into its own builds of them', async () => {
    entry({ exposes: [{ key: './routes', outFileName: 'routes-CD34.js' }] });
    files({
      'routes-CD34.js': 'import{a}from"./chunk-PAGE.js";import{d}from"@angular/core";export const routes=[a,d];',
      'chunk-PAGE.js': 'export const a=1;',
      '_angular_core.js': 'import{c}from"@nf-internal/chunk-CORE";export const d=c;',
      'chunk-CORE.js': 'export const c=3;',
    });
    const preload = (await writePreload(dir)) ?? {};
    expect(preload['./routes']).toEqual(['chunk-PAGE.js', '@angular/core']);
    expect(preload['shared:@angular/core']).toEqual(['chunk-CORE.js']);
    expect(preload['.']).toBeUndefined();
  });

  it('writes nothing where there is no remoteEntry.json', async () => {
    expect(await writePreload(dir)).toBeUndefined();
  });
});
