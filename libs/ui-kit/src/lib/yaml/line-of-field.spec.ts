import { lineOfField } from './yaml-problem';

describe('lineOfField', () => {
  const draft = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '  labels:', '    app.kubernetes.io/name: web', 'spec:', '  replicas: -2', '  template:', '    spec:', '      containers:', '        - name: web', '          ports:', '            - containerPort: 0', ''].join('\n');

  it('finds the line of a field path as the API server writes it, array indexes and bracketed keys included', async () => {
    expect(await lineOfField(draft, 'spec.replicas')).toBe(8);
    expect(await lineOfField(draft, 'spec.template.spec.containers[0].ports[0].containerPort')).toBe(14);
    expect(await lineOfField(draft, 'metadata.labels[app.kubernetes.io/name]')).toBe(6);
  });

  it('points at the deepest part of the path the draft has when the field itself is missing, and at nothing in broken YAML', async () => {
    expect(await lineOfField(draft, 'spec.template.spec.containers[0].image')).toBe(12);
    expect(await lineOfField(draft, 'spec.selector')).toBe(7);
    expect(await lineOfField('spec: [', 'spec')).toBeUndefined();
  });
});
