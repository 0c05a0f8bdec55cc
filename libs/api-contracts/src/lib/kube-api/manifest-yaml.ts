// Types only: this lib adds no runtime dependency on the `yaml` package.
import type { ScalarTag, Tags } from 'yaml';

/** `0o17`: kubectl's reader takes YAML 1.2's octal form as well as 1.1's `017`. */
const OCTAL_0O: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  default: true,
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (source: string) => (source.startsWith('-') ? -1 : 1) * parseInt(source.replace(/^[-+]?0o/, '').replace(/_/g, ''), 8),
};

/**
 * How a manifest's YAML is read and written, wherever Cairn does it (the gateway's apply, the
 * console's YAML editor): the way kubectl reads it, which is YAML 1.1 (go-yaml under
 * sigs.k8s.io/yaml) with go-yaml's own choices. Checked against `kubectl apply --dry-run=server`
 * of the real API server (apps/gateway/src/app/kube-api.spec.ts):
 *
 * - `0400` is octal (256), `0644` is 420, `0o17` is 15, `0x10` 16, `0b101` 5, `1_000` 1000;
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
    OCTAL_0O,
    // Tags come as objects from a schema, or as names when listed by hand.
    ...tags.filter((tag) => (typeof tag === 'string' ? !['intTime', 'floatTime', 'timestamp'].includes(tag) : !('format' in tag && tag.format === 'TIME') && tag.tag !== 'tag:yaml.org,2002:timestamp')),
  ],
} as const;
