import { AnsiParser, stripAnsi, xterm256 } from './ansi';

const parse = (line: string, parser = new AnsiParser()) => parser.parse(line);

describe('AnsiParser', () => {
  it('leaves a line without escapes as one plain segment', () => {
    expect(parse('GET /healthz 200')).toEqual({ text: 'GET /healthz 200', segments: [{ text: 'GET /healthz 200', classes: '' }] });
  });

  it('turns the basic and bright colours into classes, and resets', () => {
    const { text, segments } = parse('\x1b[31mERROR\x1b[0m done \x1b[1;92mok\x1b[39;22m!');
    expect(text).toBe('ERROR done ok!');
    expect(segments).toEqual([
      { text: 'ERROR', classes: 'ansi-fg-1' },
      { text: ' done ', classes: '' },
      { text: 'ok', classes: 'ansi-fg-10 ansi-b' },
      { text: '!', classes: '' },
    ]);
  });

  it('reads backgrounds, underline, italic, strike and inverse', () => {
    expect(parse('\x1b[44;4;3;9mx').segments).toEqual([{ text: 'x', classes: 'ansi-bg-4 ansi-i ansi-u ansi-s' }]);
    expect(parse('\x1b[33;7mx').segments).toEqual([{ text: 'x', classes: 'ansi-inv ansi-bg-3' }]);
    expect(parse('\x1b[103mx\x1b[49my').segments).toEqual([{ text: 'x', classes: 'ansi-bg-11' }, { text: 'y', classes: '' }]);
  });

  it('maps 256-colour and true-colour values, the first 16 of 256 to classes', () => {
    expect(parse('\x1b[38;5;9ma').segments).toEqual([{ text: 'a', classes: 'ansi-fg-9' }]);
    expect(parse('\x1b[38;5;196ma').segments).toEqual([{ text: 'a', classes: '', fg: 'rgb(255, 0, 0)' }]);
    expect(parse('\x1b[48;2;10;20;300ma').segments).toEqual([{ text: 'a', classes: '', bg: 'rgb(10, 20, 255)' }]);
    expect(parse('\x1b[38:2::1:2:3ma').segments).toEqual([{ text: 'a', classes: '', fg: 'rgb(1, 2, 3)' }]);
    expect(xterm256(232)).toBe('rgb(8, 8, 8)');
    expect(xterm256(21)).toBe('rgb(0, 0, 255)');
  });

  it('carries a style into the next line of the same source, like a terminal', () => {
    const parser = new AnsiParser();
    parse('\x1b[32mstarting', parser);
    expect(parse('still green\x1b[m', parser).segments).toEqual([{ text: 'still green', classes: 'ansi-fg-2' }]);
    expect(parse('plain', parser).segments).toEqual([{ text: 'plain', classes: '' }]);
  });

  it('drops other escape sequences and control characters', () => {
    expect(parse('\x1b[2K\x1b[1Gprogress\r 50%\x07\x1b]0;title\x07 \x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\\x1b').text).toBe('progress 50% link');
    expect(parse('a\tb\x00c').text).toBe('a\tbc');
    expect(stripAnsi('\x1b[1;31mred\x1b[0m')).toBe('red');
  });

  it('keeps markup as text: a <script> in a line is characters, not an element', () => {
    const line = '\x1b[31m<script>alert("x")</script>\x1b[0m<img src=x onerror=alert(1)>';
    const { text, segments } = parse(line);
    expect(text).toBe('<script>alert("x")</script><img src=x onerror=alert(1)>');
    expect(segments.map((s) => s.text)).toEqual(['<script>alert("x")</script>', '<img src=x onerror=alert(1)>']);
    // Nothing from the line can reach a class or a style: only what the parser computes.
    for (const s of segments) expect(s.classes).toMatch(/^(ansi-[a-z0-9-]+( |$))*$/);
  });
});
