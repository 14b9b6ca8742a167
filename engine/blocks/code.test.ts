import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const code = (data: Record<string, unknown> = { a: 1, b: 2 }, options = {}) =>
  singleNode({ type: "api_code", lang: "js", src: "data.sum = data.a + data.b;" }, data, { options });

describe("Code (api_code)", () => {
  it("asks the worker to run the source over the task data and parks", () => {
    const n = code();
    expect(n.entered.commands).toEqual([
      { key: "runCode:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "runCode", lang: "js", src: "data.sum = data.a + data.b;", data: { a: 1, b: 2 }, timeoutMs: 1000 },
    ]);
    expect(n.entered.task.waiting?.kind).toBe("code");
  });

  it("merges the returned data and continues", () => {
    const res = code().send({ type: "codeResult", ...at, data: { a: 1, b: 2, sum: 3 } });
    expect(res.task).toMatchObject({ nodeId: "ok", data: { a: 1, b: 2, sum: 3 } });
  });

  it.each([
    ["timeout", "code_timeout", "hardware"],
    ["executing_error", "code_executing_error", "software"],
    ["return_format_error", "code_return_format_error", "software"],
  ] as const)("maps %s to %s (%s)", (error, tag, type) => {
    const res = code().send({ type: "codeResult", ...at, error, description: "boom" });
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, "code")).toEqual({ type, tag, description: "boom" });
  });

  it("rejects a result that is not an object", () => {
    const res = code().send({ type: "codeResult", ...at, data: [1, 2] });
    expect(errorOf(res.task.data, "code").tag).toBe("code_return_format_error");
  });

  it("refuses a result over the task size limit", () => {
    const res = code({ a: 1 }, { taskSizeLimit: 50 }).send({ type: "codeResult", ...at, data: { big: "y".repeat(100) } });
    expect(errorOf(res.task.data, "code").tag).toBe("code_task_size_overflow_limit");
    expect(res.task.data.big).toBeUndefined();
  });
});
