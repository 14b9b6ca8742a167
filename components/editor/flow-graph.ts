/**
 * The scheme as React Flow nodes and edges. Rebuilt on every scheme change,
 * but a node whose scheme node, problems and highlight did not change keeps
 * its previous object (and React Flow's own state: selection, measured size),
 * so memoised node components skip re-rendering on a 300-node canvas.
 */
import { MarkerType } from "@xyflow/react";
import { NODE_TYPES, nodeBlock, nodeEdges, nodeKind, type ProcessScheme, type SchemeNode, type ValidationIssue } from "@/engine/index";
import { PORT_COLOR } from "./nodes/node-parts";
import { edgeHandle, nodePorts } from "./model/ports";
import { blockSummary } from "./model/summary";
import type { FlowEdge, FlowNode, FlowNodeType, NodeIssues } from "./types";

export interface Highlight {
  /** Node ids in path order (a task's history or a dry run). */
  path: string[];
  /** Where the task is now. */
  current?: string;
}

/**
 * The issues worth showing: an open link is reported twice by the engine (the
 * logic's schema wants a target, and the link is missing); keep the one that
 * says what to do.
 */
export function displayIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const missing = new Set(issues.filter((i) => i.code === "missing_link").map((i) => `${i.nodeId}:${i.logicIndex ?? ""}:${i.field ?? ""}`));
  return issues.filter((i) => !(i.code === "invalid_config" && missing.has(`${i.nodeId}:${i.logicIndex ?? ""}:${i.field ?? ""}`)));
}

export function issuesByNode(issues: readonly ValidationIssue[]): Map<string, NodeIssues> {
  const out = new Map<string, NodeIssues>();
  for (const i of issues) {
    if (!i.nodeId) continue;
    const n = out.get(i.nodeId) ?? { errors: 0, warnings: 0, messages: [] };
    if (i.severity === "error") n.errors++;
    else n.warnings++;
    n.messages.push(i.message);
    out.set(i.nodeId, n);
  }
  return out;
}

function flowType(node: SchemeNode): FlowNodeType {
  if (node.obj_type === NODE_TYPES.start) return "start";
  if (node.obj_type === NODE_TYPES.final) return "final";
  return nodeBlock(node) === "condition" ? "condition" : "block";
}

const sameIssues = (a: NodeIssues | null, b: NodeIssues | null) => a === b || (!!a && !!b && a.errors === b.errors && a.warnings === b.warnings && a.messages.join("\n") === b.messages.join("\n"));

export function buildFlowNodes(scheme: ProcessScheme, prev: readonly FlowNode[], issues: Map<string, NodeIssues>, highlight: Highlight | null, editable: boolean): FlowNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  const onPath = new Set(highlight?.path ?? []);
  return scheme.nodes.map((node) => {
    const old = before.get(node.id);
    const nodeIssues = issues.get(node.id) ?? null;
    const path = onPath.has(node.id);
    const current = highlight?.current === node.id;
    const position = { x: node.x ?? 0, y: node.y ?? 0 };
    if (old && old.data.node === node && sameIssues(old.data.issues, nodeIssues) && old.data.onPath === path && old.data.current === current && old.draggable === editable) {
      // Same content; React Flow may have moved it while dragging: the scheme's position wins once the drag ends.
      return old.position.x === position.x && old.position.y === position.y ? old : { ...old, position };
    }
    return {
      id: node.id,
      type: flowType(node),
      position,
      draggable: editable,
      deletable: editable && node.obj_type !== NODE_TYPES.start,
      selected: old?.selected ?? false,
      ...(old?.measured ? { measured: old.measured } : {}),
      data: { node, kind: nodeKind(node), block: nodeBlock(node), ports: nodePorts(node), summary: blockSummary(node), issues: nodeIssues, onPath: path, current },
    };
  });
}

export const EDGE_DASH: Record<string, string | undefined> = { next: undefined, condition: undefined, error: "6 4", timeout: "2 4", escalation: "8 3 2 3" };

export function buildFlowEdges(scheme: ProcessScheme, prev: readonly FlowEdge[], highlight: Highlight | null, editable: boolean): FlowEdge[] {
  const ids = new Set(scheme.nodes.map((n) => n.id));
  const selected = new Set(prev.filter((e) => e.selected).map((e) => e.id));
  const pairs = new Set<string>();
  const path = highlight?.path ?? [];
  for (let i = 1; i < path.length; i++) pairs.add(`${path[i - 1]}>${path[i]}`);
  const out: FlowEdge[] = [];
  for (const node of scheme.nodes) {
    const setState = node.condition.logics.some((l) => l.type === "api_callback");
    for (const e of nodeEdges(node)) {
      if (!ids.has(e.target)) continue; // dangling: validation marks the node
      if (setState && e.target === e.source && e.kind === "next") continue; // a Set State's "stay"
      const onPath = pairs.has(`${e.source}>${e.target}`);
      const color = onPath ? "#f59e0b" : PORT_COLOR[e.kind];
      // Branch labels sit on the condition node's rows; time limits and counters say their value on the edge.
      const label = e.kind === "timeout" || e.kind === "escalation" ? e.label : undefined;
      out.push({
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: edgeHandle(e),
        targetHandle: "in",
        // Right-angled routing reads best with branch ports on the side and the main lane running down.
        type: "smoothstep",
        selected: selected.has(e.id),
        deletable: editable,
        animated: onPath,
        zIndex: onPath ? 10 : 0,
        ...(label ? { label, labelStyle: { fontSize: 11, fill: color }, labelBgStyle: { fill: "#fff" } } : {}),
        style: { stroke: color, strokeDasharray: EDGE_DASH[e.kind], strokeWidth: onPath ? 3 : 1.5 },
        markerEnd: { type: MarkerType.ArrowClosed, color },
        data: { kind: e.kind, onPath },
      });
    }
  }
  return out;
}
