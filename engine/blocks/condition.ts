/**
 * Condition (`go_if_const`): the conditions of one logic are ANDed; a node's go_if_const
 * logics are tried top to bottom and the first that matches wins (OR of ANDs); when none
 * matches the task takes the node's trailing `go`.
 */
import { z } from "zod";
import { VALUE_TYPES, type ValueType } from "../expr/cast.ts";
import { COMPARE_FUNS, compareValues } from "../expr/compare.ts";
import { TemplateError } from "../expr/errors.ts";
import { MISSING, type Missing } from "../expr/path.ts";
import type { TemplateScope } from "../expr/scope.ts";
import { isDynamic, renderTemplate, resolveReference, resolveTemplate } from "../expr/template.ts";
import type { BlockDefinition } from "./block.ts";

export const conditionSchema = z.looseObject({
  /** A bare name (`amount`, `a.b[0]`) or a template (`{{amount}}`). */
  param: z.string(),
  /** Text; may hold templates. A bare word is a literal, never a parameter. */
  const: z.union([z.string(), z.number(), z.boolean()]),
  fun: z.enum(COMPARE_FUNS),
  cast: z.enum(VALUE_TYPES).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionLogicSchema = z.looseObject({
  type: z.literal("go_if_const"),
  to_node_id: z.string(),
  conditions: z.array(conditionSchema),
});
export type ConditionLogic = z.infer<typeof conditionLogicSchema>;

function readParam(param: string, scope: TemplateScope): unknown | Missing {
  return isDynamic(param) ? resolveTemplate(param, scope) : resolveReference(param, scope);
}

/** Evaluates one condition. A template that fails to evaluate makes it false. */
export function evaluateCondition(cond: Condition, scope: TemplateScope): boolean {
  try {
    const value = readParam(cond.param, scope);
    if (value === MISSING) return false;
    const constant = typeof cond.const === "string" ? renderTemplate(cond.const, scope) : String(cond.const);
    return compareValues(value, cond.fun, constant, (cond.cast ?? "string") as ValueType);
  } catch (e) {
    if (e instanceof TemplateError) return false;
    throw e;
  }
}

export const conditionBlock: BlockDefinition<ConditionLogic> = {
  type: "go_if_const",
  title: "Condition",
  group: "routing",
  description: "Sends the task to the first branch whose conditions all hold, otherwise to the default exit.",
  logicSchema: conditionLogicSchema,
  configSchema: z.object({
    type: z.literal("go_if_const"),
    to_node_id: z.string().min(1, "choose the branch target"),
    conditions: z
      .array(
        z.object({
          param: z.string().min(1, "name the parameter"),
          const: z.string(),
          fun: z.enum(COMPARE_FUNS),
          cast: z.enum(VALUE_TYPES),
        }),
      )
      .min(1, "a branch needs at least one condition"),
  }),
  blocking: false,
  ports: (logic) => [{ kind: "condition", target: logic.to_node_id, label: logic.conditions.map((c) => `${c.param} ${c.fun} ${c.const}`).join(" and ") }],
  run: (logic, ctx) =>
    logic.conditions.length > 0 && logic.conditions.every((c) => evaluateCondition(c, ctx.scope))
      ? { kind: "goto", to: logic.to_node_id, edge: "condition", branch: ctx.logicIndex }
      : { kind: "next" },
};
