/**
 * Process parameter descriptions (`params[]` of an export): name, type, flags
 * (input, output, required, auto-clear) and an optional regex with its error text. Input
 * parameters are checked when a task is created (`checkTaskInput`).
 */
import { z } from "zod";
import { getPath, MISSING, parsePath } from "../expr/path.ts";
import { toText } from "../expr/template.ts";
import type { JsonObject } from "../util/json.ts";

export const processParamSchema = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  descr: z.string().nullish(),
  flags: z.array(z.string()).nullish(),
  regex: z.string().nullish(),
  regex_error_text: z.string().nullish(),
});
export type ProcessParam = z.infer<typeof processParamSchema>;

export interface InputProblem {
  param: string;
  message: string;
}

/**
 * Checks a new task's data against the input parameters: `required` ones must be present,
 * present ones must match `regex` (the configured error text is the message). Corezoid
 * refuses such a task with `wrong_validate_params`.
 */
export function checkTaskInput(params: readonly ProcessParam[] | null | undefined, data: JsonObject): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const p of params ?? []) {
    const flags = p.flags ?? [];
    if (!flags.includes("input")) continue;
    const value = getPath(data, parsePath(p.name));
    if (value === MISSING || value === null || value === "") {
      if (flags.includes("required")) problems.push({ param: p.name, message: `${p.name} is required` });
      continue;
    }
    if (p.regex) {
      const re = compile(p.regex);
      if (re && !re.test(toText(value))) problems.push({ param: p.name, message: p.regex_error_text || `${p.name} does not match ${p.regex}` });
    }
  }
  return problems;
}

function compile(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}
