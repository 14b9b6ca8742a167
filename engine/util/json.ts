/** JSON helpers shared by the model, templates and the reducer. All pure. */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}


/** Size of a value serialised as JSON, in UTF-8 bytes: the measure of the task size limit. */
export function jsonByteSize(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? "");
}

/** UTF-8 length of a string without encoding it (no allocation on the hot path). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      i++; // a surrogate pair: 4 bytes for 2 code units
      n += 2;
    } else n += 2;
  }
  return n;
}

const texts = new WeakMap<object, string>();

/**
 * The JSON text of an object, made once per object. Task data is replaced, never mutated
 * (engine/runtime/step.ts), so the text of a data object stays true: the size check of a new
 * task's data and the statement that stores it share one serialisation.
 */
export function jsonText(value: object): string {
  let s = texts.get(value);
  if (s === undefined) {
    s = JSON.stringify(value);
    texts.set(value, s);
  }
  return s;
}

/**
 * Whether a value's JSON fits in `limit` UTF-8 bytes. Every UTF-16 code unit
 * takes 1 to 3 bytes, so most answers need no byte count at all.
 */
export function jsonFits(value: unknown, limit: number): boolean {
  const s = (typeof value === "object" && value !== null ? jsonText(value) : JSON.stringify(value)) ?? "";
  if (s.length * 3 <= limit) return true;
  if (s.length > limit) return false;
  return utf8Length(s) <= limit;
}

/** Structural equality over JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Parses JSON without throwing. */
export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
