/**
 * `$.math(...)`: + - * / and parentheses over decimal numbers, by recursive descent.
 * Parameters are substituted before this runs, so the input is plain arithmetic text.
 * Never eval: the input comes from task data.
 */
import { TemplateError } from "./errors.ts";

export function evaluateMath(expression: string): number {
  let pos = 0;
  const src = expression;
  const skip = () => {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
  };
  const fail = (what: string): never => {
    throw new TemplateError(`$.math: ${what} in "${expression}"`);
  };

  function parseExpr(): number {
    let value = parseTerm();
    for (;;) {
      skip();
      const op = src[pos];
      if (op !== "+" && op !== "-") return value;
      pos++;
      const rhs = parseTerm();
      value = op === "+" ? value + rhs : value - rhs;
    }
  }
  function parseTerm(): number {
    let value = parseUnary();
    for (;;) {
      skip();
      const op = src[pos];
      if (op !== "*" && op !== "/") return value;
      pos++;
      const rhs = parseUnary();
      if (op === "/" && rhs === 0) fail("division by zero");
      value = op === "*" ? value * rhs : value / rhs;
    }
  }
  function parseUnary(): number {
    skip();
    if (src[pos] === "-") {
      pos++;
      return -parseUnary();
    }
    if (src[pos] === "+") {
      pos++;
      return parseUnary();
    }
    return parsePrimary();
  }
  function parsePrimary(): number {
    skip();
    if (src[pos] === "(") {
      pos++;
      const v = parseExpr();
      skip();
      if (src[pos] !== ")") fail("missing )");
      pos++;
      return v;
    }
    const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(pos));
    if (!m) fail(pos < src.length ? `unexpected "${src[pos]}"` : "unexpected end");
    pos += m![0].length;
    return Number(m![0]);
  }

  const value = parseExpr();
  skip();
  if (pos < src.length) fail(`unexpected "${src[pos]}"`);
  if (!Number.isFinite(value)) fail("result is not finite");
  return value;
}

/** Renders a number as Corezoid shows results: integers plainly, fractions without float noise. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : value.toFixed(0);
  return String(Number(value.toPrecision(15)));
}
