import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";

describe("Sum (api_sum)", () => {
  it("emits one sumAdd per entry and continues at once", () => {
    const n = singleNode({ type: "api_sum", extra: [{ id: "amount", name: "Amount", value: "{{amount}}" }, { id: "count", name: "Count", value: "1" }] }, { amount: "12.5" });
    expect(n.entered.task.nodeId).toBe("ok");
    expect(n.entered.commands).toEqual([
      { key: "sumAdd:t1:act:1:0", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "sumAdd", sumId: "amount", name: "Amount", value: 12.5 },
      { key: "sumAdd:t1:act:1:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "sumAdd", sumId: "count", name: "Count", value: 1 },
    ]);
  });

  it("fails with api_sum_wrong_convert_param on a non-number, sending nothing", () => {
    const n = singleNode({ type: "api_sum", extra: [{ id: "amount", value: "{{amount}}" }] }, { amount: "lots" });
    expect(n.entered.commands).toEqual([]);
    expect(errorOf(n.entered.task.data, "api_sum")).toEqual({ type: "software", tag: "api_sum_wrong_convert_param", description: "Param: amount, Value: lots, Try convert to: number" });
  });
});
