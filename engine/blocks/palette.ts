/**
 * What the editor shows: a node's kind (start, final, escalation, normal) and, for normal
 * nodes, its block as a user thinks of it. Several palette blocks share a logic type
 * (Copy / Modify Task are both `api_copy`; Waiting for Callback / Set State are both
 * `api_callback`; Delay is a node with no logic and only a time limit).
 */
import type { Logic } from "../model/logic.ts";
import { isSetStateNode, readJsonField, NODE_TYPES, type SchemeNode } from "../model/scheme.ts";
import { assertNever } from "../util/assert-never.ts";
import type { BlockGroup } from "./block.ts";

export type NodeKind = "start" | "normal" | "final-success" | "final-error" | "escalation";

export type PaletteBlock =
  | "condition" | "set_param" | "api" | "code" | "copy_task" | "modify_task" | "call_process" | "reply"
  | "sum" | "queue" | "get_from_queue" | "callback" | "set_state" | "delay" | "notify" | "go" | "empty";

export interface PaletteEntry {
  block: PaletteBlock;
  title: string;
  group: BlockGroup;
  description: string;
  /** The starting `condition` of a new node of this block (links left empty for the user to draw). */
  template(): { logics: Array<Record<string, unknown>>; semaphors: Array<Record<string, unknown>> };
}

const go = { type: "go", to_node_id: "" };

export const PALETTE: readonly PaletteEntry[] = [
  { block: "condition", title: "Condition", group: "routing", description: "Branches on task parameters (first matching branch wins).",
    template: () => ({ logics: [{ type: "go_if_const", to_node_id: "", conditions: [{ param: "", const: "", fun: "eq", cast: "string" }] }, go], semaphors: [] }) },
  { block: "set_param", title: "Set Parameter", group: "data", description: "Adds or changes task parameters.",
    template: () => ({ logics: [{ type: "set_param", extra: {}, extra_type: {}, err_node_id: "" }, go], semaphors: [] }) },
  { block: "api", title: "API Call", group: "integration", description: "Calls an HTTP API and merges the answer.",
    template: () => ({ logics: [{ type: "api", method: "POST", url: "", extra: {}, extra_type: {}, extra_headers: {}, max_threads: 5, err_node_id: "" }, go], semaphors: [] }) },
  { block: "code", title: "Code", group: "data", description: "Runs JavaScript over the task in a sandbox.",
    template: () => ({ logics: [{ type: "api_code", lang: "js", src: "", err_node_id: "" }, go], semaphors: [] }) },
  { block: "notify", title: "Notify", group: "alerting", description: "Sends an alert through a channel.",
    template: () => ({ logics: [{ type: "notify", channel: "", title: "", message: "", severity: "medium", err_node_id: "" }, go], semaphors: [] }) },
  { block: "copy_task", title: "Copy Task", group: "processes", description: "Creates an independent task in another process.",
    template: () => ({ logics: [{ type: "api_copy", mode: "create", conv_id: "", ref: "", group: "all", data: {}, data_type: {}, err_node_id: "" }, go], semaphors: [] }) },
  { block: "modify_task", title: "Modify Task", group: "processes", description: "Changes a waiting task in another process by ref.",
    template: () => ({ logics: [{ type: "api_copy", mode: "modify", conv_id: "", ref: "", group: "", data: {}, data_type: {}, is_sync: true, err_node_id: "" }, go], semaphors: [] }) },
  { block: "call_process", title: "Call a Process", group: "processes", description: "Runs another process and waits for its reply.",
    template: () => ({ logics: [{ type: "api_rpc", conv_id: "", group: "all", extra: {}, extra_type: {}, err_node_id: "" }, go], semaphors: [] }) },
  { block: "reply", title: "Reply to Process", group: "processes", description: "Answers the process that called this one.",
    template: () => ({ logics: [{ type: "api_rpc_reply", mode: "key_value", res_data: {}, res_data_type: {}, throw_exception: false }, go], semaphors: [] }) },
  { block: "sum", title: "Sum", group: "data", description: "Keeps a running total in the node.",
    template: () => ({ logics: [{ type: "api_sum", extra: [{ id: "", name: "", value: "1" }] }, go], semaphors: [] }) },
  { block: "queue", title: "Queue", group: "waiting", description: "Holds tasks until a Get from Queue takes them.",
    template: () => ({ logics: [{ type: "api_queue", data: {}, data_type: {} }, go], semaphors: [] }) },
  { block: "get_from_queue", title: "Get from Queue", group: "processes", description: "Takes a task from a Queue node.",
    template: () => ({ logics: [{ type: "api_get_task", conv_id: "", node_id: "", order_by: "ASC", err_node_id: "" }, go], semaphors: [] }) },
  { block: "callback", title: "Waiting for Callback", group: "waiting", description: "Holds the task until it is modified from outside.",
    template: () => ({ logics: [{ type: "api_callback", is_sync: true }, go], semaphors: [{ type: "time", value: 1, dimension: "day", to_node_id: "" }] }) },
  { block: "set_state", title: "Set State", group: "waiting", description: "A state of a state diagram: stays until a modification matches a condition.",
    template: () => ({ logics: [{ type: "api_callback" }], semaphors: [] }) },
  { block: "delay", title: "Delay", group: "waiting", description: "Waits a set time (or until a unix time) and moves on.",
    template: () => ({ logics: [], semaphors: [{ type: "time", value: 30, dimension: "sec", to_node_id: "" }] }) },
];

export function nodeKind(node: SchemeNode): NodeKind {
  switch (node.obj_type) {
    case NODE_TYPES.start:
      return "start";
    case NODE_TYPES.final:
      return readJsonField(node.extra).icon === "error" ? "final-error" : "final-success";
    case NODE_TYPES.escalation:
      return "escalation";
    default:
      return "normal";
  }
}

/** The palette block a normal or escalation node shows as; null for start and final nodes. */
export function nodeBlock(node: SchemeNode): PaletteBlock | null {
  if (node.obj_type === NODE_TYPES.start || node.obj_type === NODE_TYPES.final) return null;
  const logics = node.condition.logics;
  const action = logics.find((l): l is Exclude<Logic, { type: "go" | "go_if_const" }> => l.type !== "go" && l.type !== "go_if_const");
  if (!action) {
    if (logics.some((l) => l.type === "go_if_const")) return "condition";
    if (logics.length === 0) return node.condition.semaphors?.some((s) => s.type === "time") ? "delay" : "empty";
    return "go";
  }
  switch (action.type) {
    case "set_param": return "set_param";
    case "api": return "api";
    case "api_code": return "code";
    case "api_copy": return action.mode === "modify" ? "modify_task" : "copy_task";
    case "api_rpc": return "call_process";
    case "api_rpc_reply": return "reply";
    case "api_sum": return "sum";
    case "api_queue": return "queue";
    case "api_get_task": return "get_from_queue";
    case "notify": return "notify";
    case "api_callback": {
      return isSetStateNode(node) || readJsonField(node.extra).icon === "state" ? "set_state" : "callback";
    }
    default:
      return assertNever(action, "logic type");
  }
}
