import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const call = (extra: Record<string, unknown> = {}, data: Record<string, unknown> = { a: 1 }, options = {}) =>
  singleNode({ type: "api_rpc", conv_id: "{{target}}", group: "all", extra: {}, extra_type: {}, ...extra }, { target: "9", ...data }, { options });

describe("Call a Process (api_rpc)", () => {
  it("creates the child with a parent to reply to and waits", () => {
    const n = call();
    expect(n.entered.commands).toEqual([{
      key: "createTask:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "createTask", purpose: "rpc",
      convId: "9", ref: null, data: { target: "9", a: 1 }, parent: { taskId: "t1", processId: "p1", nodeId: "act", visit: 1 },
    }]);
    expect(n.entered.task.waiting?.kind).toBe("rpc");
    // Creation succeeded: still waiting for the reply.
    expect(n.send({ type: "copyResult", ...at, ok: true, taskId: "c1" }).ignored?.reason).toBe("child_created");
    expect(n.send({ type: "rpcReply", ...at, data: { r: 2 } }).task).toMatchObject({ nodeId: "ok", data: { a: 1, r: 2 } });
  });

  it("fails with rpc_task_wrong_convert_param, rpc_task_size_overflow and creation errors", () => {
    expect(errorOf(call({ extra: { n: "{{a}}x" }, extra_type: { n: "number" } }).entered.task.data, "rpc").tag).toBe("rpc_task_wrong_convert_param");
    expect(errorOf(call({}, { blob: "b".repeat(300) }, { taskSizeLimit: 200 }).entered.task.data, "rpc").tag).toBe("rpc_task_size_overflow");
    expect(errorOf(call().send({ type: "copyResult", ...at, ok: false, errorTag: "conveyor_is_not_active" }).task.data, "rpc")).toEqual({ type: "software", tag: "conveyor_is_not_active", description: "conveyor_is_not_active" });
    expect(errorOf(call().send({ type: "copyResult", ...at, ok: false, errorTag: "rpc_task_fatal_error" }).task.data, "rpc").type).toBe("hardware");
  });

  it("refuses a reply that would exceed the task size limit", () => {
    const res = call({}, {}, { taskSizeLimit: 200 }).send({ type: "rpcReply", ...at, data: { big: "r".repeat(300) } });
    expect(res.task.data.big).toBeUndefined();
    expect(errorOf(res.task.data, "rpc").tag).toBe("rpc_task_size_overflow");
  });
});

describe("Queue (api_queue)", () => {
  it("parks with the rendered queue data, moves on when taken, fails on a bad cast", () => {
    const n = singleNode({ type: "api_queue", data: { prio: "{{p}}" }, data_type: { prio: "number" } }, { p: "3" });
    expect(n.entered.task.waiting).toMatchObject({ kind: "queue", data: { prio: 3 } });
    expect(n.send({ type: "queueTaken", nodeId: "act", visit: 1 }).task.nodeId).toBe("ok");
    const bad = singleNode({ type: "api_queue", data: { prio: "{{p}}" }, data_type: { prio: "number" } }, { p: "high" }, { withErrorExit: false });
    expect(bad.entered.task.waiting).toMatchObject({ kind: "error", tag: "queue_wrong_convert_param" });
  });
});
