import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const get = () => singleNode({ type: "api_get_task", conv_id: "{{conv}}", node_id: "{{queue}}", order_by: "DESC" }, { conv: "12", queue: "q1" });

describe("Get from Queue (api_get_task)", () => {
  it("asks for a task from the rendered process and node in the given order", () => {
    expect(get().entered.commands).toEqual([{ key: "getFromQueue:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "getFromQueue", convId: "12", queueNodeId: "q1", order: "DESC" }]);
  });

  it.each([
    ["access_denied", "get_task", "get_task_executing_error", "software", "access_denied"],
    ["get_task_fatal_error", "get_task", "get_task_fatal_error", "hardware", "get_task_fatal_error"],
    ["queue_wrong_logic", "queue", "queue_wrong_logic", "software", "the node is not a queue"],
  ])("maps the worker's %s", (errorTag, prefix, tag, type, description) => {
    const res = get().send({ type: "queueResult", ...at, errorTag });
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, prefix)).toEqual({ type, tag, description });
  });
});
