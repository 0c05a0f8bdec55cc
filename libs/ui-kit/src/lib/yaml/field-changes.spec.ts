import { fieldChanges } from './field-changes';

describe('fieldChanges', () => {
  it('names each changed leaf by its path, lists by index, keys with dots in brackets', () => {
    const before = { metadata: { labels: { app: 'web' }, annotations: { 'example.com/x': '1' } }, spec: { replicas: 2, containers: [{ image: 'web:1' }, { image: 'side:1' }] } };
    const after = { metadata: { labels: { app: 'web', tier: 'front' }, annotations: { 'example.com/x': '2' } }, spec: { replicas: 3, containers: [{ image: 'web:2' }] } };
    expect(fieldChanges(before, after)).toEqual([
      { path: 'metadata.labels.tier', kind: 'added', after: 'front', emptied: false },
      { path: 'metadata.annotations["example.com/x"]', kind: 'changed', before: '1', after: '2', emptied: false },
      { path: 'spec.replicas', kind: 'changed', before: '2', after: '3', emptied: false },
      { path: 'spec.containers[0].image', kind: 'changed', before: 'web:1', after: 'web:2', emptied: false },
      { path: 'spec.containers[1].image', kind: 'removed', before: 'side:1', emptied: true },
    ]);
  });

  it('flags a Secret value written back empty, as a redacted copy would store it', () => {
    const stored = { data: { password: 'c2VjcmV0', user: 'YWRtaW4=' }, metadata: { labels: {} } };
    const wouldStore = { data: { password: '', user: '' }, metadata: { labels: { team: 'a' } } };
    const changes = fieldChanges(stored, wouldStore);
    expect(changes.filter((c) => c.emptied).map((c) => c.path)).toEqual(['data.password', 'data.user']);
    expect(changes.find((c) => c.path === 'metadata.labels.team')?.emptied).toBe(false);
  });

  it('finds nothing between equal objects, whatever their key order', () => {
    expect(fieldChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('finds nothing where an empty mapping stays empty (a pod template\u2019s `securityContext: {}`, as the API server stores it)', () => {
    // Seen in the browser: a colleague's `kubectl annotate` listed as "spec.template.spec.securityContext: removed (was {})".
    const template = { spec: { template: { spec: { securityContext: {}, containers: [{ name: 'web' }] } } } };
    expect(fieldChanges(template, JSON.parse(JSON.stringify(template)))).toEqual([]);
  });
});

describe('fieldChanges, whole mappings', () => {
  it('reports a mapping removed or added as a whole key by key', () => {
    expect(fieldChanges({ data: { a: 'x', b: 'y' } }, {})).toEqual([
      { path: 'data.a', kind: 'removed', before: 'x', emptied: true },
      { path: 'data.b', kind: 'removed', before: 'y', emptied: true },
    ]);
    expect(fieldChanges({}, { metadata: { labels: { team: 'a' } } })).toEqual([{ path: 'metadata.labels.team', kind: 'added', after: 'a', emptied: false }]);
  });
});
