/**
 * @jest-environment node
 */
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
// tools/federation is build tooling, not a project with an import name: reached by its path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { declaresNoSideEffects, isExternal, sideEffectFreeExternals } from '../../../tools/federation/side-effect-free-externals.mjs';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { precompressSync } from '../../../tools/federation/precompress.mjs';

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

describe('precompressed copies (tools/federation/precompress.mjs)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-precompress-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes .br and .gz beside each text file worth it, in every folder, that decode to the file', () => {
    const script = `export const rows = ${JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ name: `pod-${i}`, phase: 'Running' })))};`;
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'chunk-ABCDEFGH.js'), script);
    writeFileSync(join(dir, 'assets', 'theme.css'), `.row{display:grid}\n`.repeat(200));
    writeFileSync(join(dir, 'remoteEntry.json'), JSON.stringify({ name: 'shell', exposes: [], shared: Array.from({ length: 40 }, (_, i) => ({ packageName: `p${i}`, outFileName: `p${i}.js` })) }));
    writeFileSync(join(dir, 'tiny.js'), 'export {};');
    // Named as text, but nothing to gain: random bytes.
    writeFileSync(join(dir, 'noise.txt'), randomBytes(8192));
    writeFileSync(join(dir, 'logo.png'), randomBytes(4096));
    const done = precompressSync(dir);
    for (const file of ['chunk-ABCDEFGH.js', 'assets/theme.css', 'remoteEntry.json']) {
      const raw = readFileSync(join(dir, file));
      expect(brotliDecompressSync(readFileSync(join(dir, `${file}.br`)))).toEqual(raw);
      expect(gunzipSync(readFileSync(join(dir, `${file}.gz`)))).toEqual(raw);
    }
    // Too small to gain, not text, or not a tenth smaller: no copies.
    for (const file of ['tiny.js', 'logo.png', 'noise.txt']) {
      expect(existsSync(join(dir, `${file}.br`))).toBe(false);
      expect(existsSync(join(dir, `${file}.gz`))).toBe(false);
    }
    expect(done.files).toBe(4); // the three above and noise.txt, read but not worth a copy
    expect(done.br).toBeLessThan(done.bytes / 4);
    // Run again (a rebuild into the same folder): the copies are written afresh, never compressed themselves.
    writeFileSync(join(dir, 'chunk-ABCDEFGH.js'), script.replace('Running', 'Pending'));
    precompressSync(dir);
    expect(gunzipSync(readFileSync(join(dir, 'chunk-ABCDEFGH.js.gz'))).toString()).toContain('Pending');
    expect(existsSync(join(dir, 'chunk-ABCDEFGH.js.br.br'))).toBe(false);
  });
});
