import { parseManifests } from './manifests';

const status = (fn: () => unknown): { status?: number; message?: string } => {
  try {
    fn();
    return {};
  } catch (err) {
    return { status: (err as { getStatus?(): number }).getStatus?.(), message: (err as Error).message };
  }
};

describe('apply YAML bounds', () => {
  it('refuses many aliases of one big scalar before expanding them (the 0.5 MB → 200 MB case)', () => {
    const big = 'x'.repeat(512 * 1024);
    const aliases = Array.from({ length: 99 }, (_, i) => `  k${i}: *big`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb, namespace: a}\ndata:\n  big: &big ${big}\n${aliases}\n`;
    const before = process.memoryUsage().heapUsed;
    const refused = status(() => parseManifests(text));
    expect(refused).toEqual({ status: 413, message: expect.stringContaining('larger than 4194304 bytes, the bound on one apply (CAIRN_MAX_MANIFEST_BYTES)') });
    // Nothing of the 50 MB it describes was built.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses more aliases than the bound, and nested aliases count with what they expand to', () => {
    const many = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: a}\ndata:\n  a: &a v\n${Array.from({ length: 101 }, (_, i) => `  k${i}: *a`).join('\n')}\n`;
    expect(status(() => parseManifests(many))).toEqual({ status: 413, message: expect.stringContaining('more than 100 aliases (*name), the bound on one apply (CAIRN_MAX_YAML_ALIASES)') });
    // A classic billion-laughs: each level doubles what the last expands to.
    const levels = ['l0: &l0 ' + 'y'.repeat(1000)];
    for (let i = 1; i < 20; i++) levels.push(`l${i}: &l${i} [*l${i - 1}, *l${i - 1}]`);
    const laughs = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: a}\n${levels.join('\n')}\n`;
    expect(status(() => parseManifests(laughs)).status).toBe(413);
  });

  it('still applies an ordinary manifest with an alias or two', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: a, labels: &l {app: web}}\ndata: *l\n';
    expect(parseManifests(text)[0]?.object['data']).toEqual({ app: 'web' });
  });
});
