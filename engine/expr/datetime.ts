/**
 * `$.unixtime(...)` and `$.date(...)`: date arithmetic on components (`%y-%m-%d %h:%i:%s`,
 * each optionally `+N`/`-N`), in UTC or in an IANA time zone given with `.tz('Europe/Kiev')`.
 */
import { TemplateError } from "./errors.ts";

export interface DateParts {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  i: number;
  s: number;
}

type Unit = keyof DateParts;
const ORDER: Unit[] = ["y", "m", "d", "h", "i", "s"];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
    } catch {
      throw new TemplateError(`unknown time zone "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** Calendar components of an instant (ms) in UTC or the given zone. */
export function partsOf(ms: number, tz?: string): DateParts {
  if (!tz) {
    const d = new Date(ms);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), i: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { y: parts.year, m: parts.month, d: parts.day, h: parts.hour % 24, i: parts.minute, s: parts.second };
}

const utcOf = (p: DateParts) => Date.UTC(p.y, p.m - 1, p.d, p.h, p.i, p.s);

/** The instant (ms) whose wall clock in the zone shows these (possibly overflowing) components. */
export function instantOf(p: DateParts, tz?: string): number {
  const wall = utcOf(p);
  if (!tz) return wall;
  // Two rounds of offset correction settle every case but the skipped hour of a DST change.
  let guess = wall;
  for (let k = 0; k < 2; k++) guess = wall - (utcOf(partsOf(guess, tz)) - guess);
  return guess;
}

const TOKEN = /%([ymdhis])([+-]\d+)?|(\d+)/g;

/**
 * `$.unixtime(fmt)`: components are `%x` (now, optionally shifted) or literal numbers; literals
 * take the position they stand in (year, month, day, hour, minute, second).
 */
export function unixtimeFromFormat(format: string, nowMs: number, tz?: string): number {
  const now = partsOf(nowMs, tz);
  const parts = { ...now };
  let k = 0;
  for (const m of format.matchAll(TOKEN)) {
    if (m[1]) {
      const unit = m[1] as Unit;
      parts[unit] = now[unit] + (m[2] ? Number(m[2]) : 0);
      k = ORDER.indexOf(unit) + 1;
    } else {
      if (k >= ORDER.length) throw new TemplateError(`$.unixtime: too many fields in "${format}"`);
      parts[ORDER[k++]] = Number(m[3]);
    }
  }
  return Math.floor(instantOf(parts, tz) / 1000);
}

/** `$.date(fmt)`: the shifts of all components apply first, then every `%x` prints the result. */
export function formatDate(format: string, nowMs: number, tz?: string): string {
  const now = partsOf(nowMs, tz);
  const shifted = { ...now };
  for (const m of format.matchAll(/%([ymdhis])([+-]\d+)?/g)) if (m[2]) shifted[m[1] as Unit] += Number(m[2]);
  const result = partsOf(instantOf(shifted, tz), tz);
  return format.replace(/%([ymdhis])([+-]\d+)?/g, (_, u: Unit) => String(result[u]).padStart(u === "y" ? 4 : 2, "0"));
}
