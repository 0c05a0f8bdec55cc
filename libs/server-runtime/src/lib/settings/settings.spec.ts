import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError, SettingsReader } from './settings';

describe('SettingsReader', () => {
  it('uses the fallback for unset and blank values', () => {
    const read = new SettingsReader({ PORT: '  ' });
    expect(read.port('PORT', 4466)).toBe(4466);
    expect(read.string('NAME', 'cairn')).toBe('cairn');
    expect(read.optionalString('NAME')).toBeUndefined();
  });

  it('refuses values it cannot use, naming the setting and the fix', () => {
    const read = new SettingsReader({ PORT: '0', HOST: 'local host', URL: 'not a url', LEVEL: 'loud' });
    expect(() => read.port('PORT', 1)).toThrow(new SettingError('PORT', '"0" is not a TCP port; use a whole number from 1 to 65535'));
    expect(() => read.host('HOST', '')).toThrow('HOST: "local host" is not an address to listen on');
    expect(() => read.url('URL', '')).toThrow('URL: "not a url" is not a URL');
    expect(() => read.oneOf('LEVEL', ['quiet'], 'quiet')).toThrow('LEVEL: "loud" is not one of quiet');
  });

  it('resolves relative paths against the given base and checks what they are', () => {
    const base = mkdtempSync(join(tmpdir(), 'cairn-settings-'));
    writeFileSync(join(base, 'remotes.json'), '[]');
    const read = new SettingsReader({ DIR: '.', FILE: 'remotes.json', NOT_A_DIR: 'remotes.json' });
    expect(read.directory('DIR', 'x', base)).toBe(base);
    expect(read.optionalFile('FILE', base)).toBe(join(base, 'remotes.json'));
    expect(read.optionalFile('UNSET', base)).toBeUndefined();
    expect(() => read.directory('NOT_A_DIR', 'x', base)).toThrow(`NOT_A_DIR: directory "${join(base, 'remotes.json')}" does not exist`);
  });

  it('reads sizes with binary suffixes and counts, refusing anything else by name', () => {
    const read = new SettingsReader({ SIZE: '2Mi', PLAIN: '512', BAD: '2MB', HUGE: '3Gi', N: '7', NEG: '-1' });
    expect(read.bytes('SIZE', 1)).toBe(2 * 1024 * 1024);
    expect(read.bytes('PLAIN', 1)).toBe(512);
    expect(read.bytes('UNSET', 42)).toBe(42);
    expect(() => read.bytes('BAD', 1)).toThrow('BAD: "2MB" is not a size');
    expect(() => read.bytes('HUGE', 1, 1, 1024 ** 3)).toThrow('HUGE: "3Gi" is not a size from 1 to 1073741824 bytes');
    expect(read.count('N', 1, 1, 10)).toBe(7);
    expect(() => read.count('NEG', 1, 0, 10)).toThrow('NEG: "-1" is not a whole number from 0 to 10');
  });
});
