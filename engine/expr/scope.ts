/** What a template can read: the task, its system fields, and the world through `Lookup`. */
import type { JsonObject } from "../util/json.ts";

/**
 * Synchronous reads of things outside the task. The worker prefetches what a scheme needs
 * (see `listSchemeLookups`) and answers from memory; an unknown answer (`undefined`, or a
 * missing method) renders as "" exactly as a missing parameter does in Corezoid.
 */
export interface Lookup {
  /** Tasks now in a node (`{{node[id].count}}`, `{{conv[id].node[id].count}}`); finals: total ever. */
  nodeCount?(q: { processId: string; nodeId: string }): number | undefined;
  /** A Sum node's running total (`{{node[id].SumID}}`). */
  nodeSum?(q: { processId: string; nodeId: string; sumId: string }): number | undefined;
  /** The data of the live task with this ref in a state diagram (`{{conv[id].ref[r].p}}`). */
  stateTask?(q: { processId: string; ref: string }): JsonObject | undefined;
  /** `{{env_var[@name]}}`. */
  envVar?(name: string): string | undefined;
  /** Whether a notification channel exists; `undefined` means "not known here, do not check". */
  channelExists?(channel: string): boolean | undefined;
}

/** System fields readable as `{{root.*}}` (Corezoid names). Times are unix seconds. */
export interface RootFields {
  task_id: string;
  ref: string | null;
  conv_id: string;
  node_id: string;
  prev_node_id: string | null;
  create_time: number;
  change_time: number;
  end_time?: number;
  user_id?: string | number | null;
}

export interface TemplateScope {
  data: JsonObject;
  root: RootFields;
  /** The current process, for `{{node[id]...}}` reads without a `conv[...]` prefix. */
  processId: string;
  lookup: Lookup;
  nowMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
}
