import { namespaceCandidates } from './namespace-discovery';

describe('namespaceCandidates', () => {
  const mapping = { 'team-a-devs': ['team-a'], 'tenant-owners': ['tenant-1', 'shared'], constructor: ['not-a-real-group'] };

  it('merges the labelled namespaces with those the caller\u2019s groups are given, sorted, once each', () => {
    expect(namespaceCandidates(['tenant-2', 'tenant-1'], mapping, ['tenant-owners', 'system:authenticated'], 50)).toEqual({ names: ['shared', 'tenant-1', 'tenant-2'], truncated: false });
  });

  it('gives nothing for groups the mapping does not name, nor for inherited object keys', () => {
    expect(namespaceCandidates([], { 'team-a-devs': ['team-a'] }, ['toString', 'constructor', 'auditors'], 50)).toEqual({ names: [], truncated: false });
  });

  it('cuts at the bound by name and says so', () => {
    expect(namespaceCandidates(['c', 'a', 'b', 'd'], {}, [], 3)).toEqual({ names: ['a', 'b', 'c'], truncated: true });
    expect(namespaceCandidates(['c', 'a', 'b'], {}, [], 3)).toEqual({ names: ['a', 'b', 'c'], truncated: false });
  });
});
