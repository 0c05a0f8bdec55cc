import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The kit's entry points, as tsconfig.base.json names them: each is shared (or, for
 * `-standalone`, bundled) on its own, so what a list page loads is the base entry only. Names are
 * `@cairn/ui-kit-<x>`, never `@cairn/ui-kit/<x>` (tools/federation/shared.mjs says why).
 */
const root = resolve(__dirname, '../../..');
const paths: Record<string, string[]> = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;

/** Files reached from `file` through relative imports (what would land in its bundle). */
function reached(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), spec as string);
    const next = [`${target}.ts`, join(target, 'index.ts')].find((f) => existsSync(f));
    if (next) reached(next, seen);
  }
  return seen;
}

describe('@cairn/ui-kit entry points', () => {
  it('are the base kit, YAML, charts, search, why-can\'t-I and the standalone frame, each in its own file', () => {
    const kit = Object.fromEntries(Object.entries(paths).filter(([name]) => name.startsWith('@cairn/ui-kit')));
    expect(kit).toEqual({
      '@cairn/ui-kit': ['./libs/ui-kit/src/index.ts'],
      '@cairn/ui-kit-yaml': ['./libs/ui-kit/src/yaml.ts'],
      '@cairn/ui-kit-charts': ['./libs/ui-kit/src/charts.ts'],
      '@cairn/ui-kit-search': ['./libs/ui-kit/src/search.ts'],
      '@cairn/ui-kit-access': ['./libs/ui-kit/src/access.ts'],
      '@cairn/ui-kit-standalone': ['./libs/ui-kit/src/standalone.ts'],
    });
  });

  it('keep the YAML editor, the chart, the palette, why-can\'t-I and the standalone frame out of the base bundle', () => {
    const base = [...reached(join(root, 'libs/ui-kit/src/index.ts'))].map((f) => f.slice(root.length + 1));
    expect(base.filter((f) => /lib\/(yaml|usage-chart|search-palette|standalone-remote)\/|why-cant-i/.test(f))).toEqual([]);
    expect(base).toContain('libs/ui-kit/src/lib/resource-table/resource-table.ts');
  });

  it('reach the base kit through its shared name, so no entry carries a second copy of a base piece', () => {
    const baseFiles = reached(join(root, 'libs/ui-kit/src/index.ts'));
    for (const entry of ['yaml.ts', 'charts.ts', 'search.ts', 'access.ts', 'standalone.ts']) {
      const own = [...reached(join(root, 'libs/ui-kit/src', entry))];
      // overlay-styles is a string of CSS rules, not a component: a copy of it is harmless.
      expect({ entry, shared: own.filter((f) => baseFiles.has(f) && !f.endsWith('overlay-styles.ts')) }).toEqual({ entry, shared: [] });
    }
  });
});
