/**
 * Process validation, run by the editor on save and by publish (any `error` blocks publish).
 * Issues point at a node (and a logic and field where there is one) so the editor can
 * mark them on the canvas and in the inspector.
 */
import type { z } from "zod";
import { blockFor } from "../blocks/registry.ts";
import { isDynamic } from "../expr/template.ts";
import type { Logic } from "../model/logic.ts";
import { nodeEdges } from "../model/edges.ts";
import { DIMENSION_SECONDS } from "../model/semaphor.ts";
import { isSetStateNode, NODE_TYPES, safeParseScheme, type ProcessScheme, type SchemeNode } from "../model/scheme.ts";
import { DEFAULT_OPTIONS } from "../runtime/options.ts";

export type IssueCode =
  | "invalid_scheme"
  | "invalid_config"
  | "duplicate_node_id"
  | "no_start"
  | "multiple_starts"
  | "missing_link"
  | "dangling_link"
  | "no_exit"
  | "unreachable_node"
  | "logic_after_go"
  | "final_with_logics"
  | "no_error_exit"
  | "unknown_process"
  | "rpc_without_reply"
  | "callback_without_time_limit"
  | "timer_below_minimum"
  | "invalid_timer"
  | "invalid_count_threshold"
  | "not_allowed_in_state_diagram";

export interface ValidationIssue {
  nodeId?: string;
  logicIndex?: number;
  /** Path of the field inside the logic (`to_node_id`, `conditions.0.param`) or the node (`semaphors.0.value`). */
  field?: string;
  code: IssueCode;
  message: string;
  severity: "error" | "warning";
}

/** What validation may know about other processes (targets of copy, call, get from queue). */
export interface KnownProcess {
  scheme?: ProcessScheme;
  kind?: "process" | "state";
}

export interface ValidateOptions {
  /** Processes by every id a logic may use (numeric id, `@alias`). Without it, targets are not checked. */
  knownProcesses?: Record<string, KnownProcess>;
  minTimerSec?: number;
  /** A state diagram allows fewer blocks. */
  processKind?: "process" | "state";
}

const ACTIONS_WITH_ERROR_EXIT = new Set<Logic["type"]>(["api", "api_code", "api_copy", "api_rpc", "api_get_task"]);
/** Corezoid's state diagrams allow Condition, Set State, Code, Copy/Modify Task, Set Parameter, Delay and Queue. */
const STATE_DIAGRAM_LOGICS = new Set<Logic["type"]>(["go", "go_if_const", "api_callback", "api_code", "api_copy", "set_param", "api_queue", "notify"]);

/**
 * Validates a scheme (parsed, or raw JSON/text: parse problems come back as `invalid_scheme`
 * issues instead of an exception). Issues are ordered: scheme-level, then node by node, then
 * reachability. Pure and synchronous; callee schemes come through `knownProcesses`.
 */
export function validateProcess(input: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const parsed = safeParseScheme(input);
  if (!parsed.ok) return parsed.issues.map((i) => schemeIssue(input, i));
  const scheme = parsed.scheme;
  const issues: ValidationIssue[] = [];
  const push = (issue: ValidationIssue) => issues.push(issue);
  const ids = new Map<string, SchemeNode>();
  for (const node of scheme.nodes) {
    if (ids.has(node.id)) push({ nodeId: node.id, code: "duplicate_node_id", message: `two nodes have the id ${node.id}`, severity: "error" });
    ids.set(node.id, node);
  }

  const starts = scheme.nodes.filter((n) => n.obj_type === NODE_TYPES.start);
  if (starts.length === 0) push({ code: "no_start", message: "the process has no Start node", severity: "error" });
  for (const extra of starts.slice(1)) push({ nodeId: extra.id, code: "multiple_starts", message: "a process has exactly one Start node", severity: "error" });

  for (const node of scheme.nodes) checkNode(node, ids, options, push);
  if (starts.length > 0) checkReachable(scheme, starts[0], push);
  return issues;
}

function schemeIssue(input: unknown, issue: z.core.$ZodIssue): ValidationIssue {
  const path = issue.path;
  const out: ValidationIssue = { code: "invalid_scheme", message: issue.message, severity: "error", field: path.join(".") };
  if (path[0] === "nodes" && typeof path[1] === "number") {
    const node = (input as { nodes?: Array<{ id?: unknown }> })?.nodes?.[path[1]];
    if (node && typeof node.id === "string") out.nodeId = node.id;
    if (path[2] === "condition" && path[3] === "logics" && typeof path[4] === "number") {
      out.logicIndex = path[4];
      out.field = path.slice(5).join(".");
    } else out.field = path.slice(2).join(".");
  }
  return out;
}

function checkNode(node: SchemeNode, ids: Map<string, SchemeNode>, options: ValidateOptions, push: (i: ValidationIssue) => void): void {
  const logics = node.condition.logics;
  const isFinal = node.obj_type === NODE_TYPES.final;
  const at = (logicIndex: number, field?: string) => ({ nodeId: node.id, logicIndex, ...(field ? { field } : {}) });

  if (isFinal) {
    if (logics.length > 0) push({ nodeId: node.id, code: "final_with_logics", message: "an end node runs no logic; these are ignored", severity: "warning" });
    return;
  }

  logics.forEach((logic, i) => {
    const def = blockFor(logic);
    const res = def.configSchema.safeParse(logic);
    if (!res.success) {
      for (const iss of res.error.issues) {
        push({ ...at(i, iss.path.join(".")), code: "invalid_config", message: `${def.title}: ${iss.message}`, severity: "error" });
      }
    }
    if (logic.type === "go" && i < logics.length - 1) {
      push({ ...at(i + 1), code: "logic_after_go", message: "logic after an unconditional go never runs", severity: "warning" });
    }
    if (ACTIONS_WITH_ERROR_EXIT.has(logic.type) && !("err_node_id" in logic && logic.err_node_id)) {
      push({ ...at(i, "err_node_id"), code: "no_error_exit", message: `${def.title} has no error exit: a failed task stays in the node`, severity: "warning" });
    }
    if (options.processKind === "state" && !STATE_DIAGRAM_LOGICS.has(logic.type)) {
      push({ ...at(i), code: "not_allowed_in_state_diagram", message: `${def.title} is not available in a state diagram`, severity: "error" });
    }
    checkTarget(logic, node, i, options, push);
  });

  for (const [i, s] of (node.condition.semaphors ?? []).entries()) {
    const field = `semaphors.${i}`;
    if (s.type === "time") {
      if (!s.to_node_id) push({ nodeId: node.id, field: `${field}.to_node_id`, code: "missing_link", message: "the time limit has no target", severity: "error" });
      checkTimer(node, s.value, s.dimension ?? "sec", field, options.minTimerSec ?? DEFAULT_OPTIONS.minTimerSec, push);
    } else {
      if (!s.esc_node_id) push({ nodeId: node.id, field: `${field}.esc_node_id`, code: "missing_link", message: "the task counter has no escalation node", severity: "error" });
      const n = Number(s.value);
      if (!Number.isInteger(n) || n < 1) push({ nodeId: node.id, field: `${field}.value`, code: "invalid_count_threshold", message: `task counter threshold "${s.value}" is not a positive whole number`, severity: "error" });
    }
  }

  // Links: empty targets and targets that do not exist.
  logics.forEach((logic, i) => {
    if ((logic.type === "go" || logic.type === "go_if_const") && !logic.to_node_id) {
      push({ ...at(i, "to_node_id"), code: "missing_link", message: "the exit is not connected", severity: "error" });
    }
  });
  for (const edge of nodeEdges(node)) {
    if (!ids.has(edge.target)) {
      push({
        nodeId: node.id, ...(edge.logicIndex !== undefined ? { logicIndex: edge.logicIndex } : {}),
        field: edgeField(edge.kind), code: "dangling_link", message: `links to node ${edge.target}, which does not exist`, severity: "error",
      });
    }
  }

  const hasGo = logics.some((l) => l.type === "go");
  const hasTimeLimit = node.condition.semaphors?.some((s) => s.type === "time") ?? false;
  if (!hasGo && !hasTimeLimit) {
    push({ nodeId: node.id, code: "no_exit", message: "the node has no default exit (go) and no time limit: tasks would stop here", severity: "error" });
  }

  const callback = logics.find((l) => l.type === "api_callback");
  if (callback && !hasTimeLimit && !isSetStateNode(node)) {
    push({
      nodeId: node.id, code: "callback_without_time_limit", severity: "error",
      message: "Waiting for Callback needs a time limit, or tasks wait forever if no callback comes",
    });
  }
}

function edgeField(kind: string): string {
  switch (kind) {
    case "error": return "err_node_id";
    case "timeout": return "semaphors.to_node_id";
    case "escalation": return "semaphors.esc_node_id";
    default: return "to_node_id";
  }
}

function checkTimer(node: SchemeNode, value: number | string, dimension: keyof typeof DIMENSION_SECONDS, field: string, min: number, push: (i: ValidationIssue) => void): void {
  if (typeof value === "string" && isDynamic(value)) return; // an absolute unix time: may be sooner than the minimum
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (typeof value === "string" && value.trim() === "")) {
    push({ nodeId: node.id, field: `${field}.value`, code: "invalid_timer", message: `time limit "${value}" is not a positive number or a {{unix time}}`, severity: "error" });
    return;
  }
  const seconds = n * DIMENSION_SECONDS[dimension];
  if (seconds < min) {
    push({
      nodeId: node.id, field: `${field}.value`, code: "timer_below_minimum", severity: "error",
      message: `Timer value ${seconds} sec is less than minimum limit ${min} sec (use a dynamic unix time to fire sooner)`,
    });
  }
}

function staticConvId(logic: { conv_id: number | string }): string | null {
  const id = String(logic.conv_id).trim();
  return id && !isDynamic(id) ? id : null;
}

function checkTarget(logic: Logic, node: SchemeNode, i: number, options: ValidateOptions, push: (i: ValidationIssue) => void): void {
  if (logic.type !== "api_copy" && logic.type !== "api_rpc" && logic.type !== "api_get_task") return;
  const known = options.knownProcesses;
  const convId = staticConvId(logic);
  if (!known || !convId) return;
  const target = known[convId];
  if (!target) {
    push({ nodeId: node.id, logicIndex: i, field: "conv_id", code: "unknown_process", message: `process ${convId} does not exist`, severity: "error" });
    return;
  }
  if (logic.type === "api_rpc" && target.scheme) {
    const leak = pathWithoutReply(target.scheme);
    if (leak) {
      const limited = node.condition.semaphors?.some((s) => s.type === "time") ?? false;
      push({
        nodeId: node.id, logicIndex: i, field: "conv_id", code: "rpc_without_reply", severity: limited ? "warning" : "error",
        message: `process ${convId} can end in "${leak.title || leak.id}" without Reply to Process: the caller would wait${limited ? " until its time limit" : " forever"}`,
      });
    }
  }
}

/** A final node the callee can reach from Start without passing a Reply to Process, if any. */
function pathWithoutReply(scheme: ProcessScheme): SchemeNode | null {
  const start = scheme.nodes.find((n) => n.obj_type === NODE_TYPES.start);
  if (!start) return null;
  const hasReply = (n: SchemeNode) => n.condition.logics.some((l) => l.type === "api_rpc_reply");
  return reachable(scheme, start, (n) => !hasReply(n)).find((n) => n.obj_type === NODE_TYPES.final) ?? null;
}

/** Nodes reachable from `start` over every kind of edge, breadth first; `expand` false stops at a node. */
function reachable(scheme: ProcessScheme, start: SchemeNode, expand: (n: SchemeNode) => boolean = () => true): SchemeNode[] {
  const byId = new Map(scheme.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>([start.id]);
  const order = [start];
  for (let i = 0; i < order.length; i++) {
    if (!expand(order[i])) continue;
    for (const e of nodeEdges(order[i])) {
      const next = byId.get(e.target);
      if (next && !seen.has(next.id)) {
        seen.add(next.id);
        order.push(next);
      }
    }
  }
  return order;
}

function checkReachable(scheme: ProcessScheme, start: SchemeNode, push: (i: ValidationIssue) => void): void {
  const seen = new Set(reachable(scheme, start).map((n) => n.id));
  for (const node of scheme.nodes) {
    if (!seen.has(node.id)) {
      push({ nodeId: node.id, code: "unreachable_node", message: `"${node.title || node.id}" cannot be reached from Start`, severity: "error" });
    }
  }
}
