/**
 * Edges of a scheme for the editor. Corezoid has no edge list: every connection lives in
 * its source node (go / go_if_const `to_node_id`, an action's `err_node_id`, the time
 * semaphor's `to_node_id`, the count semaphor's `esc_node_id`).
 */
import type { EdgeKind } from "../blocks/block.ts";
import { blockFor } from "../blocks/registry.ts";
import type { ProcessScheme, SchemeNode } from "./scheme.ts";

export interface SchemeEdge {
  /** Stable per source and slot: `source:logicIndex:kind` or `source:timeout|escalation`. */
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  /** The logic that declares it (absent for semaphors). For a condition, its branch index. */
  logicIndex?: number;
  label?: string;
}

export function nodeEdges(node: SchemeNode): SchemeEdge[] {
  const edges: SchemeEdge[] = [];
  node.condition.logics.forEach((logic, i) => {
    for (const port of blockFor(logic).ports(logic)) {
      if (!port.target) continue;
      edges.push({ id: `${node.id}:${i}:${port.kind}`, source: node.id, target: port.target, kind: port.kind, logicIndex: i, ...(port.label ? { label: port.label } : {}) });
    }
  });
  for (const s of node.condition.semaphors ?? []) {
    if (s.type === "time" && s.to_node_id) {
      edges.push({ id: `${node.id}:timeout`, source: node.id, target: s.to_node_id, kind: "timeout", label: `${s.value} ${s.dimension ?? "sec"}` });
    } else if (s.type === "count" && s.esc_node_id) {
      edges.push({ id: `${node.id}:escalation`, source: node.id, target: s.esc_node_id, kind: "escalation", label: `≥ ${s.value} tasks` });
    }
  }
  return edges;
}

/** All edges, in node order then logic order. Targets may be dangling (validation reports them). */
export function schemeEdges(scheme: ProcessScheme): SchemeEdge[] {
  return scheme.nodes.flatMap(nodeEdges);
}
