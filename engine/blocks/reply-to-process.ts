/**
 * Reply to Process (`api_rpc_reply`): answers the caller of this task (if it was created by
 * Call a Process) and carries on. `mode: key_value` sends `res_data` (templates, typed by
 * `res_data_type`); `mode: keys` sends the task keys listed in `res_data`.
 * `throw_exception` makes the caller take its error exit with `exception_reason`.
 * A task nobody called replies to no one: the logic does nothing.
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import { getPath, MISSING, parsePath } from "../expr/path.ts";
import { renderTemplate } from "../expr/template.ts";
import type { JsonObject } from "../util/json.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { errorPort, strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

export const replyLogicSchema = z.looseObject({
  type: z.literal("api_rpc_reply"),
  mode: z.string().optional(),
  res_data: z.union([valueMapSchema, z.array(z.string())]).optional(),
  res_data_type: valueTypesSchema.optional(),
  /** Older exports name the reply values `extra`. */
  extra: valueMapSchema.optional(),
  extra_type: valueTypesSchema.optional(),
  throw_exception: z.boolean().optional(),
  exception_reason: z.string().optional(),
  err_node_id: z.string().optional(),
});
export type ReplyLogic = z.infer<typeof replyLogicSchema>;

const PREFIX = "rpc_reply";

function replyData(logic: ReplyLogic, data: JsonObject, scope: Parameters<typeof evaluateValueMap>[2]): { ok: true; data: JsonObject } | { ok: false; description: string } {
  if (Array.isArray(logic.res_data) || logic.mode === "keys") {
    const keys = Array.isArray(logic.res_data) ? logic.res_data : Object.keys(logic.res_data ?? {});
    const out: JsonObject = {};
    for (const k of keys) {
      const v = getPath(data, parsePath(k));
      if (v !== MISSING) out[k] = v;
    }
    return { ok: true, data: out };
  }
  const values = logic.res_data ?? logic.extra;
  const types = logic.res_data ? logic.res_data_type : logic.extra_type;
  const res = evaluateValueMap(values, types, scope);
  return res.ok ? { ok: true, data: applyEntries({}, res.entries) } : { ok: false, description: castFailureDescription(res.failure) };
}

export const replyBlock: BlockDefinition<ReplyLogic> = {
  type: "api_rpc_reply",
  title: "Reply to Process",
  group: "processes",
  description: "Sends parameters back to the process that called this one (or makes its call fail).",
  logicSchema: replyLogicSchema,
  configSchema: z.object({
    type: z.literal("api_rpc_reply"),
    mode: z.enum(["key_value", "keys"]),
    res_data: z.union([strictValueMapSchema, z.array(z.string().min(1))]),
    res_data_type: strictValueTypesSchema.optional(),
    throw_exception: z.boolean().optional(),
    exception_reason: z.string().optional(),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  blocking: false,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) => {
    const parent = ctx.task.parent;
    if (!parent) return { kind: "next" };
    return withTemplateErrors(PREFIX, "rpc_reply_wrong_convert_param", () => {
      const res = replyData(logic, ctx.task.data, ctx.scope);
      if (!res.ok) return failure(PREFIX, "rpc_reply_wrong_convert_param", "software", res.description);
      const exception = logic.throw_exception ? { reason: renderTemplate(logic.exception_reason ?? "", ctx.scope) } : undefined;
      return {
        kind: "next",
        commands: [{ ...ctx.origin("rpcReply"), type: "rpcReply", to: parent, data: res.data, ...(exception ? { exception } : {}) }],
      };
    });
  },
};
