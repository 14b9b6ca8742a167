/**
 * Auto-layout with dagre: the happy path runs top to bottom (Corezoid's
 * convention), error, timeout and escalation links weigh less so they do not
 * pull the main lane sideways.
 */
import dagre from "@dagrejs/dagre";
import { schemeEdges, type ProcessScheme } from "@/engine/index";

export interface NodeSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: NodeSize = { width: 200, height: 64 };

/** New positions (top-left corners) for every node. */
export function layoutPositions(scheme: ProcessScheme, sizes: Record<string, NodeSize | undefined> = {}): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 60, ranksep: 80, edgesep: 20, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(scheme.nodes.map((n) => n.id));
  for (const n of scheme.nodes) {
    const s = sizes[n.id] ?? DEFAULT_SIZE;
    g.setNode(n.id, { width: s.width, height: s.height });
  }
  for (const e of schemeEdges(scheme)) {
    if (!ids.has(e.target) || e.target === e.source) continue;
    const main = e.kind === "next" || e.kind === "condition";
    g.setEdge(e.source, e.target, { weight: main ? 4 : 1, minlen: 1 }, e.id);
  }
  dagre.layout(g);
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of scheme.nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (p) out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}
