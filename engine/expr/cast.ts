/**
 * Typed values: Corezoid value maps pair `extra` with `extra_type` (string, number, boolean,
 * array, object). Objects and arrays arrive as JSON text or as a whole-value placeholder.
 */
import { isPlainObject, tryParseJson, type JsonObject } from "../util/json.ts";
import { MISSING, parsePath, setPath, type Missing, type PathSegment } from "./path.ts";
import type { TemplateScope } from "./scope.ts";
import { renderTemplate, resolveTemplate, toText } from "./template.ts";

export const VALUE_TYPES = ["string", "number", "boolean", "array", "object"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export type CastResult = { ok: true; value: unknown } | { ok: false };

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Casts a resolved value to a declared type. A missing value only casts to "" (string). */
export function castValue(value: unknown | Missing, type: ValueType): CastResult {
  if (value === MISSING || value === undefined) return type === "string" ? { ok: true, value: "" } : { ok: false };
  switch (type) {
    case "string":
      return { ok: true, value: toText(value) };
    case "number": {
      if (typeof value === "number") return Number.isFinite(value) ? { ok: true, value } : { ok: false };
      if (typeof value === "string" && NUMBER_TEXT.test(value.trim())) return { ok: true, value: Number(value.trim()) };
      return { ok: false };
    }
    case "boolean": {
      if (typeof value === "boolean") return { ok: true, value };
      const t = typeof value === "string" ? value.trim().toLowerCase() : "";
      return t === "true" ? { ok: true, value: true } : t === "false" ? { ok: true, value: false } : { ok: false };
    }
    case "object":
    case "array": {
      let v: unknown = value;
      if (typeof v === "string") {
        const parsed = tryParseJson(v);
        if (!parsed.ok) return { ok: false };
        v = parsed.value;
      }
      const fits = type === "array" ? Array.isArray(v) : isPlainObject(v);
      return fits ? { ok: true, value: v } : { ok: false };
    }
  }
}

/** A value that failed its cast, for the `*_wrong_convert_param` description. */
export interface CastFailure {
  param: string;
  value: string;
  type: ValueType;
}

export function castFailureDescription(f: CastFailure): string {
  return `Param: ${f.param}, Value: ${f.value}, Try convert to: ${f.type}`;
}

/** Evaluates one configured value (template text, or a literal stored by the export) and casts it. */
export function evaluateTyped(raw: unknown, type: ValueType, scope: TemplateScope): CastResult & { shown: string } {
  const resolved = typeof raw === "string" ? resolveTemplate(raw, scope) : raw;
  const res = castValue(resolved, type);
  return { ...res, shown: toText(resolved) };
}

export function asValueType(t: unknown): ValueType {
  return typeof t === "string" && (VALUE_TYPES as readonly string[]).includes(t) ? (t as ValueType) : "string";
}

export interface ValueMapEntry {
  key: string;
  path: readonly PathSegment[];
  value: unknown;
}

export type ValueMapResult = { ok: true; entries: ValueMapEntry[] } | { ok: false; failure: CastFailure };

/**
 * Evaluates a value map (`extra` + `extra_type`, `data` + `data_type`, ...). Keys may be
 * templates (`"{{key}}": "v"`) and paths (`"a.b"` writes nested). Every value is evaluated
 * against the same scope, so the order of keys does not matter. Throws `TemplateError`.
 */
export function evaluateValueMap(
  values: Record<string, unknown> | undefined,
  types: Record<string, unknown> | undefined,
  scope: TemplateScope,
): ValueMapResult {
  const entries: ValueMapEntry[] = [];
  for (const [rawKey, raw] of Object.entries(values ?? {})) {
    const type = asValueType(types?.[rawKey]);
    const key = renderTemplate(rawKey, scope);
    const res = evaluateTyped(raw, type, scope);
    if (!res.ok) return { ok: false, failure: { param: key, value: res.shown, type } };
    entries.push({ key, path: parsePath(key), value: res.value });
  }
  return { ok: true, entries };
}

/** Writes evaluated entries onto a base object. */
export function applyEntries(base: JsonObject, entries: readonly ValueMapEntry[]): JsonObject {
  let out = base;
  for (const e of entries) out = e.path.length ? setPath(out, e.path, e.value) : out;
  return out;
}
