import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";
import { setParamBlock } from "./set-param.ts";

const set = (extra: Record<string, unknown>, types: Record<string, string> = {}, data: Record<string, unknown> = {}, opts: Parameters<typeof singleNode>[2] = {}) =>
  singleNode({ type: "set_param", extra, extra_type: Object.fromEntries(Object.keys(extra).map((k) => [k, types[k] ?? "string"])) }, data, opts);

describe("Set Parameter (set_param)", () => {
  it("adds and overwrites keys with typed values and moves on at once, sending nothing", () => {
    const n = set(
      { name: "{{first}} {{last}}", n: "{{count}}", flag: "TRUE", obj: "{{user}}", list: '["a",{{count}}]', keep: "x", fn: "$.math({{count}}*2)" },
      { n: "number", flag: "boolean", obj: "object", list: "array", fn: "number" },
      { first: "Ann", last: "Lee", count: "3", user: { id: 7 }, keep: "old" },
    );
    expect(n.entered.commands).toEqual([]);
    expect(n.entered.task).toMatchObject({ status: "finished", nodeId: "ok" });
    expect(n.entered.task.data).toEqual({
      first: "Ann", last: "Lee", count: "3", user: { id: 7 },
      name: "Ann Lee", n: 3, flag: true, obj: { id: 7 }, list: ["a", 3], keep: "x", fn: 6,
    });
  });

  it("evaluates every value against the task as it entered the logic (a swap works)", () => {
    const n = set({ a: "{{b}}", b: "{{a}}" }, {}, { a: "1", b: "2" });
    expect(n.entered.task.data).toEqual({ a: "2", b: "1" });
  });

  it("writes nested paths, template keys and escaped dotted keys", () => {
    const n = set({ "user.name": "ann", "{{field}}": "v", "a\\.b": "literal", "arr[1]": "z" }, {}, { field: "dyn", user: { id: 1 }, arr: ["x", "y"] });
    expect(n.entered.task.data).toEqual({ field: "dyn", user: { id: 1, name: "ann" }, dyn: "v", "a.b": "literal", arr: ["x", "z"] });
  });

  it("renders a missing parameter as an empty string", () => {
    expect(set({ v: "<{{nope.deeper}}>" }).entered.task.data).toEqual({ v: "<>" });
  });

  it("fails with set_param_wrong_convert_param when a value does not cast, changing nothing", () => {
    const n = set({ ok: "1", n: "{{v}}" }, { ok: "number", n: "number" }, { v: "abc" });
    expect(n.entered.task.nodeId).toBe("err");
    expect(n.entered.task.data.ok).toBeUndefined();
    expect(errorOf(n.entered.task.data, "set_param")).toEqual({ type: "software", tag: "set_param_wrong_convert_param", description: "Param: n, Value: abc, Try convert to: number" });
    // A missing value casts only to string.
    expect(errorOf(set({ o: "{{missing}}" }, { o: "object" }).entered.task.data, "set_param").tag).toBe("set_param_wrong_convert_param");
    expect(errorOf(set({ l: '{"not":"an array"}' }, { l: "array" }).entered.task.data, "set_param").tag).toBe("set_param_wrong_convert_param");
  });

  it("reports a failing template function ($.math, time zone) as set_param_wrong_convert_param", () => {
    const math = set({ v: "$.math({{a}}/0)" }, {}, { a: 1 });
    expect(math.entered.task.nodeId).toBe("err");
    expect(errorOf(math.entered.task.data, "set_param")).toMatchObject({ type: "software", tag: "set_param_wrong_convert_param", description: expect.stringMatching(/\$\.math/) });
    const tz = set({ v: "$.date(%h:%i).tz('Nowhere/Atlantis')" });
    expect(errorOf(tz.entered.task.data, "set_param")).toMatchObject({ tag: "set_param_wrong_convert_param", description: expect.stringMatching(/Nowhere\/Atlantis/) });
  });

  it("refuses data over the task size limit with set_param_task_size_overflow_limit and keeps the old data", () => {
    const n = set({ blob: "{{x}}{{x}}{{x}}" }, {}, { x: "y".repeat(40) }, { options: { taskSizeLimit: 100 } });
    expect(n.entered.task.nodeId).toBe("err");
    expect(n.entered.task.data.blob).toBeUndefined();
    expect(n.entered.task.data.x).toBe("y".repeat(40));
    expect(errorOf(n.entered.task.data, "set_param")).toMatchObject({ type: "software", tag: "set_param_task_size_overflow_limit" });
  });

  it("without err_node_id keeps the failed task in the node as an error", () => {
    const n = set({ n: "x" }, { n: "number" }, {}, { withErrorExit: false });
    expect(n.entered.task).toMatchObject({ status: "waiting", nodeId: "act", waiting: { kind: "error", tag: "set_param_wrong_convert_param" } });
  });

  it("declares its error port and checks its configuration strictly", () => {
    expect(setParamBlock.ports({ type: "set_param", extra: {}, err_node_id: "e" })).toEqual([{ kind: "error", target: "e" }]);
    expect(setParamBlock.ports({ type: "set_param", extra: {} })).toEqual([]);
    const config = (l: Record<string, unknown>) => setParamBlock.configSchema.safeParse({ type: "set_param", ...l }).success;
    expect(config({ extra: { a: "1" }, extra_type: { a: "number" } })).toBe(true);
    expect(config({ extra: { "": "1" }, extra_type: { "": "string" } })).toBe(false);
    expect(config({ extra: { a: 1 }, extra_type: { a: "number" } })).toBe(false);
    expect(config({ extra: { a: "1" }, extra_type: { a: "integer" } })).toBe(false);
  });
});
