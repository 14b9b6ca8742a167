/**
 * Call a Process (`api_rpc`): creates a task in the callee (the "send all" matrix below)
 * and waits for its Reply to Process, whose data is merged before the task follows `go`.
 * A reply with `throw_exception` sends the caller to err_node_id with
 * `__conveyor_rpc_reply_return_*__`. If the child cannot be created the worker answers
 * `copyResult {ok:false}` and the caller takes err_node_id with `__conveyor_rpc_return_*__`.
 *
 * Parameters sent (Corezoid's matrix): group "all" and no extra → all parameters;
 * "" with extra → only extra; "all" with extra → all, extra winning; "" without extra →
 * nothing (validation rejects it).
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import { renderTemplate } from "../expr/template.ts";
import { jsonFits } from "../util/json.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { convIdSchema, errorPort, strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

export const callProcessLogicSchema = z.looseObject({
  type: z.literal("api_rpc"),
  conv_id: convIdSchema,
  extra: valueMapSchema.optional(),
  extra_type: valueTypesSchema.optional(),
  group: z.string().optional(),
  is_sync: z.boolean().optional(),
  err_node_id: z.string().optional(),
});
export type CallProcessLogic = z.infer<typeof callProcessLogicSchema>;

const PREFIX = "rpc";
const REPLY_PREFIX = "rpc_reply";

export const callProcessBlock: BlockDefinition<CallProcessLogic> = {
  type: "api_rpc",
  title: "Call a Process",
  group: "processes",
  description: "Runs another process with this task's parameters and waits for its Reply to Process.",
  logicSchema: callProcessLogicSchema,
  configSchema: z
    .object({
      type: z.literal("api_rpc"),
      conv_id: z.union([z.number().int().positive(), z.string().min(1, "choose the process to call")]),
      extra: strictValueMapSchema,
      extra_type: strictValueTypesSchema,
      group: z.enum(["all", ""]),
      is_sync: z.boolean().optional(),
      err_node_id: z.string().optional(),
    })
    .refine((l) => l.group === "all" || Object.keys(l.extra).length > 0, {
      message: "send all parameters or list the ones to send",
      path: ["extra"],
    }),
  errorPrefix: PREFIX,
  sizeOverflowTag: "rpc_task_size_overflow",
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "rpc_task_wrong_convert_param", () => {
      const res = evaluateValueMap(logic.extra, logic.extra_type, ctx.scope);
      if (!res.ok) return failure(PREFIX, "rpc_task_wrong_convert_param", "software", castFailureDescription(res.failure));
      const values = applyEntries({}, res.entries);
      const convId = renderTemplate(String(logic.conv_id), ctx.scope).trim();
      const sendAll = (logic.group ?? "all") === "all";
      const data = sendAll ? { ...ctx.task.data, ...values } : values;
      if (!jsonFits(data, ctx.options.taskSizeLimit)) {
        return failure(PREFIX, "rpc_task_size_overflow", "software", `the call would exceed the task size limit of ${ctx.options.taskSizeLimit} bytes`);
      }
      const origin = ctx.origin("createTask");
      return {
        kind: "park",
        as: { kind: "rpc" },
        commands: [{
          ...origin, type: "createTask", purpose: "rpc", convId, ref: null, data,
          parent: { taskId: ctx.task.id, processId: ctx.task.processId, nodeId: ctx.node.id, visit: ctx.visit },
        }],
      };
    }),
  accepts: ["rpcReply", "copyResult"],
  resume: (_logic, ctx, event) => {
    if (event.type === "copyResult") {
      // The child was created: keep waiting for its reply.
      if (event.ok) return { kind: "ignore", reason: "child_created" };
      const type = event.errorTag === "rpc_task_fatal_error" || event.errorTag === "crash_api" ? "hardware" : "software";
      return failure(PREFIX, event.errorTag, type, event.description ?? event.errorTag);
    }
    if (event.type !== "rpcReply") return { kind: "ignore", reason: "unexpected_event" };
    const data = { ...ctx.task.data, ...event.data };
    if (event.exception) {
      return { kind: "fail", failure: { prefix: REPLY_PREFIX, tag: "rpc_reply_exception", type: "software", description: event.exception.reason }, data };
    }
    return { kind: "next", data };
  },
};
