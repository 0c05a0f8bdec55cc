import { cellsByObject, printCell, printerColumns } from './server-table';

describe('the API server table', () => {
  it('prints cells as kubectl does: nothing for a missing value, strings up to a line break', () => {
    expect([null, undefined, '', 'red', 3, 1.5, true, 'two\nlines', 'a\rb'].map(printCell)).toEqual(['', '', '', 'red', '3', '1.5', 'true', 'two...', 'a...']);
  });

  it('reads columns and rows of any shape without throwing', () => {
    const table = { columnDefinitions: [{ name: 'Name', type: 'string' }, { name: 'Owner', type: 'string', priority: 1 }], rows: [{ cells: ['a', null], object: { metadata: { uid: 'u1' } } }, { cells: 'oops' }, 7] };
    expect(printerColumns(table)).toEqual([
      { name: 'Name', type: 'string', format: undefined, description: undefined, priority: 0 },
      { name: 'Owner', type: 'string', format: undefined, description: undefined, priority: 1 },
    ]);
    expect([...cellsByObject(table)]).toEqual([
      ['u1', ['a', '']],
      ['/', []],
    ]);
    expect(printerColumns('nonsense')).toEqual([]);
  });
});
