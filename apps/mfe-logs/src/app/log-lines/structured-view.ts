import { fieldText, LEVEL_FIELDS, MESSAGE_FIELDS, TIME_FIELDS } from '@cairn/kube-model';
import { LogLine, SOURCE_COLOURS } from './log-line';

/** Field names offered as columns, colour or group: at most this many (the first seen). */
export const MAX_FIELD_CHOICES = 60;
/** Groups shown apart: at most this many; later values share one last group. */
export const MAX_GROUPS = 50;
/** Ids of grouped lines: group index × this + the line's own id, so ids still ascend down the view. */
const GROUP_STRIDE = 1e10;

/** Names every line has, whatever its format: where it came from, and its normalised level. */
export const BUILT_IN_KEYS = ['pod', 'container', 'level'] as const;

/** The field names the structured lines carry, without the ones always shown (level, message), in order of first appearance. */
export function fieldNames(lines: readonly LogLine[]): string[] {
  const names = new Set<string>();
  const shown = new Set<string>([...LEVEL_FIELDS, ...MESSAGE_FIELDS]);
  for (const line of lines) {
    const fields = line.structured?.fields;
    if (!fields) continue;
    for (const name in fields) {
      if (!shown.has(name)) names.add(name);
      if (names.size === MAX_FIELD_CHOICES) return [...names];
    }
  }
  return [...names];
}

/** Whether any line is JSON or logfmt: then the view offers columns. */
export function hasStructured(lines: readonly LogLine[]): boolean {
  for (const line of lines) if (line.structured?.format) return true;
  return false;
}

/**
 * A line's value for a key, as colour and group read it: `level` (and its other names) as the
 * normalised severity, else the line's own field; then `pod` and `container` as where it came
 * from, and the time fields' names as the Kubernetes timestamp.
 */
export function keyValue(line: LogLine, key: string): string {
  return valueReader(key)(line);
}

/** {@link keyValue} for one key, its kind worked out once: for reading 10 000 lines. */
function valueReader(key: string): (line: LogLine) => string {
  const isLevel = (LEVEL_FIELDS as readonly string[]).includes(key);
  const isTime = (TIME_FIELDS as readonly string[]).includes(key);
  return (line) => {
    // Levels group by what they mean: `ERR`, `E` and 50 are one group.
    if (isLevel && line.structured?.severity) return line.structured.severity;
    const own = line.structured?.fields[key];
    if (own !== undefined) return fieldText(own);
    if (key === 'pod') return line.pod ?? '';
    if (key === 'container') return line.container ?? '';
    if (isTime && line.timestamp) return line.timestamp;
    return '';
  };
}

/** A colour per value of `key`, in the order values first appear (levels get their own: error red, warn amber). */
export function colourer(key: string): (line: LogLine) => string {
  const palette = new Map<string, number>();
  const isLevel = (LEVEL_FIELDS as readonly string[]).includes(key);
  const read = valueReader(key);
  return (line) => {
    if (!key || line.kind !== 'log') return '';
    if (isLevel && line.structured?.severity) return `sev-${line.structured.severity}`;
    const value = read(line);
    if (!value) return '';
    let colour = palette.get(value);
    if (colour === undefined) palette.set(value, (colour = palette.size % SOURCE_COLOURS));
    return `c${colour}`;
  };
}

/**
 * The lines by the value of `key`: a header line per group (`pod=web-1 · 120 lines`), each
 * group in time order, groups in the order they first appear, an empty value last. Ids are
 * rewritten group-major so they still ascend down the view (the viewport finds lines by id).
 */
export function groupLines(lines: readonly LogLine[], key: string): LogLine[] {
  const groups = new Map<string, LogLine[]>();
  let overflow: LogLine[] | undefined;
  const read = valueReader(key);
  for (const line of lines) {
    const value = read(line);
    let group = groups.get(value);
    if (!group) {
      if (groups.size < MAX_GROUPS) groups.set(value, (group = []));
      else group = overflow ??= [];
    }
    group.push(line);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0));
  if (overflow) ordered.push([`(${key}: other values beyond ${MAX_GROUPS})`, overflow]);
  const out: LogLine[] = [];
  ordered.forEach(([value, members], g) => {
    const base = (g + 1) * GROUP_STRIDE;
    const title = `${key}=${value || '(none)'} · ${members.length.toLocaleString('en')} ${members.length === 1 ? 'line' : 'lines'}`;
    out.push({ id: base, kind: 'notice', source: '', colour: -1, text: title, segments: [{ text: title, classes: 'group' }] });
    for (const line of members) out.push({ ...line, id: base + line.id });
  });
  return out;
}
