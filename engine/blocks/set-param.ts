/**
 * Set Parameter: adds or overwrites task keys. Values are templates cast to their declared
 * types; keys may be templates and paths (`a.b` writes nested). All values are evaluated
 * against the task as it entered the logic.
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { errorPort, strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

export const setParamLogicSchema = z.looseObject({
  type: z.literal("set_param"),
  extra: valueMapSchema,
  extra_type: valueTypesSchema.optional(),
  err_node_id: z.string().optional(),
});
export type SetParamLogic = z.infer<typeof setParamLogicSchema>;

const PREFIX = "set_param";

export const setParamBlock: BlockDefinition<SetParamLogic> = {
  type: "set_param",
  title: "Set Parameter",
  group: "data",
  description: "Adds or changes task parameters; values may use {{templates}} and $.functions.",
  logicSchema: setParamLogicSchema,
  configSchema: z.object({
    type: z.literal("set_param"),
    extra: strictValueMapSchema,
    extra_type: strictValueTypesSchema,
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  sizeOverflowTag: "set_param_task_size_overflow_limit",
  blocking: false,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "set_param_wrong_convert_param", () => {
      const res = evaluateValueMap(logic.extra, logic.extra_type, ctx.scope);
      if (!res.ok) return failure(PREFIX, "set_param_wrong_convert_param", "software", castFailureDescription(res.failure));
      return { kind: "next", data: applyEntries(ctx.task.data, res.entries) };
    }),
};
