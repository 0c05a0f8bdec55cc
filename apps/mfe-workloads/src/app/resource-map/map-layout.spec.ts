/**
 * @jest-environment node
 */
import { resourceMap } from '@cairn/kube-model';
import { layoutMap, NODE_HEIGHT, NODE_WIDTH } from './map-layout';

describe('layoutMap (dagre)', () => {
  const map = resourceMap({
    namespace: 'shop',
    objects: {
      Deployment: [{ metadata: { name: 'web' }, spec: { replicas: 1 }, status: { availableReplicas: 1 } }],
      ReplicaSet: [{ metadata: { name: 'web-1', ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] }, spec: { replicas: 1 } }],
      Pod: [{ metadata: { name: 'web-1-a', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', controller: true }] }, spec: { containers: [{ name: 'c' }] } }],
      Service: [{ metadata: { name: 'web' }, spec: { selector: { app: 'web' } } }],
      Ingress: [{ metadata: { name: 'shop' }, spec: { defaultBackend: { service: { name: 'web' } } } }],
    },
    hidden: ['EndpointSlice'],
  });

  it('places every node once, without overlaps, links flowing left to right, inside the drawing', () => {
    const layout = layoutMap(map.nodes, map.edges);
    expect([...layout.nodes.keys()].sort()).toEqual(map.nodes.map((n) => n.id).sort());
    const boxes = [...layout.nodes.values()];
    for (const a of boxes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(a.y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
      for (const b of boxes) if (a !== b) expect(a.x + NODE_WIDTH <= b.x || b.x + NODE_WIDTH <= a.x || a.y + NODE_HEIGHT <= b.y || b.y + NODE_HEIGHT <= a.y).toBe(true);
    }
    const x = (id: string) => layout.nodes.get(id)?.x ?? NaN;
    expect(x('Ingress/shop')).toBeLessThan(x('Service/web'));
    expect(x('Deployment/web')).toBeLessThan(x('ReplicaSet/web-1'));
    expect(x('ReplicaSet/web-1')).toBeLessThan(x('Pods/ReplicaSet/web-1'));
    expect(layout.edges).toHaveLength(map.edges.length);
    for (const e of layout.edges) expect(e.path).toMatch(/^M\d+,\d+( L-?\d+,-?\d+)+$/);
    // Keyboard order: column by column, each from the top.
    expect(layout.order.indexOf('Deployment/web')).toBeLessThan(layout.order.indexOf('Pods/ReplicaSet/web-1'));
  });
});
