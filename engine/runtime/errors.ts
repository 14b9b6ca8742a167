/**
 * Corezoid's error fields: a failed logic merges
 * `__conveyor_<prefix>_return_type_error__` (hardware | software),
 * `__conveyor_<prefix>_return_type_tag__` and `__conveyor_<prefix>_return_description__`
 * into the task and moves it to the logic's `err_node_id`.
 */
import type { LogicFailure } from "../blocks/block.ts";
import type { JsonObject } from "../util/json.ts";

export function errorFieldNames(prefix: string) {
  return {
    type: `__conveyor_${prefix}_return_type_error__`,
    tag: `__conveyor_${prefix}_return_type_tag__`,
    description: `__conveyor_${prefix}_return_description__`,
  };
}

export function errorFields(f: LogicFailure): JsonObject {
  const names = errorFieldNames(f.prefix);
  return { [names.type]: f.type, [names.tag]: f.tag, [names.description]: f.description, ...f.extra };
}

/** Prefix of the fields written when the engine itself stops a task (loop guard, broken link). */
export const TASK_ERROR_PREFIX = "task";
export const LOOP_LIMIT_TAG = "loop_limit_exceeded";
export const NODE_NOT_FOUND_TAG = "node_not_found";
export const CALLBACK_LIMIT_TAG = "callback_limit_exceeded";
