/**
 * The contract every block file fulfils. A block is one logic type of Corezoid's scheme
 * (plus Conveyor's `notify`); `registry.ts` maps each type to its definition.
 */
import type { z } from "zod";
import { TemplateError } from "../expr/errors.ts";
import type { TemplateScope } from "../expr/scope.ts";
import type { SchemeNode } from "../model/scheme.ts";
import type { Command, CommandOrigin } from "../runtime/commands.ts";
import type { TaskEvent, TaskEventType } from "../runtime/events.ts";
import type { ResolvedOptions } from "../runtime/options.ts";
import type { TaskSnapshot, Waiting } from "../runtime/task.ts";
import type { JsonObject } from "../util/json.ts";

/** Edge kinds as the editor draws them. */
export type EdgeKind = "next" | "condition" | "error" | "timeout" | "escalation";

/** An outgoing connection a logic declares. */
export interface Port {
  kind: EdgeKind;
  target: string | undefined;
  label?: string;
}

export type BlockGroup = "routing" | "data" | "integration" | "processes" | "waiting" | "alerting";

export type ErrorType = "hardware" | "software";

/** A failed action: merged as `__conveyor_<prefix>_return_type_error__/_tag__/_description__`. */
export interface LogicFailure {
  prefix: string;
  tag: string;
  type: ErrorType;
  description: string;
  /** More fields to merge (for example `__conveyor_api_return_http_code__`). */
  extra?: JsonObject;
}

/** Parked-state shapes a block may ask for (the runtime adds node, visit, logic and time). */
export type ParkAs =
  | { kind: "http" }
  | { kind: "code" }
  | { kind: "copy" }
  | { kind: "rpc" }
  | { kind: "queue"; data: JsonObject }
  | { kind: "getTask" }
  | { kind: "callback" };

export type Outcome =
  /** Done: continue with the next logic of the node (a condition that did not match says this too). */
  | { kind: "next"; data?: JsonObject; commands?: Command[] }
  /** Leave the node. */
  | { kind: "goto"; to: string; edge: "next" | "condition"; branch?: number }
  /** Wait for an event. */
  | { kind: "park"; as: ParkAs; commands?: Command[] }
  /** Go to the logic's err_node_id with the error fields (or stay in the node without one). */
  | { kind: "fail"; failure: LogicFailure; data?: JsonObject; commands?: Command[] }
  /** Nothing happened: the event is not for this block (stale or unexpected). */
  | { kind: "ignore"; reason: string };

export interface BlockContext {
  task: TaskSnapshot;
  node: SchemeNode;
  logicIndex: number;
  visit: number;
  scope: TemplateScope;
  options: ResolvedOptions;
  nowMs: number;
  /** The current waiting state when resuming. */
  waiting?: Waiting;
  /** Origin fields for a command of this kind (`part` distinguishes several per logic). */
  origin(kind: string, part?: string | number): CommandOrigin;
}

export interface BlockDefinition<L extends { type: string }> {
  type: L["type"];
  title: string;
  group: BlockGroup;
  description: string;
  /** Tolerant shape, as real exports hold it (unknown keys pass through). */
  logicSchema: z.ZodType<L>;
  /** What the inspector form edits and publish requires: stricter than `logicSchema`. */
  configSchema: z.ZodType;
  /** `__conveyor_<prefix>_return_*__`; absent for logics that cannot fail. */
  errorPrefix?: string;
  /** Tag when the data this logic writes would exceed the task size limit. */
  sizeOverflowTag?: string;
  /** Does it park the task (so a time limit on its node matters)? */
  blocking: boolean;
  ports(logic: L): Port[];
  run(logic: L, ctx: BlockContext): Outcome;
  /** Events that may resume a task parked in this logic. */
  accepts?: readonly TaskEventType[];
  resume?(logic: L, ctx: BlockContext, event: TaskEvent): Outcome;
}

export function failure(prefix: string, tag: string, type: ErrorType, description: string, extra?: JsonObject): Outcome {
  return { kind: "fail", failure: { prefix, tag, type, description, extra } };
}

/**
 * Runs a block body that evaluates templates: a `TemplateError` (bad $.math, unknown time
 * zone, ...) becomes the block's `*_wrong_convert_param` failure; anything else is a bug.
 */
export function withTemplateErrors(prefix: string, tag: string, body: () => Outcome): Outcome {
  try {
    return body();
  } catch (e) {
    if (e instanceof TemplateError) return failure(prefix, tag, "software", e.message);
    throw e;
  }
}
