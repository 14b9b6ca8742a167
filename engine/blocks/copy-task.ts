/**
 * Copy Task / Modify Task (`api_copy`).
 * - `mode: create`: a new, independent task at the target process's Start. With
 *   `group: "all"` it carries all the task's parameters plus `data` (data wins); with
 *   `group: ""` only `data`. The copy also gets `copy_conv_id`, `copy_node_id`, `copy_ref_id`.
 * - `mode: modify`: merges `data` into the live task with `ref` in the target process; that
 *   task must be waiting for a callback (Waiting for Callback or Set State).
 * The task waits for the worker's `copyResult`: on success it gets
 * `__conveyor_copy_task_result__: "ok"` and continues; on failure it takes err_node_id
 * with `__conveyor_copy_task_return_*__` (hardware: copy_task_fatal_error, crash_api,
 * copy_task_timeout; software: everything else, e.g. not_unical_ref, not_found_task).
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import { renderTemplate } from "../expr/template.ts";
import { REF_MAX_LENGTH } from "../runtime/task.ts";
import { jsonFits } from "../util/json.ts";
import { failure, withTemplateErrors, type BlockDefinition, type ErrorType } from "./block.ts";
import { convIdSchema, errorPort, strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

export const copyTaskLogicSchema = z.looseObject({
  type: z.literal("api_copy"),
  mode: z.enum(["create", "modify"]),
  conv_id: convIdSchema,
  ref: z.string().optional(),
  group: z.string().optional(),
  data: valueMapSchema.optional(),
  data_type: valueTypesSchema.optional(),
  is_sync: z.boolean().optional(),
  err_node_id: z.string().optional(),
});
export type CopyTaskLogic = z.infer<typeof copyTaskLogicSchema>;

const PREFIX = "copy_task";
const HARDWARE_TAGS = new Set(["copy_task_fatal_error", "crash_api", "copy_task_timeout"]);

/** Whether a copy/modify error tag is an infrastructure (hardware) failure, worth a retry. */
export function copyErrorType(tag: string): ErrorType {
  return HARDWARE_TAGS.has(tag) ? "hardware" : "software";
}

export const copyTaskBlock: BlockDefinition<CopyTaskLogic> = {
  type: "api_copy",
  title: "Copy Task",
  group: "processes",
  description: "Creates a task in another process (copy), or modifies a waiting task there by ref (modify).",
  logicSchema: copyTaskLogicSchema,
  configSchema: z
    .object({
      type: z.literal("api_copy"),
      mode: z.enum(["create", "modify"]),
      conv_id: z.union([z.number().int().positive(), z.string().min(1, "choose the target process")]),
      ref: z.string().max(REF_MAX_LENGTH).optional(),
      group: z.enum(["all", ""]),
      data: strictValueMapSchema,
      data_type: strictValueTypesSchema,
      is_sync: z.boolean().optional(),
      err_node_id: z.string().optional(),
    })
    .refine((l) => l.mode !== "modify" || (l.ref ?? "").trim() !== "", { message: "modify needs the ref of the task to change", path: ["ref"] }),
  errorPrefix: PREFIX,
  sizeOverflowTag: "copy_task_size_overflow_limit",
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "copy_task_wrong_convert_param", () => {
      const res = evaluateValueMap(logic.data, logic.data_type, ctx.scope);
      if (!res.ok) return failure(PREFIX, "copy_task_wrong_convert_param", "software", castFailureDescription(res.failure));
      const values = applyEntries({}, res.entries);
      const ref = renderTemplate(logic.ref ?? "", ctx.scope).trim();
      const convId = renderTemplate(String(logic.conv_id), ctx.scope).trim();
      if (ref.length > REF_MAX_LENGTH) return failure(PREFIX, "wrong_validate_params", "software", `ref is longer than ${REF_MAX_LENGTH} characters`);
      if (logic.mode === "modify") {
        if (!ref) return failure(PREFIX, "not_found_task", "software", "modify needs a ref");
        return {
          kind: "park",
          as: { kind: "copy" },
          commands: [{ ...ctx.origin("modifyTask"), type: "modifyTask", convId, ref, data: values, isSync: logic.is_sync ?? true }],
        };
      }
      const t = ctx.task;
      const base = logic.group === "all" ? t.data : {};
      const data = { ...base, ...values, copy_conv_id: t.processId, copy_node_id: ctx.node.id, copy_ref_id: t.ref ?? t.id };
      if (!jsonFits(data, ctx.options.taskSizeLimit)) {
        return failure(PREFIX, "copy_task_size_overflow_limit", "software", `the copy would exceed the task size limit of ${ctx.options.taskSizeLimit} bytes`);
      }
      return {
        kind: "park",
        as: { kind: "copy" },
        commands: [{ ...ctx.origin("createTask"), type: "createTask", purpose: "copy", convId, ref: ref || null, data }],
      };
    }),
  accepts: ["copyResult"],
  resume: (_logic, ctx, event) => {
    if (event.type !== "copyResult") return { kind: "ignore", reason: "unexpected_event" };
    if (event.ok) return { kind: "next", data: { ...ctx.task.data, __conveyor_copy_task_result__: "ok" } };
    return failure(PREFIX, event.errorTag, copyErrorType(event.errorTag), event.description ?? event.errorTag);
  },
};
