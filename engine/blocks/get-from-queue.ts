/**
 * Get from Queue (`api_get_task`): asks the worker for one task parked in a Queue node
 * (`order_by` ASC: oldest first, FIFO; DESC: newest first, LIFO). The answer merges
 * `__queue_task_id__` and `__queue_task_data__`; an empty queue is an error
 * (`get_task_executing_error`, description `not_found_task`), as in Corezoid.
 */
import { z } from "zod";
import { renderTemplate } from "../expr/template.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { convIdSchema, errorPort } from "./shared.ts";

export const getFromQueueLogicSchema = z.looseObject({
  type: z.literal("api_get_task"),
  conv_id: convIdSchema,
  node_id: z.string().optional(),
  queue_node_id: z.string().optional(),
  order_by: z.enum(["ASC", "DESC"]).optional(),
  err_node_id: z.string().optional(),
});
export type GetFromQueueLogic = z.infer<typeof getFromQueueLogicSchema>;

const PREFIX = "get_task";

export const getFromQueueBlock: BlockDefinition<GetFromQueueLogic> = {
  type: "api_get_task",
  title: "Get from Queue",
  group: "processes",
  description: "Takes the oldest (or newest) task from a Queue node and copies its data into this task.",
  logicSchema: getFromQueueLogicSchema,
  configSchema: z
    .object({
      type: z.literal("api_get_task"),
      conv_id: z.union([z.number().int().positive(), z.string().min(1, "choose the process")]),
      node_id: z.string().optional(),
      queue_node_id: z.string().optional(),
      order_by: z.enum(["ASC", "DESC"]),
      err_node_id: z.string().optional(),
    })
    .refine((l) => !!(l.node_id || l.queue_node_id), { message: "choose the queue node", path: ["node_id"] }),
  errorPrefix: PREFIX,
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "get_task_wrong_convert_param", () => {
      const convId = renderTemplate(String(logic.conv_id), ctx.scope).trim();
      const queueNodeId = renderTemplate(logic.node_id || logic.queue_node_id || "", ctx.scope).trim();
      if (!queueNodeId) return failure("queue", "queue_wrong_logic", "software", "no queue node given");
      return {
        kind: "park",
        as: { kind: "getTask" },
        commands: [{ ...ctx.origin("getFromQueue"), type: "getFromQueue", convId, queueNodeId, order: logic.order_by ?? "ASC" }],
      };
    }),
  accepts: ["queueResult"],
  resume: (_logic, ctx, event) => {
    if (event.type !== "queueResult") return { kind: "ignore", reason: "unexpected_event" };
    if ("taken" in event) {
      return { kind: "next", data: { ...ctx.task.data, __queue_task_id__: event.taken.taskId, __queue_task_data__: event.taken.data } };
    }
    if ("empty" in event) return failure(PREFIX, "get_task_executing_error", "software", "not_found_task");
    switch (event.errorTag) {
      case "queue_wrong_logic":
        return failure("queue", "queue_wrong_logic", "software", event.description ?? "the node is not a queue");
      case "get_task_fatal_error":
        return failure(PREFIX, "get_task_fatal_error", "hardware", event.description ?? "get_task_fatal_error");
      default:
        // access_denied, not_found_task, ...: Corezoid reports them as an executing error with the reason as description.
        return failure(PREFIX, "get_task_executing_error", "software", event.description ?? event.errorTag);
    }
  },
};
