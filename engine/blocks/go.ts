/** Go: the unconditional exit, the default (last) logic of every node. */
import { z } from "zod";
import type { BlockDefinition } from "./block.ts";

export const goLogicSchema = z.looseObject({
  type: z.literal("go"),
  to_node_id: z.string(),
});
export type GoLogic = z.infer<typeof goLogicSchema>;

export const goBlock: BlockDefinition<GoLogic> = {
  type: "go",
  title: "Go",
  group: "routing",
  description: "Moves the task on to the next node.",
  logicSchema: goLogicSchema,
  configSchema: z.object({ type: z.literal("go"), to_node_id: z.string().min(1, "choose the next node") }),
  blocking: false,
  ports: (logic) => [{ kind: "next", target: logic.to_node_id }],
  run: (logic) => ({ kind: "goto", to: logic.to_node_id, edge: "next" }),
};
