import { cellsByObject, printCell, printedRows, printerColumns } from './server-table';

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

  it('reads a table without objects (includeObject=None) as rows of the namespace asked for, by the name column, leaving out rows without a name', () => {
    const table = {
      columnDefinitions: [{ name: 'Ready', type: 'string' }, { name: 'Name', type: 'string', format: 'name' }, { name: 'Status', type: 'string' }],
      rows: [{ cells: ['1/1', 'web-1', 'Running'] }, { cells: ['0/1', '', 'Pending'] }, { cells: ['0/2', 'db-0', 'two\nlines'] }, { cells: ['0/1', 'short'] }, 'oops'],
    };
    expect(printedRows(table, 'team-a')).toEqual([
      { namespace: 'team-a', name: 'web-1', cells: { Ready: '1/1', Name: 'web-1', Status: 'Running' } },
      { namespace: 'team-a', name: 'db-0', cells: { Ready: '0/2', Name: 'db-0', Status: 'two...' } },
      { namespace: 'team-a', name: 'short', cells: { Ready: '0/1', Name: 'short', Status: '' } },
    ]);
    // Without a name-formatted column, the first one (the API server puts Name first).
    expect(printedRows({ columnDefinitions: [{ name: 'Name' }], rows: [{ cells: ['node-1'] }] }, undefined)).toEqual([{ namespace: undefined, name: 'node-1', cells: { Name: 'node-1' } }]);
    expect(printedRows('nonsense', 'x')).toEqual([]);
  });
});
