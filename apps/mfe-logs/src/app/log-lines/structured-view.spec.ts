import { parseStructured } from '@cairn/kube-model';
import { LogLine } from './log-line';
import { colourer, fieldNames, groupLines, hasStructured, keyValue, MAX_FIELD_CHOICES, MAX_GROUPS } from './structured-view';

let nextId = 1;
function line(text: string, pod = 'web-1'): LogLine {
  return { id: nextId++, kind: 'log', source: pod, colour: 0, text, segments: [{ text, classes: '' }], pod, container: 'app', structured: parseStructured(text) };
}

describe('structured view', () => {
  const lines = [
    line('{"level":50,"msg":"boom","status":503,"http":{"route":"/pay"}}', 'web-1'),
    line('level=warning msg="slow" status=200 route=/cart', 'web-2'),
    line('plain heartbeat', 'web-1'),
    line('{"level":"info","msg":"ok","status":201}', 'web-2'),
  ];

  it('lists the fields seen (not level and message, shown anyway) in order of first appearance', () => {
    expect(fieldNames(lines)).toEqual(['status', 'http.route', 'route']);
    expect(hasStructured(lines)).toBe(true);
    expect(hasStructured([line('only text')])).toBe(false);
  });

  it('offers at most MAX_FIELD_CHOICES field names, the first seen', () => {
    const wide = line(`{${Array.from({ length: MAX_FIELD_CHOICES + 10 }, (_, i) => `"f${i}":${i}`).join(',')}}`);
    const names = fieldNames([wide]);
    expect(names).toHaveLength(MAX_FIELD_CHOICES);
    expect(names[MAX_FIELD_CHOICES - 1]).toBe(`f${MAX_FIELD_CHOICES - 1}`);
  });

  it('reads level as the normalised severity, pod and container from the source, fields as text', () => {
    expect(lines.map((l) => keyValue(l, 'level'))).toEqual(['error', 'warn', '', 'info']);
    expect(keyValue(lines[1], 'pod')).toBe('web-2');
    expect(keyValue(lines[0], 'status')).toBe('503');
    expect(keyValue(lines[2], 'status')).toBe('');
  });

  it('colours levels by severity and other keys by value, in order of appearance', () => {
    const byLevel = colourer('level');
    expect(lines.map(byLevel)).toEqual(['sev-error', 'sev-warn', '', 'sev-info']);
    const byPod = colourer('pod');
    expect(lines.map(byPod)).toEqual(['c0', 'c1', 'c0', 'c1']);
  });

  it('groups by a key: a header per group, lines kept in order within it, lines with no value last, ids ascending', () => {
    const grouped = groupLines(lines, 'level');
    expect(grouped.map((l) => l.text)).toEqual([
      'level=error · 1 line', lines[0].text,
      'level=warn · 1 line', lines[1].text,
      'level=info · 1 line', lines[3].text,
      'level=(none) · 1 line', lines[2].text,
    ]);
    const ids = grouped.map((l) => l.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(groupLines(lines, 'pod').map((l) => l.text)[0]).toBe('pod=web-1 · 2 lines');
  });

  it('puts values beyond MAX_GROUPS into one last group', () => {
    const many = Array.from({ length: MAX_GROUPS + 5 }, (_, i) => line(`{"user":"u${i}"}`));
    const headers = groupLines(many, 'user').filter((l) => l.kind === 'notice');
    expect(headers).toHaveLength(MAX_GROUPS + 1);
    expect(headers[MAX_GROUPS].text).toBe(`user=(user: other values beyond ${MAX_GROUPS}) · 5 lines`);
  });
});
