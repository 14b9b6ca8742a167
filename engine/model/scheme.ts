/**
 * Corezoid's process scheme, the stored and exchanged form of a process:
 * `{ nodes: [{id, obj_type, condition: {logics, semaphors}, title, description, x, y, extra, options}], web_settings }`.
 *
 * Parsing is tolerant where real exports vary (unknown keys such as a logic's `id`,
 * `chTime`, `user_id` or `convTitle` pass through untouched; `extra`/`options` may be JSON
 * text, an object or null) and strict where running depends on it (logic types, link ids,
 * comparison functions). Parsing adds nothing: the output serialises back to the input.
 */
import { z } from "zod";
import { isPlainObject, tryParseJson, type JsonObject } from "../util/json.ts";
import { logicSchema } from "./logic.ts";
import { semaphorSchema, type CountSemaphor, type TimeSemaphor } from "./semaphor.ts";

/** 0 normal, 1 start, 2 final, 3 escalation, 4 stub-enabled call (run as normal). */
export const NODE_TYPES = { normal: 0, start: 1, final: 2, escalation: 3, stub: 4 } as const;

const jsonTextOrObject = z.union([z.string(), z.null(), z.record(z.string(), z.unknown())]);

export const nodeSchema = z.looseObject({
  id: z.string().min(1),
  obj_type: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  condition: z.looseObject({
    logics: z.array(logicSchema),
    semaphors: z.array(semaphorSchema).optional(),
  }),
  title: z.string().nullish(),
  description: z.string().nullish(),
  x: z.number().optional(),
  y: z.number().optional(),
  extra: jsonTextOrObject.optional(),
  options: jsonTextOrObject.optional(),
});

export const schemeSchema = z.looseObject({
  nodes: z.array(nodeSchema),
  web_settings: z.unknown().optional(),
});

export type SchemeNode = z.infer<typeof nodeSchema>;
export type ProcessScheme = z.infer<typeof schemeSchema>;

export class SchemeParseError extends Error {
  constructor(readonly issues: z.core.$ZodIssue[]) {
    super(`Invalid process scheme: ${issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    this.name = "SchemeParseError";
  }
}

function fromText(input: unknown): unknown {
  if (typeof input !== "string") return input;
  const parsed = tryParseJson(input);
  return parsed.ok ? parsed.value : input;
}

/** Parses a scheme (object or JSON text). Throws `SchemeParseError`. */
export function parseScheme(input: unknown): ProcessScheme {
  const res = schemeSchema.safeParse(fromText(input));
  if (!res.success) throw new SchemeParseError(res.error.issues);
  return res.data;
}

export function safeParseScheme(input: unknown): { ok: true; scheme: ProcessScheme } | { ok: false; issues: z.core.$ZodIssue[] } {
  const res = schemeSchema.safeParse(fromText(input));
  return res.success ? { ok: true, scheme: res.data } : { ok: false, issues: res.error.issues };
}

/** A node's `extra` or `options` as an object ({} when absent or unreadable). */
export function readJsonField(value: SchemeNode["extra"]): JsonObject {
  if (isPlainObject(value)) return value;
  if (typeof value === "string") {
    const parsed = tryParseJson(value);
    if (parsed.ok && isPlainObject(parsed.value)) return parsed.value;
  }
  return {};
}

export function findNode(scheme: ProcessScheme, id: string): SchemeNode | undefined {
  return nodeIndex(scheme).get(id);
}

const indexes = new WeakMap<ProcessScheme, Map<string, SchemeNode>>();

/** Node lookup by id, built once per scheme object (schemes are immutable once published). */
export function nodeIndex(scheme: ProcessScheme): Map<string, SchemeNode> {
  let idx = indexes.get(scheme);
  if (!idx) {
    idx = new Map(scheme.nodes.map((n) => [n.id, n]));
    indexes.set(scheme, idx);
  }
  return idx;
}

export function startNodes(scheme: ProcessScheme): SchemeNode[] {
  return scheme.nodes.filter((n) => n.obj_type === NODE_TYPES.start);
}

/** The Start node. Throws when there is none (validation reports `no_start`). */
export function startNode(scheme: ProcessScheme): SchemeNode {
  const start = startNodes(scheme)[0];
  if (!start) throw new Error("process has no Start node");
  return start;
}

export function timeSemaphorOf(node: SchemeNode): TimeSemaphor | undefined {
  return node.condition.semaphors?.find((s): s is TimeSemaphor => s.type === "time");
}

export function countSemaphorOf(node: SchemeNode): CountSemaphor | undefined {
  return node.condition.semaphors?.find((s): s is CountSemaphor => s.type === "count");
}

/**
 * A Set State node: a state of a state diagram, which routes back to itself (its tasks wait
 * for modifications indefinitely by design).
 */
export function isSetStateNode(node: SchemeNode): boolean {
  return node.condition.logics.some((l) => (l.type === "go" || l.type === "go_if_const") && l.to_node_id === node.id);
}

/** A final node's outcome, from its icon: `error` is an error end, anything else success. */
export function finalKindOf(node: SchemeNode): "success" | "error" {
  return readJsonField(node.extra).icon === "error" ? "error" : "success";
}
