/**
 * Code (`api_code`): the worker runs `src` in a sandbox with the task as `data` and answers
 * `codeResult`. Returned data is merged into the task (new keys added, same keys replaced).
 * Errors: code_timeout (hardware), code_executing_error and code_return_format_error
 * (software), code_task_size_overflow_limit when the result is too big.
 */
import { z } from "zod";
import { isPlainObject } from "../util/json.ts";
import { failure, type BlockDefinition } from "./block.ts";
import { errorPort } from "./shared.ts";

export const codeLogicSchema = z.looseObject({
  type: z.literal("api_code"),
  lang: z.string().optional(),
  src: z.string().optional(),
  /** Older exports hold the source here. */
  code: z.string().optional(),
  err_node_id: z.string().optional(),
});
export type CodeLogic = z.infer<typeof codeLogicSchema>;

const PREFIX = "code";

export const codeBlock: BlockDefinition<CodeLogic> = {
  type: "api_code",
  title: "Code",
  group: "data",
  description: "Runs JavaScript over the task (`data`) in a sandbox; what it sets is merged into the task.",
  logicSchema: codeLogicSchema,
  configSchema: z.object({
    type: z.literal("api_code"),
    lang: z.enum(["js", "erl", "python"]).optional(),
    src: z.string().min(1, "write some code"),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  sizeOverflowTag: "code_task_size_overflow_limit",
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) => ({
    kind: "park",
    as: { kind: "code" },
    commands: [{
      ...ctx.origin("runCode"), type: "runCode", lang: logic.lang ?? "js", src: logic.src ?? logic.code ?? "",
      data: ctx.task.data, timeoutMs: ctx.options.codeTimeoutMs,
    }],
  }),
  accepts: ["codeResult"],
  resume: (_logic, ctx, event) => {
    if (event.type !== "codeResult") return { kind: "ignore", reason: "unexpected_event" };
    if ("error" in event) {
      switch (event.error) {
        case "timeout":
          return failure(PREFIX, "code_timeout", "hardware", event.description ?? "timeout for executing code");
        case "executing_error":
          return failure(PREFIX, "code_executing_error", "software", event.description ?? "error while executing code");
        case "return_format_error":
          return failure(PREFIX, "code_return_format_error", "software", event.description ?? "code returned no object");
      }
    }
    if (!isPlainObject(event.data)) return failure(PREFIX, "code_return_format_error", "software", "code must leave `data` an object");
    return { kind: "next", data: { ...ctx.task.data, ...event.data } };
  },
};
