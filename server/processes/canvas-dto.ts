import { safeParseScheme } from "../../engine/index.ts";
import { schemeEdges } from "../../engine/model/edges.ts";
import { nodeBlock, nodeKind, PALETTE } from "../../engine/blocks/palette.ts";

/** Canvas DTOs for the editor: nodes with their kind and block title, edges with their kind. */
export interface CanvasDto {
  nodes: Array<{ id: string; title: string; kind: ReturnType<typeof nodeKind>; block: string | null; x: number; y: number }>;
  edges: Array<{ id: string; source: string; target: string; kind: "next" | "condition" | "error" | "timeout" | "escalation"; label?: string }>;
  problems: string[];
}

const BLOCK_TITLE = new Map<string, string>(PALETTE.map((p) => [p.block, p.title]));

export function toCanvas(schemeJson: unknown): CanvasDto {
  const parsed = safeParseScheme(schemeJson);
  if (!parsed.ok) return { nodes: [], edges: [], problems: parsed.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  const scheme = parsed.scheme;
  const ids = new Set(scheme.nodes.map((n) => n.id));
  return {
    nodes: scheme.nodes.map((n) => {
      const block = nodeBlock(n);
      return { id: n.id, title: n.title ?? "", kind: nodeKind(n), block: block ? (BLOCK_TITLE.get(block) ?? block) : null, x: n.x ?? 0, y: n.y ?? 0 };
    }),
    edges: schemeEdges(scheme)
      .filter((e) => ids.has(e.target))
      .map((e) => ({ id: e.id, source: e.source, target: e.target, kind: e.kind, ...(e.label ? { label: e.label } : {}) })),
    problems: [],
  };
}
