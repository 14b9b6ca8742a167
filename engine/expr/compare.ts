/**
 * Condition comparisons (`go_if_const` conditions): the parameter, cast to `cast`, against
 * the constant, cast the same way. A value that does not cast fails the comparison, whatever
 * the function (so `not_eq` on a missing parameter is false too: "a missing param fails").
 */
import { deepEqual } from "../util/json.ts";
import { castValue, type ValueType } from "./cast.ts";
import { MISSING, type Missing } from "./path.ts";
import { toText } from "./template.ts";

export const COMPARE_FUNS = ["eq", "not_eq", "less", "more", "less_or_eq", "more_or_eq", "regexp"] as const;
export type CompareFun = (typeof COMPARE_FUNS)[number];

const regexCache = new Map<string, RegExp | null>();

function compileRegex(src: string): RegExp | null {
  if (!regexCache.has(src)) {
    let re: RegExp | null;
    try {
      re = new RegExp(src);
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(src, re);
  }
  return regexCache.get(src) ?? null;
}

function order(fun: CompareFun, c: number): boolean {
  switch (fun) {
    case "eq": return c === 0;
    case "not_eq": return c !== 0;
    case "less": return c < 0;
    case "more": return c > 0;
    case "less_or_eq": return c <= 0;
    case "more_or_eq": return c >= 0;
    case "regexp": return false;
  }
}

export function compareValues(param: unknown | Missing, fun: CompareFun, constant: string, cast: ValueType): boolean {
  if (param === MISSING || param === undefined) return false;
  if (fun === "regexp") {
    // A regexp matches the parameter's text (searching, as Erlang's re:run does), whatever the cast.
    const re = compileRegex(constant);
    return re !== null && re.test(toText(param));
  }
  const p = castValue(param, cast);
  const c = castValue(constant, cast);
  if (!p.ok || !c.ok) return false;
  switch (cast) {
    case "string": {
      const a = p.value as string, b = c.value as string;
      return order(fun, a === b ? 0 : a < b ? -1 : 1);
    }
    case "number":
      return order(fun, Math.sign((p.value as number) - (c.value as number)));
    case "boolean":
      return order(fun, Number(p.value) - Number(c.value));
    case "array":
    case "object":
      // Only equality is meaningful for structured values; ordering never matches.
      if (fun === "eq") return deepEqual(p.value, c.value);
      if (fun === "not_eq") return !deepEqual(p.value, c.value);
      return false;
  }
}
