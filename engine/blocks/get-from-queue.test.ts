import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const get = () => singleNode({ type: "api_get_task", conv_id: "{{conv}}", node_id: "{{queue}}", order_by: "DESC" }, { conv: "12", queue: "q1" });

describe("Get from Queue (api_get_task)", () => {
  it("asks for a task from the rendered process and node in the given order", () => {
    expect(get().entered.commands).toEqual([{ key: "getFromQueue:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "getFromQueue", convId: "12", queueNodeId: "q1", order: "DESC" }]);
  });

  it("fails with get_task_wrong_convert_param, asking for nothing, when the process or node template does not evaluate", () => {
    const bad = (logic: Record<string, unknown>) => {
      const n = singleNode({ type: "api_get_task", conv_id: "12", node_id: "q1", order_by: "ASC", ...logic }, { zero: 0 });
      expect(n.entered.commands).toEqual([]);
      expect(n.entered.task.nodeId).toBe("err");
      return errorOf(n.entered.task.data, "get_task");
    };
    expect(bad({ conv_id: "$.math(12/{{zero}})" })).toMatchObject({ type: "software", tag: "get_task_wrong_convert_param", description: expect.stringMatching(/\$\.math/) });
    expect(bad({ node_id: "q$.date(%h).tz('Nowhere/Atlantis')" })).toMatchObject({ type: "software", tag: "get_task_wrong_convert_param", description: expect.stringMatching(/Nowhere\/Atlantis/) });
  });

  it("reports an empty queue as get_task_executing_error / not_found_task", () => {
    const res = get().send({ type: "queueResult", ...at, empty: true });
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, "get_task")).toEqual({ type: "software", tag: "get_task_executing_error", description: "not_found_task" });
  });

  it("merges the taken task's id and data and continues", () => {
    const res = get().send({ type: "queueResult", ...at, taken: { taskId: "q-7", data: { n: 7, queued: "yes" } } });
    expect(res.task).toMatchObject({ status: "finished", nodeId: "ok", data: { conv: "12", queue: "q1", __queue_task_id__: "q-7", __queue_task_data__: { n: 7, queued: "yes" } } });
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
