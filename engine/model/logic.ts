/**
 * The logic union: one member per block, discriminated on `type`. Each block file owns its
 * schema; this module only assembles them.
 */
import { z } from "zod";
import { conditionLogicSchema } from "../blocks/condition.ts";
import { goLogicSchema } from "../blocks/go.ts";
import { setParamLogicSchema } from "../blocks/set-param.ts";

export const logicSchema = z.discriminatedUnion("type", [
  goLogicSchema,
  conditionLogicSchema,
  setParamLogicSchema,
]);

export type Logic = z.infer<typeof logicSchema>;
export type LogicType = Logic["type"];
export type LogicOf<T extends LogicType> = Extract<Logic, { type: T }>;
