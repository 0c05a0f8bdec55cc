import * as z from 'zod/mini';
import { SearchQueryParams } from './search-requests';

describe('the search request', () => {
  const parse = (query: Record<string, string>) => SearchQueryParams.safeParse(query);
  const messages = (query: Record<string, string>) => {
    const result = parse(query);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  };

  it('takes a query and the clusters, each with the namespaces known for it', () => {
    const ok = parse({ q: 'kind:deploy app=web', clusters: '[{"cluster":"main"},{"cluster":"user:lab","namespaces":["tenant-1"]}]' });
    expect(ok.success && ok.data).toEqual({ q: 'kind:deploy app=web', clusters: [{ cluster: 'main' }, { cluster: 'user:lab', namespaces: ['tenant-1'] }] });
  });

  it('refuses, saying why, a query kube-model cannot run and clusters out of bounds', () => {
    expect(messages({ q: 'app=-web', clusters: '[{"cluster":"main"}]' })).toEqual([expect.stringMatching(/^q is not a search this console can run: label value "-web"/)]);
    expect(messages({ q: 'web', clusters: 'main' })).toEqual([expect.stringContaining('clusters must be JSON')]);
    expect(messages({ q: 'web', clusters: JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ cluster: `c${i}` }))) })).toEqual(['clusters must name at most 10 clusters per search']);
    expect(messages({ q: 'web', clusters: '[{"cluster":"a"},{"cluster":"a"}]' })).toEqual(['clusters must name each cluster once']);
    expect(messages({ q: 'web', clusters: JSON.stringify([{ cluster: 'a', namespaces: Array.from({ length: 51 }, (_, i) => `n${i}`) }]) })).toEqual(['clusters.0.namespaces must hold at most 50 namespaces per cluster']);
    expect(messages({ q: 'web', clusters: '[{"cluster":"a","namespaces":["Not_A_Namespace"]}]' })[0]).toContain('must be a namespace name');
    expect(messages({ q: 'web', clusters: '[{"cluster":"a"}]', extra: '1' })).toHaveLength(1);
    expect(z.safeParse(SearchQueryParams, { clusters: '[{"cluster":"a"}]' }).success).toBe(false);
  });
});
