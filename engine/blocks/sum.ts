/**
 * Sum (`api_sum`): adds values to running totals kept in the node, not in the task
 * (readable as `{{node[id].<SumID>}}`). Each entry becomes a `sumAdd` command; the task
 * continues at once. A value that is not a number fails with api_sum_wrong_convert_param.
 */
import { z } from "zod";
import { evaluateTyped } from "../expr/cast.ts";
import type { Command } from "../runtime/commands.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";

export const sumLogicSchema = z.looseObject({
  type: z.literal("api_sum"),
  extra: z.array(
    z.looseObject({
      /** The SumID that `{{node[id].<SumID>}}` reads. */
      id: z.string(),
      name: z.string().optional(),
      value: z.union([z.string(), z.number()]),
    }),
  ),
  err_node_id: z.string().optional(),
});
export type SumLogic = z.infer<typeof sumLogicSchema>;

const PREFIX = "api_sum";

export const sumBlock: BlockDefinition<SumLogic> = {
  type: "api_sum",
  title: "Sum",
  group: "data",
  description: "Adds a value (or 1, to count) to a running total kept in the node.",
  logicSchema: sumLogicSchema,
  configSchema: z.object({
    type: z.literal("api_sum"),
    extra: z.array(z.object({ id: z.string().min(1, "name the sum"), name: z.string().optional(), value: z.string().min(1, "give a value") })).min(1),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  blocking: false,
  ports: () => [],
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "api_sum_wrong_convert_param", () => {
      const commands: Command[] = [];
      for (const [i, item] of logic.extra.entries()) {
        const res = evaluateTyped(item.value, "number", ctx.scope);
        if (!res.ok) return failure(PREFIX, "api_sum_wrong_convert_param", "software", `Param: ${item.id}, Value: ${res.shown}, Try convert to: number`);
        commands.push({ ...ctx.origin("sumAdd", i), type: "sumAdd", sumId: item.id, name: item.name ?? item.id, value: res.value as number });
      }
      return { kind: "next", commands };
    }),
};
