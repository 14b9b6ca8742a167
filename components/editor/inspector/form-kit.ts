/** What a block's inspector form receives, and the errors its block's own schema reports. */
import { blockRegistry, type LogicType, type SchemeNode } from "@/engine/index";

export type LogicRecord = Record<string, unknown> & { type: LogicType };

export interface LogicFormProps {
  node: SchemeNode;
  /** Index of the block's main logic in the node. */
  index: number;
  logic: LogicRecord;
  /** Field path → message, from the block's config schema (the same check publish runs). */
  errors: Record<string, string>;
  /** Patches the main logic; `field` groups a burst of edits into one undo step. */
  patch(p: Record<string, unknown>, field: string): void;
  /** Edits the whole node (forms that add or remove logics: branches). */
  editNode(fn: (n: SchemeNode) => SchemeNode, key: string): void;
}

/** First message per field path and per its top-level field, from the block's strict schema. */
export function logicErrors(logic: LogicRecord): Record<string, string> {
  const def = blockRegistry[logic.type];
  const res = def.configSchema.safeParse(logic);
  const out: Record<string, string> = {};
  if (res.success) return out;
  for (const issue of res.error.issues) {
    const path = issue.path.map(String);
    for (const key of [path.join("."), path[0] ?? ""]) if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

export const text = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
