/*
 *   Start ─▶ wait: Waiting for Callback ─▶ check ──approved == true──▶ ok ✓
 *              │ (time limit 10 min)          └─default─▶ rejected ✗
 *              └──────timeout──────▶ expired ✗
 */
import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const approval = buildScheme(
  startNode("s", "wait"),
  logicNode("wait", [{ type: "api_callback", is_sync: true }, go("check")], [timeLimit(10, "expired", "min")]),
  logicNode("check", [when("ok", ["approved", "eq", "true", "boolean"]), go("rejected")]),
  finalNode("ok"),
  finalNode("rejected", "error"),
  finalNode("expired", "error"),
);

describe("scenario: Waiting for Callback", () => {
  it("waits, merges the callback data, moves on and cancels the time limit", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme: approval }] });
    const t = w.createTask("p", { request: 1 }, { ref: "req-1" });
    expect(t).toMatchObject({ status: "waiting", nodeId: "wait", waiting: { kind: "callback" }, endTime: Math.floor(w.clock.now() / 1000) + 600 });
    w.advance(5 * 60_000);
    const res = w.callback({ processId: "p", ref: "req-1" }, { approved: true, by: "ann" });
    expect(res?.ignored).toBeUndefined();
    expect(w.task(t.id)).toMatchObject({ status: "finished", nodeId: "ok", data: { request: 1, approved: true, by: "ann" } });
    expect(w.timers.size).toBe(0);
    expect(w.commands.filter((c) => c.type === "cancelTimer")).toHaveLength(1);
  });

  it("takes the time limit when no callback comes", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme: approval }] });
    const t = w.createTask("p", {});
    w.advance(10 * 60_000);
    expect(w.task(t.id)).toMatchObject({ status: "finished", nodeId: "expired" });
    expect(w.trails.get(t.id)!.at(-1)).toMatchObject({ nodeId: "expired", via: "timeout" });
  });

  it("refuses a callback for another node, a finished task, or one that would exceed the size limit", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme: approval }], options: { taskSizeLimit: 200 } });
    const t = w.createTask("p", {});
    expect(w.callback({ taskId: t.id }, { approved: true }, "check")?.ignored).toEqual({ reason: "task_in_another_node", tag: "task_not_in_current_sync_callback_node" });
    expect(w.callback({ taskId: t.id }, { blob: "x".repeat(300) })?.ignored).toEqual({ reason: "task_size_overflow", tag: "task_size_overflow_limit" });
    expect(w.task(t.id).status).toBe("waiting");
    w.callback({ taskId: t.id }, { approved: false });
    expect(w.task(t.id).nodeId).toBe("rejected");
    expect(w.callback({ taskId: t.id }, { approved: true })?.ignored?.tag).toBe("not_found_task");
  });

  it("refuses a callback for a task that is not waiting for one", () => {
    const queueing = buildScheme(startNode("s", "q"), logicNode("q", [{ type: "api_queue" }, go("e")]), finalNode("e"));
    const w = new FakeWorld({ processes: [{ id: "p", scheme: queueing }] });
    const t = w.createTask("p", {});
    expect(w.callback({ taskId: t.id }, { x: 1 })?.ignored?.tag).toBe("no_api_callback_in_node_with_task");
  });

  /*
   *   Start ─▶ wait: Waiting for Callback (no time limit; err_node_id ─▶ late ✗) ─▶ ok ✓
   */
  it("applies the default callback limit (1 day) when the node has no time limit", () => {
    const withErr = buildScheme(
      startNode("s", "wait"),
      logicNode("wait", [{ type: "api_callback", err_node_id: "late" }, go("ok")]),
      finalNode("ok"), finalNode("late", "error"),
    );
    const w = new FakeWorld({ processes: [{ id: "p", scheme: withErr }] });
    const t = w.createTask("p", {});
    expect(w.commands.find((c) => c.type === "scheduleTimer")).toMatchObject({ reason: "callback_limit", fireAt: w.clock.now() + 86_400_000 });
    w.advance(86_400_000);
    expect(w.task(t.id)).toMatchObject({ nodeId: "late", data: { __conveyor_callback_return_type_tag__: "callback_limit_exceeded" } });

    const noErr = buildScheme(startNode("s", "wait"), logicNode("wait", [{ type: "api_callback" }, go("ok")]), finalNode("ok"));
    const w2 = new FakeWorld({ processes: [{ id: "p", scheme: noErr }], options: { callbackDefaultLimitSec: 3600 } });
    const t2 = w2.createTask("p", {});
    w2.advance(3_600_000);
    expect(w2.task(t2.id)).toMatchObject({ status: "finished", finalKind: "stopped", nodeId: "wait" });
  });
});
