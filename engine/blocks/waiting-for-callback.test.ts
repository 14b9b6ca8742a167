import { describe, expect, it } from "vitest";
import { buildScheme, fakeClock, finalNode, go, logicNode, startNode, timeLimit, when } from "../testing/builders.ts";
import { errorOf, singleNode } from "../testing/single-node.ts";
import { newTask } from "../runtime/new-task.ts";
import { step } from "../runtime/step.ts";
import { callbackBlock } from "./waiting-for-callback.ts";

const DAY_MS = 86_400_000;
const wait = (data: Record<string, unknown> = { order: 1, nested: { a: 1, b: 2 } }, opts: Parameters<typeof singleNode>[2] = {}) =>
  singleNode({ type: "api_callback", is_sync: true }, data, opts);

describe("Waiting for Callback (api_callback)", () => {
  it("parks the task and arms the default callback limit (1 day) when the node has no time limit", () => {
    const n = wait();
    const now = n.clock.now();
    expect(n.entered.task).toMatchObject({ status: "waiting", nodeId: "act", waiting: { kind: "callback", nodeId: "act", visit: 1, logicIndex: 0, since: now } });
    expect(n.entered.commands).toEqual([
      { key: "timer:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "scheduleTimer", fireAt: now + DAY_MS, reason: "callback_limit" },
    ]);
    expect(n.entered.task.endTime).toBe(Math.floor((now + DAY_MS) / 1000));
  });

  it("uses the node's own time limit instead, and no timer at all when the default is disabled", () => {
    const limited = wait({}, { semaphors: [timeLimit(5, "ok", "min")] });
    expect(limited.entered.commands).toMatchObject([{ type: "scheduleTimer", reason: "time_limit", fireAt: limited.clock.now() + 300_000 }]);
    const unlimited = wait({}, { options: { callbackDefaultLimitSec: 0 } });
    expect(unlimited.entered.commands).toEqual([]);
    expect(unlimited.entered.task.timer).toBeUndefined();
  });

  it("merges a callback's data shallowly, runs the rest of the node and cancels the limit", () => {
    const n = wait();
    n.clock.advance(60_000);
    const res = n.send({ type: "callback", data: { approved: true, nested: { c: 3 } }, userId: 42 });
    expect(res.ignored).toBeUndefined();
    // New keys added, existing ones replaced whole (not deep-merged).
    expect(res.task).toMatchObject({ status: "finished", nodeId: "ok", userId: 42, data: { order: 1, approved: true, nested: { c: 3 } } });
    expect(res.task.data.nested).toEqual({ c: 3 });
    expect(res.task.changeTime).toBe(Math.floor(n.clock.now() / 1000));
    expect(res.commands).toEqual([{ key: "cancelTimer:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "cancelTimer", timerKey: "timer:t1:act:1" }]);
    expect(res.trail.map((e) => [e.nodeId, e.via, e.outcome])).toEqual([["act", "resume", "passed"], ["ok", "next", "finished"]]);
  });

  it("refuses a callback addressed to another node, one over the size limit, and results of other blocks", () => {
    const n = wait({ order: 1 }, { options: { taskSizeLimit: 200 } });
    const parked = n.last().task;
    const other = n.send({ type: "callback", data: { x: 1 }, nodeId: "elsewhere" });
    expect(other.ignored).toEqual({ reason: "task_in_another_node", tag: "task_not_in_current_sync_callback_node" });
    expect(other.task).toBe(parked);
    expect(n.send({ type: "callback", data: { blob: "x".repeat(300) } }).ignored).toEqual({ reason: "task_size_overflow", tag: "task_size_overflow_limit" });
    expect(n.send({ type: "httpResult", nodeId: "act", visit: 1, status: 200, headers: {}, body: "{}" }).ignored?.reason).toBe("api_callback_does_not_take_httpResult");
    expect(n.send({ type: "rpcReply", nodeId: "act", visit: 1, data: {} }).ignored?.reason).toBe("api_callback_does_not_take_rpcReply");
    expect(n.last().task).toBe(parked);
    // Addressed to its own node it is accepted.
    expect(n.send({ type: "callback", data: { x: 1 }, nodeId: "act" }).task.nodeId).toBe("ok");
    // A finished task takes no more callbacks.
    expect(n.send({ type: "callback", data: {} }).ignored).toEqual({ reason: "task_finished", tag: "not_found_task" });
  });

  it("on the default limit takes err_node_id with callback_limit_exceeded, or stops the task without one", () => {
    const n = wait();
    const res = n.send({ type: "timer", nodeId: "act", visit: 1 });
    expect(res.task).toMatchObject({ status: "finished", nodeId: "err" });
    expect(errorOf(res.task.data, "callback")).toEqual({ type: "software", tag: "callback_limit_exceeded", description: "no callback within 86400 s" });
    // A callback after the limit is refused.
    expect(n.send({ type: "callback", data: {} }).ignored?.tag).toBe("not_found_task");

    const bare = wait({}, { withErrorExit: false, options: { callbackDefaultLimitSec: 60 } });
    expect(bare.entered.commands).toMatchObject([{ type: "scheduleTimer", fireAt: bare.clock.now() + 60_000 }]);
    const stopped = bare.send({ type: "timer", nodeId: "act", visit: 1 });
    expect(stopped.task).toMatchObject({ status: "finished", finalKind: "stopped", nodeId: "act", data: { __conveyor_callback_return_type_tag__: "callback_limit_exceeded" } });
  });

  it("ignores a timer of another visit", () => {
    const n = wait();
    expect(n.send({ type: "timer", nodeId: "act", visit: 2 }).ignored?.reason).toBe("stale_timer");
    expect(n.last().task.status).toBe("waiting");
  });

  it("declares its error port, blocks, and takes no result events (the reducer handles callbacks)", () => {
    expect(callbackBlock.ports({ type: "api_callback", err_node_id: "late" })).toEqual([{ kind: "error", target: "late" }]);
    expect(callbackBlock.ports({ type: "api_callback" })).toEqual([]);
    expect(callbackBlock.blocking).toBe(true);
    expect(callbackBlock.errorPrefix).toBe("callback");
    expect(callbackBlock.accepts).toEqual([]);
    expect(callbackBlock.configSchema.safeParse({ type: "api_callback", is_sync: true, obj_id_path: "id" }).success).toBe(true);
    expect(callbackBlock.configSchema.safeParse({ type: "api_callback", is_sync: "yes" }).success).toBe(false);
  });
});

describe("Set State (api_callback + conditions + go back to itself)", () => {
  /*
   *   Start ─▶ state ⟲ (api_callback; status == done ─▶ done ✓; go state)
   */
  const scheme = buildScheme(
    startNode("s", "state"),
    logicNode("state", [{ type: "api_callback" }, when("done", ["status", "eq", "done"]), go("state")], [], "State"),
    finalNode("done"),
  );
  const enter = (data: Record<string, unknown>) => {
    const clock = fakeClock();
    const first = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data, clock }), event: { type: "enter" }, clock });
    return { clock, first };
  };

  it("parks on entry even when a condition would already match, and arms no default limit", () => {
    const { first } = enter({ status: "done" });
    expect(first.task).toMatchObject({ status: "waiting", nodeId: "state", waiting: { kind: "callback" } });
    expect(first.commands).toEqual([]);
    expect(first.task.timer).toBeUndefined();
  });

  it("stays on the same visit after a callback that matches nothing, resetting the loop guard; moves on a match", () => {
    const { clock, first } = enter({ status: "new" });
    let task = first.task;
    for (let i = 0; i < 60; i++) {
      const res = step({ scheme, task, event: { type: "callback", data: { status: `step-${i}` } }, clock });
      expect(res.ignored).toBeUndefined();
      task = res.task;
    }
    // 60 callbacks: more than the loop limit of entries, but a stay is not a new visit.
    expect(task).toMatchObject({ status: "waiting", nodeId: "state", visits: { s: 1, state: 1 }, loopVisits: {}, waiting: { kind: "callback", visit: 1 }, data: { status: "step-59" } });
    const moved = step({ scheme, task, event: { type: "callback", data: { status: "done" } }, clock });
    expect(moved.task).toMatchObject({ status: "finished", nodeId: "done" });
    expect(moved.trail.map((e) => [e.nodeId, e.via])).toEqual([["state", "resume"], ["done", "condition"]]);
  });
});
