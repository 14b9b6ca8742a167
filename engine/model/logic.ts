/**
 * The logic union: one member per block, discriminated on `type`. Each block file owns its
 * schema; this module only assembles them.
 */
import { z } from "zod";
import { apiCallLogicSchema } from "../blocks/api-call.ts";
import { callProcessLogicSchema } from "../blocks/call-process.ts";
import { codeLogicSchema } from "../blocks/code.ts";
import { conditionLogicSchema } from "../blocks/condition.ts";
import { copyTaskLogicSchema } from "../blocks/copy-task.ts";
import { getFromQueueLogicSchema } from "../blocks/get-from-queue.ts";
import { goLogicSchema } from "../blocks/go.ts";
import { notifyLogicSchema } from "../blocks/notify.ts";
import { queueLogicSchema } from "../blocks/queue.ts";
import { replyLogicSchema } from "../blocks/reply-to-process.ts";
import { setParamLogicSchema } from "../blocks/set-param.ts";
import { sumLogicSchema } from "../blocks/sum.ts";
import { callbackLogicSchema } from "../blocks/waiting-for-callback.ts";

export const logicSchema = z.discriminatedUnion("type", [
  goLogicSchema,
  conditionLogicSchema,
  setParamLogicSchema,
  apiCallLogicSchema,
  codeLogicSchema,
  copyTaskLogicSchema,
  callProcessLogicSchema,
  replyLogicSchema,
  sumLogicSchema,
  queueLogicSchema,
  getFromQueueLogicSchema,
  callbackLogicSchema,
  notifyLogicSchema,
]);

export type Logic = z.infer<typeof logicSchema>;
export type LogicType = Logic["type"];
export type LogicOf<T extends LogicType> = Extract<Logic, { type: T }>;

/** Every logic type, in palette order. */
export const LOGIC_TYPES = logicSchema.options.map((o) => o.shape.type.value) as LogicType[];
