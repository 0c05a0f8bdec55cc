import { graphlib, layout } from '@dagrejs/dagre';
import type { MapEdge, MapNode } from '@cairn/kube-model';

/** Every node of the map is drawn as a card of this size (CSS pixels). */
export const NODE_WIDTH = 236;
export const NODE_HEIGHT = 64;

export interface PlacedNode {
  id: string;
  /** Top-left corner, CSS pixels. */
  x: number;
  y: number;
}

export interface PlacedEdge extends MapEdge {
  /** SVG path data through dagre's bend points. */
  path: string;
}

export interface MapLayout {
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  /** Node ids in reading order (column by column from the left, each from the top): the keyboard's order. */
  order: string[];
}

/**
 * Places the map's nodes left to right by dagre (`@dagrejs/dagre`: layered layout, the
 * network-simplex ranker): an Ingress before its Service, a Deployment before its ReplicaSet,
 * pods before what they mount. A few hundred nodes take a few milliseconds.
 */
export function layoutMap(nodes: readonly MapNode[], edges: readonly MapEdge[]): MapLayout {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 72, edgesep: 10, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) g.setEdge(e.from, e.to, {}, `${e.from}|${e.to}|${e.relation}`);
  layout(g);
  const placed = new Map<string, PlacedNode>();
  for (const n of nodes) {
    const p = g.node(n.id);
    placed.set(n.id, { id: n.id, x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) });
  }
  const laidEdges = edges.map((e) => {
    const points = (g.edge(e.from, e.to, `${e.from}|${e.to}|${e.relation}`)?.points ?? []) as Array<{ x: number; y: number }>;
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${Math.round(p.x)},${Math.round(p.y)}`).join(' ');
    return { ...e, path };
  });
  const graph = g.graph();
  const order = [...placed.values()].sort((a, b) => a.x - b.x || a.y - b.y).map((p) => p.id);
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes: placed, edges: laidEdges, order };
}
