import { commandWords } from './command-words';

describe('a custom command, split into words', () => {
  it('splits on spaces and keeps quoted words whole', () => {
    expect(commandWords('sh -c "exit 3"')).toEqual(['sh', '-c', 'exit 3']);
    expect(commandWords(`  ls   -l '/var/log dir' `)).toEqual(['ls', '-l', '/var/log dir']);
    expect(commandWords('echo "a \\"quoted\\" word"')).toEqual(['echo', 'a "quoted" word']);
    expect(commandWords('   ')).toEqual([]);
  });
});
