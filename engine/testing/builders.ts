/**
 * Small builders for schemes in tests and dry runs: nodes shaped exactly like Corezoid
 * exports (`extra` as JSON text, empty semaphors), parsed through the real schema.
 */
import { parseScheme, type ProcessScheme } from "../model/scheme.ts";
import type { Clock } from "../runtime/options.ts";

type RawLogic = Record<string, unknown> & { type: string };
type RawSemaphor = Record<string, unknown> & { type: "time" | "count" };
export interface RawNode {
  id: string;
  obj_type: 0 | 1 | 2 | 3;
  condition: { logics: RawLogic[]; semaphors: RawSemaphor[] };
  title: string;
  description: string;
  x: number;
  y: number;
  extra: string;
}

const extra = (mode: "collapse" | "expand", icon: string) => JSON.stringify({ modeForm: mode, icon });

export function startNode(id: string, to: string): RawNode {
  return { id, obj_type: 1, condition: { logics: [{ type: "go", to_node_id: to }], semaphors: [] }, title: "Start", description: "", x: 0, y: 0, extra: extra("collapse", "") };
}

export function finalNode(id: string, icon: "success" | "error" = "success", title = id): RawNode {
  return { id, obj_type: 2, condition: { logics: [], semaphors: [] }, title, description: "", x: 0, y: 0, extra: extra("collapse", icon) };
}

export function logicNode(id: string, logics: RawLogic[], semaphors: RawSemaphor[] = [], title = id): RawNode {
  return { id, obj_type: 0, condition: { logics, semaphors }, title, description: "", x: 0, y: 0, extra: extra("expand", "") };
}

export function escalationNode(id: string, logics: RawLogic[], title = id): RawNode {
  return { id, obj_type: 3, condition: { logics, semaphors: [] }, title, description: "", x: 0, y: 0, extra: extra("collapse", "") };
}

export const go = (to: string): RawLogic => ({ type: "go", to_node_id: to });

export const when = (to: string, ...conditions: Array<[param: string, fun: string, value: string, cast?: string]>): RawLogic => ({
  type: "go_if_const",
  to_node_id: to,
  conditions: conditions.map(([param, fun, value, cast]) => ({ param, fun, const: value, cast: cast ?? "string" })),
});

export const setParam = (values: Record<string, string>, errNode?: string, types: Record<string, string> = {}): RawLogic => ({
  type: "set_param",
  extra: values,
  extra_type: Object.fromEntries(Object.keys(values).map((k) => [k, types[k] ?? "string"])),
  ...(errNode ? { err_node_id: errNode } : {}),
});

export const timeLimit = (value: number | string, to: string, dimension = "sec"): RawSemaphor => ({ type: "time", value, dimension, to_node_id: to });

export function buildScheme(...nodes: RawNode[]): ProcessScheme {
  return parseScheme({ nodes, web_settings: [[], []] });
}

/** A clock the test moves by hand. */
export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(startMs = Date.UTC(2024, 0, 15, 10, 0, 0), random = () => 0.5): FakeClock {
  let now = startMs;
  return { now: () => now, random, advance: (ms) => void (now += ms), set: (ms) => void (now = ms) };
}
