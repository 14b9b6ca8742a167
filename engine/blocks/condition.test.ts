import { describe, expect, it } from "vitest";
import type { TemplateScope } from "../expr/scope.ts";
import { evaluateCondition, type Condition } from "./condition.ts";

const scope = (data: Record<string, unknown>): TemplateScope => ({
  data,
  root: { task_id: "t", ref: null, conv_id: "p", node_id: "n", prev_node_id: null, create_time: 1, change_time: 1 },
  processId: "p",
  lookup: {},
  nowMs: 0,
  random: () => 0,
});

const check = (data: Record<string, unknown>, param: string, fun: Condition["fun"], value: string, cast: Condition["cast"] = "string") =>
  evaluateCondition({ param, fun, const: value, cast }, scope(data));

describe("condition (go_if_const)", () => {
  it("compares numbers as numbers with cast number", () => {
    expect(check({ a: 10 }, "a", "more", "9", "number")).toBe(true);
    expect(check({ a: "10" }, "a", "more", "9", "number")).toBe(true);
    // As strings "10" < "9".
    expect(check({ a: "10" }, "a", "more", "9", "string")).toBe(false);
    expect(check({ a: 10 }, "a", "less_or_eq", "10", "number")).toBe(true);
    expect(check({ a: 10 }, "a", "more_or_eq", "11", "number")).toBe(false);
    expect(check({ a: 10 }, "a", "less", "10.5", "number")).toBe(true);
    expect(check({ a: 10 }, "a", "eq", "10.0", "number")).toBe(true);
  });

  it("fails every function, not_eq included, on a missing parameter", () => {
    expect(check({}, "a", "eq", "", "string")).toBe(false);
    expect(check({}, "a", "not_eq", "x", "string")).toBe(false);
    expect(check({}, "{{a}}", "eq", "", "string")).toBe(false);
  });

  it("fails when the value does not cast", () => {
    expect(check({ a: "abc" }, "a", "not_eq", "1", "number")).toBe(false);
    expect(check({ a: "yes" }, "a", "eq", "true", "boolean")).toBe(false);
    expect(check({ a: "TRUE" }, "a", "eq", "true", "boolean")).toBe(true);
  });

  it("reads a bare name or a {{template}} as the parameter, and nested paths", () => {
    const data = { user: { name: "ann", roles: ["admin"] } };
    expect(check(data, "user.name", "eq", "ann")).toBe(true);
    expect(check(data, "{{user.name}}", "eq", "ann")).toBe(true);
    expect(check(data, "user.roles[0]", "eq", "admin")).toBe(true);
    expect(check(data, "{{user.name}}-{{user.roles[0]}}", "eq", "ann-admin")).toBe(true);
  });

  it("reads a bare word in const as a literal and expands templates there", () => {
    expect(check({ a: "limit", limit: "5" }, "a", "eq", "limit")).toBe(true);
    expect(check({ a: "5", limit: "5" }, "a", "eq", "limit")).toBe(false);
    expect(check({ a: "5", limit: "5" }, "a", "eq", "{{limit}}")).toBe(true);
    expect(check({ a: 6, limit: 5 }, "a", "more", "{{limit}}", "number")).toBe(true);
  });

  it("matches regular expressions against the text, searching", () => {
    expect(check({ ip: "10.1.2.3" }, "ip", "regexp", "^10\\.")).toBe(true);
    expect(check({ ip: "192.168.0.1" }, "ip", "regexp", "^10\\.")).toBe(false);
    expect(check({ ev: "ConsoleLogin" }, "ev", "regexp", "Login")).toBe(true);
    expect(check({ ev: "x" }, "ev", "regexp", "(")).toBe(false);
  });

  it("compares arrays and objects structurally for eq/not_eq only", () => {
    expect(check({ a: [1, 2] }, "a", "eq", "[1,2]", "array")).toBe(true);
    expect(check({ a: { x: 1, y: 2 } }, "a", "eq", '{"y":2,"x":1}', "object")).toBe(true);
    expect(check({ a: { x: 1 } }, "a", "not_eq", '{"x":2}', "object")).toBe(true);
    expect(check({ a: [1] }, "a", "more", "[0]", "array")).toBe(false);
  });

  it("is case sensitive for strings", () => {
    expect(check({ a: "Failure" }, "a", "eq", "failure")).toBe(false);
  });
});
