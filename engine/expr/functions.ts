/**
 * The `$.name(arg)` functions. Each takes its argument as text (parameters already
 * substituted) and returns text. Unknown names are not functions: the text stays literal.
 */
import { formatDate, unixtimeFromFormat } from "./datetime.ts";
import { TemplateError } from "./errors.ts";
import { base64Decode, base64Encode, fromUtf8, md5, sha1, sha224, sha256, sha384, sha512, toHex, utf8 } from "./hash.ts";
import { evaluateMath, formatNumber } from "./math.ts";

export interface FunctionContext {
  nowMs: number;
  random: () => number;
  /** From a trailing `.tz('Zone')`. */
  tz?: string;
}

type TemplateFunction = (arg: string, ctx: FunctionContext) => string;

const digest = (f: (b: Uint8Array) => Uint8Array, hex: boolean): TemplateFunction => (arg) =>
  hex ? toHex(f(utf8(arg))) : base64Encode(f(utf8(arg)));

export const TEMPLATE_FUNCTIONS: Record<string, TemplateFunction> = {
  math: (arg) => formatNumber(evaluateMath(arg)),
  unixtime: (arg, ctx) =>
    arg.trim() === "" ? String(Math.floor(ctx.nowMs / 1000)) : String(unixtimeFromFormat(arg, ctx.nowMs, ctx.tz)),
  date: (arg, ctx) => formatDate(arg, ctx.nowMs, ctx.tz),
  random: (arg, ctx) => {
    const n = Number(arg.trim() === "" ? "0" : arg);
    if (!Number.isInteger(n)) throw new TemplateError(`$.random: "${arg}" is not an integer`);
    if (n === 0) return "0";
    // Corezoid: a positive N gives 1..N, a negative one gives -1..N.
    const r = 1 + Math.floor(ctx.random() * Math.abs(n));
    return String(n > 0 ? r : -r);
  },
  md5_hex: digest(md5, true),
  md5: digest(md5, false),
  sha1_hex: digest(sha1, true),
  sha1: digest(sha1, false),
  sha224_hex: digest(sha224, true),
  sha224: digest(sha224, false),
  sha256_hex: digest(sha256, true),
  sha256: digest(sha256, false),
  sha384_hex: digest(sha384, true),
  sha384: digest(sha384, false),
  sha512_hex: digest(sha512, true),
  sha512: digest(sha512, false),
  base64_encode: (arg) => base64Encode(utf8(arg)),
  base64_decode: (arg) => {
    const bytes = base64Decode(arg);
    const text = bytes && fromUtf8(bytes);
    if (text === null) throw new TemplateError(`$.base64_decode: input is not base64 of UTF-8 text`);
    return text;
  },
};

/** Functions whose result depends on the clock or randomness (shown as dynamic in the editor). */
export const TIME_FUNCTIONS = new Set(["unixtime", "date", "random"]);
