import { MAX_MERGED_CLUSTERS, mergedClusters, mergedClustersParam, mergedRowKey, unionPrinterColumns } from './multi-cluster';
import type { PrinterColumn } from './server-table';

const column = (name: string, type = 'string', priority = 0): PrinterColumn => ({ name, type, priority });

describe('lists merged across clusters', () => {
  it('reads clusters=a,b against the clusters the user has: order kept, blanks and repeats dropped, unknown names said', () => {
    expect(mergedClusters('b, a,,b', ['a', 'b', 'c'])).toEqual({ clusters: ['b', 'a'], unknown: [], overLimit: [] });
    const shared = mergedClusters('a,user:gone,z', ['a', 'b']);
    expect(shared.clusters).toEqual(['a']);
    expect(shared.unknown).toEqual(['user:gone', 'z']);
    expect(shared.problem).toBe('user:gone, z are not among your clusters (add them on the Clusters page).');
    expect(mergedClusters(undefined, ['a'])).toEqual({ clusters: [], unknown: [], overLimit: [] });
    expect(mergedClustersParam(['a', 'user:b'])).toBe('a,user:b');
    expect(mergedClustersParam([])).toBeUndefined();
  });

  it('crossing MAX_MERGED_CLUSTERS keeps the first ones and names the bound', () => {
    const known = Array.from({ length: MAX_MERGED_CLUSTERS + 2 }, (_, i) => `c${i}`);
    const merged = mergedClusters(known.join(','), known);
    expect(merged.clusters).toEqual(known.slice(0, MAX_MERGED_CLUSTERS));
    expect(merged.overLimit).toEqual(known.slice(MAX_MERGED_CLUSTERS));
    expect(merged.problem).toContain('MAX_MERGED_CLUSTERS');
    expect(merged.problem).toContain(`at most ${MAX_MERGED_CLUSTERS} clusters`);
    expect(mergedClusters(known.slice(0, MAX_MERGED_CLUSTERS).join(','), known).problem).toBeUndefined();
  });

  it('tells rows apart by cluster/namespace/name: the same object reached through two contexts is two rows', () => {
    const pod = { metadata: { name: 'web-1', namespace: 'team-a', uid: 'same' } };
    expect(mergedRowKey('cairn-dev', pod)).toBe('cairn-dev/team-a/web-1');
    expect(mergedRowKey('cairn-dev-impersonated', pod)).not.toBe(mergedRowKey('cairn-dev', pod));
    expect(mergedRowKey('a', { metadata: { name: 'kwok-node-1' } })).toBe('a//kwok-node-1');
  });

  it('joins printer columns by name: the first cluster’s order, then new ones; says which cluster lacks which', () => {
    const merged = unionPrinterColumns([
      { cluster: 'a', columns: [column('Name'), column('Size', 'integer'), column('Colour'), column('Age', 'date')] },
      { cluster: 'b', columns: [column('Name'), column('Owner'), column('Size', 'integer'), column('Age', 'date')] },
      { cluster: 'c', columns: undefined },
    ]);
    expect(merged.columns.map((c) => c.name)).toEqual(['Name', 'Size', 'Colour', 'Age', 'Owner']);
    expect(merged.columns.find((c) => c.name === 'Size')?.indexIn).toEqual({ a: 1, b: 2 });
    expect(merged.columns.find((c) => c.name === 'Owner')?.indexIn).toEqual({ b: 1 });
    expect(merged.differ).toBe(true);
    expect(merged.missing).toEqual([
      { cluster: 'a', columns: ['Owner'] },
      { cluster: 'b', columns: ['Colour'] },
    ]);
    expect(merged.typeConflicts).toEqual([]);
  });

  it('the same columns everywhere do not differ; a type that differs becomes text; a wide column stays wide only where every cluster says so', () => {
    const same = unionPrinterColumns([
      { cluster: 'a', columns: [column('Name'), column('Ready')] },
      { cluster: 'b', columns: [column('Name'), column('Ready')] },
    ]);
    expect(same.differ).toBe(false);
    expect(same.missing).toEqual([]);
    const mixed = unionPrinterColumns([
      { cluster: 'a', columns: [column('Count', 'integer', 1), column('Node', 'string', 1)] },
      { cluster: 'b', columns: [column('Count', 'string', 1), column('Node', 'string', 0)] },
    ]);
    expect(mixed.typeConflicts).toEqual(['Count']);
    expect(mixed.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Count', 'string', 1],
      ['Node', 'string', 0],
    ]);
    expect(unionPrinterColumns([]).columns).toEqual([]);
  });
});
