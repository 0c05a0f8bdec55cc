/**
 * ANSI escape sequences in log lines, turned into styled runs of plain text. The text is
 * only ever rendered through Angular's text bindings: a line that contains `<script>` shows
 * those characters, it never becomes an element.
 *
 * Only SGR (`ESC [ … m`) changes the style; every other escape sequence (cursor moves,
 * erase, OSC titles and hyperlinks) and every other control character is dropped. The 16
 * basic colours become classes, so each theme picks readable shades; 256-colour and
 * true-colour values become an `rgb()` the template binds with `[style.color]`.
 */

/** A run of text in one style. */
export interface Segment {
  readonly text: string;
  /** Space-separated classes: `ansi-fg-N`, `ansi-bg-N` (N 0-15), `ansi-b`, `ansi-d`, `ansi-i`, `ansi-u`, `ansi-s`, `ansi-inv`. */
  readonly classes: string;
  /** An `rgb()` foreground for a colour outside the basic 16. */
  readonly fg?: string;
  readonly bg?: string;
}

export interface ParsedLine {
  /** The line without any escape sequence: what search, copy and download see. */
  readonly text: string;
  readonly segments: readonly Segment[];
}

type Colour = number | string | undefined;

interface Style {
  fg?: Colour;
  bg?: Colour;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
  inverse?: boolean;
}

// CSI (ESC [ params final), OSC (ESC ] … BEL or ST), and the two-character escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[([0-9;:?<=>]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;
// Controls other than tab; ESC is among them, so a broken sequence leaves no trace.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** Parses one source's lines in order: like a terminal, a style set on one line lasts into the next until reset. */
export class AnsiParser {
  private style: Style = {};

  parse(line: string): ParsedLine {
    const segments: Segment[] = [];
    let text = '';
    let last = 0;
    const emit = (raw: string) => {
      const clean = raw.replace(CONTROLS, '');
      if (!clean) return;
      text += clean;
      const segment = toSegment(clean, this.style);
      const previous = segments[segments.length - 1];
      if (previous && sameLook(previous, segment)) segments[segments.length - 1] = { ...previous, text: previous.text + clean };
      else segments.push(segment);
    };
    // A line without ESC is the common case: no regex work at all.
    if (line.indexOf('\x1b') < 0) {
      emit(line);
      return { text, segments };
    }
    ESCAPES.lastIndex = 0;
    for (let m = ESCAPES.exec(line); m; m = ESCAPES.exec(line)) {
      emit(line.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[2] === 'm' && !/[?<=>]/.test(m[1] ?? '')) this.applySgr(m[1] ?? '');
      if (m[0].length === 0) ESCAPES.lastIndex++;
    }
    emit(line.slice(last));
    return { text, segments };
  }

  /** Forgets the carried-over style (a new stream of the same source). */
  reset(): void {
    this.style = {};
  }

  private applySgr(params: string): void {
    const codes = params === '' ? ['0'] : params.split(';');
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] ?? '';
      // `38:5:n` and `38:2::r:g:b` put the colour in sub-parameters of one code.
      if (code.includes(':')) {
        const [head, ...rest] = code.split(':');
        const colour = extendedColour(rest.filter((p, j) => !(rest[0] === '2' && rest.length === 5 && j === 1)));
        if (head === '38') this.style.fg = colour;
        else if (head === '48') this.style.bg = colour;
        else if (head === '4') this.style.underline = rest[0] !== '0';
        continue;
      }
      const n = code === '' ? 0 : Number(code);
      if (n === 38 || n === 48) {
        const mode = codes[i + 1];
        const take = mode === '5' ? 2 : mode === '2' ? 4 : 1;
        const colour = extendedColour(codes.slice(i + 1, i + 1 + take));
        if (n === 38) this.style.fg = colour;
        else this.style.bg = colour;
        i += take;
        continue;
      }
      this.applyCode(n);
    }
  }

  private applyCode(n: number): void {
    const s = this.style;
    if (n === 0) this.style = {};
    else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4 || n === 21) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 9) s.strike = true;
    else if (n === 22) s.bold = s.dim = false;
    else if (n === 23) s.italic = false;
    else if (n === 24) s.underline = false;
    else if (n === 27) s.inverse = false;
    else if (n === 29) s.strike = false;
    else if (n >= 30 && n <= 37) s.fg = n - 30;
    else if (n === 39) s.fg = undefined;
    else if (n >= 40 && n <= 47) s.bg = n - 40;
    else if (n === 49) s.bg = undefined;
    else if (n >= 90 && n <= 97) s.fg = n - 90 + 8;
    else if (n >= 100 && n <= 107) s.bg = n - 100 + 8;
  }
}

/** `5;n` (256 colours) or `2;r;g;b` (true colour): an index below 16, or an `rgb()`. */
function extendedColour(params: string[]): Colour {
  const [mode, ...values] = params;
  const byte = (v: string | undefined) => Math.max(0, Math.min(255, Number(v) || 0));
  if (mode === '5') {
    const n = byte(values[0]);
    return n < 16 ? n : xterm256(n);
  }
  if (mode === '2') return `rgb(${byte(values[0])}, ${byte(values[1])}, ${byte(values[2])})`;
  return undefined;
}

/** xterm's 6x6x6 cube (16-231) and grey ramp (232-255). */
export function xterm256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const level = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
}

function toSegment(text: string, style: Style): Segment {
  let { fg, bg } = style;
  const classes: string[] = [];
  if (style.inverse) {
    [fg, bg] = [bg, fg];
    classes.push('ansi-inv');
  }
  if (typeof fg === 'number') classes.push(`ansi-fg-${fg}`);
  if (typeof bg === 'number') classes.push(`ansi-bg-${bg}`);
  if (style.bold) classes.push('ansi-b');
  if (style.dim) classes.push('ansi-d');
  if (style.italic) classes.push('ansi-i');
  if (style.underline) classes.push('ansi-u');
  if (style.strike) classes.push('ansi-s');
  const segment: { text: string; classes: string; fg?: string; bg?: string } = { text, classes: classes.join(' ') };
  if (typeof fg === 'string') segment.fg = fg;
  if (typeof bg === 'string') segment.bg = bg;
  return segment;
}

function sameLook(a: Segment, b: Segment): boolean {
  return a.classes === b.classes && a.fg === b.fg && a.bg === b.bg;
}

/** The line without escape sequences or control characters, for a source that needs no styling. */
export function stripAnsi(line: string): string {
  return line.replace(ESCAPES, '').replace(CONTROLS, '');
}
