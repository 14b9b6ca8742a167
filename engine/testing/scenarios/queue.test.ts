/*
 *   producer (p-jobs)                          consumer (p-work)
 *   Start ─▶ jobs: Queue {source:"q1"} ─▶ done ✓    Start ─▶ take: Get from Queue p-jobs/jobs (ASC|DESC) ─▶ got ✓
 *               (time limit 1 h ─▶ expired ✗)                     └─error─▶ empty ✗
 */
import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const producer = buildScheme(
  startNode("s", "jobs"),
  logicNode("jobs", [{ type: "api_queue", data: { source: "q{{n}}", n2: "{{n}}" }, data_type: { source: "string", n2: "number" } }, go("done")], [timeLimit(1, "expired", "hour")]),
  finalNode("done"),
  finalNode("expired", "error"),
);

const consumer = (order: "ASC" | "DESC") =>
  buildScheme(
    startNode("s", "take"),
    logicNode("take", [{ type: "api_get_task", conv_id: "p-jobs", node_id: "jobs", order_by: order, err_node_id: "empty" }, go("got")]),
    finalNode("got"),
    finalNode("empty", "error"),
  );

function world(order: "ASC" | "DESC") {
  return new FakeWorld({ processes: [{ id: "p-jobs", scheme: producer }, { id: "p-work", scheme: consumer(order) }] });
}

describe("scenario: Queue and Get from Queue", () => {
  it("holds queued tasks and hands them out oldest first (ASC, FIFO)", () => {
    const w = world("ASC");
    const a = w.createTask("p-jobs", { n: 1 });
    w.advance(1_000);
    const b = w.createTask("p-jobs", { n: 2 });
    expect(w.task(a.id)).toMatchObject({ status: "waiting", nodeId: "jobs", waiting: { kind: "queue", data: { source: "q1", n2: 1 } } });

    const r1 = w.createTask("p-work", {});
    expect(r1).toMatchObject({ nodeId: "got", data: { __queue_task_id__: a.id, __queue_task_data__: { n: 1, source: "q1", n2: 1 } } });
    expect(w.task(a.id)).toMatchObject({ status: "finished", nodeId: "done" });
    expect(w.task(b.id).status).toBe("waiting");

    const r2 = w.createTask("p-work", {});
    expect(r2.data.__queue_task_id__).toBe(b.id);
  });

  it("hands out the newest first with DESC (LIFO)", () => {
    const w = world("DESC");
    w.createTask("p-jobs", { n: 1 });
    w.advance(1_000);
    const b = w.createTask("p-jobs", { n: 2 });
    expect(w.createTask("p-work", {}).data.__queue_task_id__).toBe(b.id);
  });

  it("fails with get_task_executing_error / not_found_task on an empty queue", () => {
    const w = world("ASC");
    const r = w.createTask("p-work", {});
    expect(r.nodeId).toBe("empty");
    expect(r.data).toMatchObject({
      __conveyor_get_task_return_type_error__: "software",
      __conveyor_get_task_return_type_tag__: "get_task_executing_error",
      __conveyor_get_task_return_description__: "not_found_task",
    });
  });

  it("fails with queue_wrong_logic when the node is not a queue", () => {
    const wrong = buildScheme(
      startNode("s", "take"),
      logicNode("take", [{ type: "api_get_task", conv_id: "p-jobs", node_id: "done", order_by: "ASC", err_node_id: "empty" }, go("got")]),
      finalNode("got"), finalNode("empty", "error"),
    );
    const w = new FakeWorld({ processes: [{ id: "p-jobs", scheme: producer }, { id: "x", scheme: wrong }] });
    expect(w.createTask("x", {}).data.__conveyor_queue_return_type_tag__).toBe("queue_wrong_logic");
  });

  it("releases a queued task through the queue node's time limit", () => {
    const w = world("ASC");
    const a = w.createTask("p-jobs", { n: 1 });
    w.advance(3_600_000);
    expect(w.task(a.id)).toMatchObject({ status: "finished", nodeId: "expired" });
    expect(w.createTask("p-work", {}).nodeId).toBe("empty");
  });
});
