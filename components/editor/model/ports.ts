/**
 * The ports of a node as the canvas draws them. Every outgoing connection of a
 * Corezoid node lives in one field of the node, so each port names its field:
 *
 *   handle       field written by a connection
 *   next         `to_node_id` of the node's `go` (added when missing)
 *   cond-<i>     `to_node_id` of the go_if_const at logics[i] (one port per branch)
 *   err-<i>      `err_node_id` of the action logic at logics[i]
 *   timeout      `to_node_id` of the time semaphor (time limit)
 *   escalation   `esc_node_id` of the count semaphor (task counter)
 */
import { blockRegistry, LOGIC_TYPES, NODE_TYPES, isSetStateNode, type EdgeKind, type LogicType, type SchemeEdge, type SchemeNode } from "@/engine/index";

export interface PortSpec {
  handle: string;
  kind: EdgeKind;
  logicIndex?: number;
  label: string;
  /** The connected node, "" when the port is open. */
  target: string;
}

/** Logic types whose config has an error exit (read from each block's own schema). */
export const ERROR_PORT_LOGICS: ReadonlySet<LogicType> = new Set(
  LOGIC_TYPES.filter((t) => {
    const shape = (blockRegistry[t].configSchema as { shape?: Record<string, unknown> }).shape;
    return !!shape && "err_node_id" in shape;
  }),
);

export function conditionLabel(logic: { conditions?: Array<{ param?: string; fun?: string; const?: unknown }> }): string {
  const conds = logic.conditions ?? [];
  if (conds.length === 0) return "(no condition)";
  return conds.map((c) => `${c.param || "?"} ${FUN_LABEL[c.fun ?? ""] ?? c.fun} ${String(c.const ?? "")}`).join(" and ");
}

const FUN_LABEL: Record<string, string> = { eq: "=", not_eq: "≠", more: ">", less: "<", more_or_eq: "≥", less_or_eq: "≤", regexp: "~" };

export function nodePorts(node: SchemeNode): PortSpec[] {
  if (node.obj_type === NODE_TYPES.final) return [];
  const ports: PortSpec[] = [];
  const logics = node.condition.logics;
  const hasBranches = logics.some((l) => l.type === "go_if_const");
  const setState = isSetStateNode(node);
  let next: PortSpec | null = null;
  logics.forEach((logic, i) => {
    if (logic.type === "go_if_const") {
      ports.push({ handle: `cond-${i}`, kind: "condition", logicIndex: i, label: conditionLabel(logic), target: logic.to_node_id });
    } else if (logic.type === "go") {
      // A Set State's go back to itself means "stay": it is not a port.
      if (!(setState && logic.to_node_id === node.id)) next = { handle: "next", kind: "next", logicIndex: i, label: hasBranches ? "otherwise" : "next", target: logic.to_node_id };
    } else if (ERROR_PORT_LOGICS.has(logic.type)) {
      ports.push({ handle: `err-${i}`, kind: "error", logicIndex: i, label: "error", target: String(("err_node_id" in logic ? logic.err_node_id : "") ?? "") });
    }
  });
  const isDelay = logics.length === 0;
  if (next) ports.push(next);
  else if (!isDelay && !setState) ports.push({ handle: "next", kind: "next", label: hasBranches ? "otherwise" : "next", target: "" });
  for (const s of node.condition.semaphors ?? []) {
    if (s.type === "time") ports.push({ handle: "timeout", kind: "timeout", label: `after ${s.value} ${s.dimension ?? "sec"}`, target: s.to_node_id });
    else ports.push({ handle: "escalation", kind: "escalation", label: `≥ ${s.value} tasks`, target: s.esc_node_id });
  }
  return ports;
}

/** The source handle an edge leaves from (see the table above). */
export function edgeHandle(edge: Pick<SchemeEdge, "kind" | "logicIndex">): string {
  switch (edge.kind) {
    case "next": return "next";
    case "condition": return `cond-${edge.logicIndex}`;
    case "error": return `err-${edge.logicIndex}`;
    case "timeout": return "timeout";
    case "escalation": return "escalation";
    default: {
      const never: never = edge.kind;
      throw new Error(`unknown edge kind ${String(never)}`);
    }
  }
}
