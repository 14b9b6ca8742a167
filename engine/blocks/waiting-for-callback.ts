/**
 * Waiting for Callback (`api_callback`): the task parks until a modify by ref, a Modify
 * Task from another process or a POST to the node's callback URL merges data into it
 * (`callback` event); then the node's remaining logics run. Set State (state diagrams) is
 * the same logic followed by conditions and a `go` back to its own node: after a callback
 * that matches no condition the task stays (same visit, same time limit). A condition that
 * would match on entry does not forward, because the task parks here first.
 *
 * Without a time limit on the node the engine applies `callbackDefaultLimitSec` (1 day):
 * on expiry the task takes err_node_id with tag callback_limit_exceeded, or is stopped.
 */
import { z } from "zod";
import type { BlockDefinition } from "./block.ts";
import { errorPort } from "./shared.ts";

export const callbackLogicSchema = z.looseObject({
  type: z.literal("api_callback"),
  is_sync: z.boolean().optional(),
  /** Path, in a callback body, of the field holding the task id. */
  obj_id_path: z.string().optional(),
  err_node_id: z.string().optional(),
});
export type CallbackLogic = z.infer<typeof callbackLogicSchema>;

export const callbackBlock: BlockDefinition<CallbackLogic> = {
  type: "api_callback",
  title: "Waiting for Callback",
  group: "waiting",
  description: "Holds the task until an outside system or another process modifies it; the new data is merged.",
  logicSchema: callbackLogicSchema,
  configSchema: z.object({
    type: z.literal("api_callback"),
    is_sync: z.boolean().optional(),
    obj_id_path: z.string().optional(),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: "callback",
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: () => ({ kind: "park", as: { kind: "callback" } }),
  // Callbacks are handled by the reducer itself (merge, loop-guard reset, Set State stay).
  accepts: [],
};
