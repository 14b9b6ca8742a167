/**
 * Task counter semaphor (`{"type":"count","value":N,"esc_node_id":Y}`): it does not move the
 * counted tasks. When a node's task count reaches N from below, a start signal task
 * (`{"start":"true"}`) is created in Y; when it falls back below N, a stop signal
 * (`{"start":"false"}`). The worker calls `countSignal` with the count before and after each
 * change, obtained atomically (e.g. the result of HINCRBY), so exactly one caller sees a
 * given crossing; it then creates the signal task with `newTask({ nodeId: escNodeId, data })`
 * and runs `step` with `enter`.
 */
import { countSemaphorOf, type SchemeNode } from "../model/scheme.ts";
import type { JsonObject } from "../util/json.ts";

export interface CountSignal {
  signal: "start" | "stop";
  /** Where the signal task is created (the semaphor's esc_node_id). */
  escNodeId: string;
  threshold: number;
  /** The signal task's data: `start` ("true"/"false", as Corezoid sends it), the node and its count. */
  data: JsonObject;
}

/** The threshold of a node's count semaphor, or null when it has none (or an unusable value). */
export function countThreshold(node: SchemeNode): number | null {
  const sem = countSemaphorOf(node);
  if (!sem || !sem.esc_node_id) return null;
  const n = Number(sem.value);
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** Whether a change of the node's count from `before` to `after` crosses its threshold. */
export function countSignal(input: { node: SchemeNode; before: number; after: number }): CountSignal | null {
  const { node, before, after } = input;
  const threshold = countThreshold(node);
  if (threshold === null || before === after) return null;
  const escNodeId = countSemaphorOf(node)!.esc_node_id;
  if (before < threshold && after >= threshold) {
    return { signal: "start", escNodeId, threshold, data: { start: "true", node_id: node.id, count: after } };
  }
  if (before >= threshold && after < threshold) {
    return { signal: "stop", escNodeId, threshold, data: { start: "false", node_id: node.id, count: after } };
  }
  return null;
}
