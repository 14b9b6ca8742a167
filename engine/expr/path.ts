/**
 * Parameter paths as Corezoid writes them: `a.b.c`, `arr[0].x`, `obj[key]`, and
 * escaped keys `a\.b` (a literal dot, `[` or `]` in a key is preceded by a backslash).
 */
import { isPlainObject, type JsonObject } from "../util/json.ts";

export interface PathSegment {
  key: string;
  /** Written as `[key]`: an array index or a key chosen at run time. */
  bracket: boolean;
}

/** A missing path: templates render it as "" and conditions treat it as "does not match". */
export const MISSING: unique symbol = Symbol("missing");
export type Missing = typeof MISSING;

const parsed = new Map<string, readonly PathSegment[]>();
const PARSED_MAX = 5000;

/** Parses a path (memoised: the same parameter names are read on every step; callers never mutate the result). */
export function parsePath(text: string): readonly PathSegment[] {
  let segments = parsed.get(text);
  if (!segments) {
    segments = parseUncached(text);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(text, segments);
  }
  return segments;
}

function parseUncached(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let cur = "";
  let escaped = false;
  const flush = () => {
    if (cur !== "" || escaped) segments.push({ key: cur, bracket: false });
    cur = "";
    escaped = false;
  };
  const src = text.trim();
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length) {
      cur += src[++i];
      escaped = true;
    } else if (c === ".") {
      flush();
    } else if (c === "[") {
      flush();
      let inner = "";
      let j = i + 1;
      for (; j < src.length && src[j] !== "]"; j++) {
        if (src[j] === "\\" && j + 1 < src.length) inner += src[++j];
        else inner += src[j];
      }
      segments.push({ key: inner, bracket: true });
      i = j;
    } else {
      cur += c;
    }
  }
  flush();
  return segments;
}

/** Escapes a key so that `parsePath` reads it back as one segment. */
export function escapeKey(key: string): string {
  return key.replace(/[\\.[\]]/g, (m) => `\\${m}`);
}

function child(value: unknown, seg: PathSegment): unknown | Missing {
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(seg.key)) return MISSING;
    const i = Number(seg.key);
    return i < value.length ? value[i] : MISSING;
  }
  if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, seg.key)) return value[seg.key];
  return MISSING;
}

/**
 * Reads a path. When the nested walk fails and the path is plain dotted names,
 * a flat key spelled with the dots (`{"a.b": 1}`) is tried as well, since
 * Corezoid processes describe nested CloudTrail fields as dotted parameter names.
 */
export function getPath(data: unknown, segments: readonly PathSegment[]): unknown | Missing {
  if (segments.length === 0) return MISSING;
  let cur: unknown = data;
  for (const seg of segments) {
    cur = child(cur, seg);
    if (cur === MISSING) break;
  }
  if (cur !== MISSING) return cur;
  if (segments.length > 1 && segments.every((s) => !s.bracket) && isPlainObject(data)) {
    const flat = segments.map((s) => s.key).join(".");
    if (Object.prototype.hasOwnProperty.call(data, flat)) return data[flat];
  }
  return MISSING;
}

/** Writes a path immutably, creating objects (or arrays for numeric brackets) on the way. */
export function setPath(data: JsonObject, segments: readonly PathSegment[], value: unknown): JsonObject {
  if (segments.length === 0) return data;
  return setIn(data, segments, 0, value) as JsonObject;
}

function setIn(container: unknown, segments: readonly PathSegment[], i: number, value: unknown): unknown {
  const seg = segments[i];
  const last = i === segments.length - 1;
  if (Array.isArray(container) && /^\d+$/.test(seg.key)) {
    const copy = container.slice();
    const idx = Number(seg.key);
    while (copy.length < idx) copy.push(null);
    copy[idx] = last ? value : setIn(copy[idx], segments, i + 1, value);
    return copy;
  }
  const base: JsonObject = isPlainObject(container) ? { ...container } : {};
  if (last) {
    base[seg.key] = value;
  } else {
    const next = base[seg.key];
    const fresh = segments[i + 1].bracket && /^\d+$/.test(segments[i + 1].key) ? [] : {};
    base[seg.key] = setIn(next === undefined || next === null ? fresh : next, segments, i + 1, value);
  }
  return base;
}
