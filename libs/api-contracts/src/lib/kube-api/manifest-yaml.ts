// Types only: this lib adds no runtime dependency on the `yaml` package.
import type { ScalarTag, Tags } from 'yaml';

/** An integer with a radix prefix: digits (at least one) and underscores after it, an optional sign before. */
function prefixed(prefix: RegExp, radix: number, format: string): ScalarTag {
  const test = new RegExp(`^[-+]?${prefix.source}_*[0-9a-fA-F][0-9a-fA-F_]*$`);
  return {
    tag: 'tag:yaml.org,2002:int',
    format,
    default: true,
    test,
    resolve: (source: string) => {
      const digits = source.replace(/^[-+]?0./, '').replace(/_/g, '');
      const value = parseInt(digits, radix);
      // Not a number in that radix (0o9, 0b2): a string, as kubectl keeps it.
      if (Number.isNaN(value) || !new RegExp(`^[${'0123456789abcdef'.slice(0, radix)}]+$`, 'i').test(digits)) return source;
      return source.startsWith('-') ? -value : value;
    },
  };
}

/**
 * Radix prefixes kubectl's reader takes beyond YAML 1.1's `017` and `0x1f`: YAML 1.2's `0o17`,
 * and the uppercase `0O17`, `0X1F`, `0B101` (Go's ParseInt is case-blind there).
 */
const PREFIXED_INTS: ScalarTag[] = [prefixed(/0[oO]/, 8, 'OCT'), prefixed(/0X/, 16, 'HEX'), prefixed(/0B/, 2, 'BIN')];

/**
 * How a manifest's YAML is read and written, wherever Cairn does it (the gateway's apply, the
 * console's YAML editor): the way kubectl reads it, which is YAML 1.1 (go-yaml under
 * sigs.k8s.io/yaml) with go-yaml's own choices. Checked against `kubectl apply --dry-run=server`
 * of the real API server (apps/gateway/src/app/kube-api.spec.ts):
 *
 * - `0400` is octal (256), `0644` is 420, `0o17` and `0O17` are 15, `0x10` and `0X10` 16, `0b101` 5, `1_000` 1000;
 * - `yes`, `on`, `y` are true and `no`, `off`, `n` false, in any of YAML 1.1's spellings;
 * - but `1:30` stays a string (no sexagesimal numbers), and so does `2024-01-01` (no timestamps).
 *
 * YAML 1.2, the `yaml` package's default, reads `0644` as 644 and `yes` as a string. Pass these
 * options to the `yaml` package's `parse`, `parseAllDocuments`, `parseDocument` and `stringify`
 * (writing with them quotes the strings that would otherwise read back as something else).
 */
export const MANIFEST_YAML_OPTIONS = {
  version: '1.1',
  customTags: (tags: Tags): Tags => [
    ...PREFIXED_INTS,
    // Tags come as objects from a schema, or as names when listed by hand.
    ...tags.filter((tag) => (typeof tag === 'string' ? !['intTime', 'floatTime', 'timestamp'].includes(tag) : !('format' in tag && tag.format === 'TIME') && tag.tag !== 'tag:yaml.org,2002:timestamp')),
  ],
} as const;
