import { describe, expect, it } from "vitest";
import { newTask } from "../runtime/new-task.ts";
import { step } from "../runtime/step.ts";
import { buildScheme, fakeClock, finalNode, go, logicNode, startNode } from "../testing/builders.ts";

const parent = { taskId: "caller", processId: "pc", nodeId: "call", visit: 3 };

function reply(logic: Record<string, unknown>, data: Record<string, unknown>, withParent = true) {
  const scheme = buildScheme(startNode("s", "r"), logicNode("r", [{ type: "api_rpc_reply", ...logic, err_node_id: "e" }, go("f")]), finalNode("f"), finalNode("e", "error"));
  const clock = fakeClock();
  const task = newTask({ id: "child", processId: "pk", scheme, data, clock, ...(withParent ? { parent } : {}) });
  return step({ scheme, task, event: { type: "enter" }, clock });
}

describe("Reply to Process (api_rpc_reply)", () => {
  it("replies key_value res_data, typed, to the caller and carries on", () => {
    const res = reply({ mode: "key_value", res_data: { total: "{{a}}", who: "x" }, res_data_type: { total: "number" } }, { a: "7" });
    expect(res.task.nodeId).toBe("f");
    expect(res.commands).toEqual([{ key: "rpcReply:child:r:1", taskId: "child", processId: "pk", nodeId: "r", visit: 1, type: "rpcReply", to: parent, data: { total: 7, who: "x" } }]);
  });

  it("replies the listed task keys in keys mode", () => {
    const res = reply({ mode: "keys", res_data: ["a", "b.c", "missing"] }, { a: 1, b: { c: 2 }, z: 3 });
    expect(res.commands[0]).toMatchObject({ data: { a: 1, "b.c": 2 } });
  });

  it("sends an exception with the rendered reason", () => {
    const res = reply({ mode: "key_value", res_data: {}, throw_exception: true, exception_reason: "bad {{why}}" }, { why: "input" });
    expect(res.commands[0]).toMatchObject({ data: {}, exception: { reason: "bad input" } });
  });

  it("does nothing for a task nobody called", () => {
    const res = reply({ mode: "key_value", res_data: { a: "1" } }, {}, false);
    expect(res.commands).toEqual([]);
    expect(res.task.nodeId).toBe("f");
  });

  it("fails with rpc_reply_wrong_convert_param when a value does not cast", () => {
    const res = reply({ mode: "key_value", res_data: { n: "{{a}}" }, res_data_type: { n: "number" } }, { a: "x" });
    expect(res.commands).toEqual([]);
    expect(res.task.data.__conveyor_rpc_reply_return_type_tag__).toBe("rpc_reply_wrong_convert_param");
  });
});
