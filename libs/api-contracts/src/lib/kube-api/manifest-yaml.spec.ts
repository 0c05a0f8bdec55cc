import { parse, stringify } from 'yaml';
import { MANIFEST_YAML_OPTIONS } from './manifest-yaml';

/** What kubectl apply --dry-run=server stored for each scalar, read off the real API server (see kube-api.spec.ts for the live comparison). */
describe('MANIFEST_YAML_OPTIONS: YAML as kubectl reads it', () => {
  it('reads numbers and booleans as kubectl does', () => {
    const text = 'a: 1:30\nb: 0400\nc: 0o17\nd: 0x10\ne: 0b101\nf: 1_000\ng: yes\nh: off\ni: y\nj: 2024-01-01\nk: ~\nl: 1e3\nm: 0644\np: 2024-01-01T10:00:00Z\n';
    expect(parse(text, MANIFEST_YAML_OPTIONS)).toEqual({ a: '1:30', b: 256, c: 15, d: 16, e: 5, f: 1000, g: true, h: false, i: true, j: '2024-01-01', k: null, l: 1000, m: 420, p: '2024-01-01T10:00:00Z' });
  });

  it('takes the radix prefixes in either case, and keeps what is no number in that radix as a string', () => {
    expect(parse('a: 0O17\nb: 0X1F\nc: 0B101\nd: -0o17\ne: 0o_\nf: 0o9\ng: 0b2\n', MANIFEST_YAML_OPTIONS)).toEqual({ a: 15, b: 31, c: 5, d: -15, e: '0o_', f: '0o9', g: '0b2' });
    const text = stringify({ a: '0X1F', b: '0O17', c: '0B101' }, MANIFEST_YAML_OPTIONS);
    expect(parse(text, MANIFEST_YAML_OPTIONS)).toEqual({ a: '0X1F', b: '0O17', c: '0B101' });
  });

  it('writes strings so that they read back as the same strings, for kubectl too', () => {
    const strings = { a: '1:30', b: '0o17', c: 'yes', d: '2024-01-01', e: '0400', f: 'n', g: 'on', h: '0x10', i: '1_000' };
    const text = stringify(strings, MANIFEST_YAML_OPTIONS);
    expect(parse(text, MANIFEST_YAML_OPTIONS)).toEqual(strings);
    // Those kubectl would read as numbers or booleans are quoted.
    for (const quoted of ['0o17', 'yes', '0400', 'n', 'on', '0x10', '1_000']) expect(text).toContain(`"${quoted}"`);
  });
});
