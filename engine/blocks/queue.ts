/**
 * Queue (`api_queue`): the task parks in the node, in arrival order, until a Get from Queue
 * elsewhere takes it (`queueTaken`: it then follows `go`) or the node's time limit fires.
 * The node's `data` (templates, rendered on arrival) is stored with it and handed to the
 * taker inside `__queue_task_data__` together with the task's own data.
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import type { TaskSnapshot } from "../runtime/task.ts";
import type { JsonObject } from "../util/json.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

export const queueLogicSchema = z.looseObject({
  type: z.literal("api_queue"),
  data: valueMapSchema.optional(),
  data_type: valueTypesSchema.optional(),
});
export type QueueLogic = z.infer<typeof queueLogicSchema>;

const PREFIX = "queue";

/**
 * What a Get from Queue hands to the requester for a queued task: its data plus the queue
 * node's data. Returns null when the task is not parked in a queue node.
 */
export function queuedTaskPayload(task: TaskSnapshot): { __queue_task_id__: string; __queue_task_data__: JsonObject } | null {
  if (task.status !== "waiting" || task.waiting?.kind !== "queue") return null;
  return { __queue_task_id__: task.id, __queue_task_data__: { ...task.data, ...task.waiting.data } };
}

export const queueBlock: BlockDefinition<QueueLogic> = {
  type: "api_queue",
  title: "Queue",
  group: "waiting",
  description: "Holds tasks in arrival order until a Get from Queue node takes them.",
  logicSchema: queueLogicSchema,
  configSchema: z.object({
    type: z.literal("api_queue"),
    data: strictValueMapSchema.optional(),
    data_type: strictValueTypesSchema.optional(),
  }),
  errorPrefix: PREFIX,
  blocking: true,
  ports: () => [],
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "queue_wrong_convert_param", () => {
      const res = evaluateValueMap(logic.data, logic.data_type, ctx.scope);
      if (!res.ok) return failure(PREFIX, "queue_wrong_convert_param", "software", castFailureDescription(res.failure));
      return { kind: "park", as: { kind: "queue", data: applyEntries({}, res.entries) } };
    }),
  accepts: ["queueTaken"],
  resume: (_logic, _ctx, event) => (event.type === "queueTaken" ? { kind: "next" } : { kind: "ignore", reason: "unexpected_event" }),
};
