import { describe, expect, it } from "vitest";
import { buildScheme, fakeClock, finalNode, go, logicNode, setParam, startNode, when } from "../testing/builders.ts";
import { newTask } from "./new-task.ts";
import { step } from "./step.ts";
import type { TaskSnapshot } from "./task.ts";

function start(scheme: ReturnType<typeof buildScheme>, data: Record<string, unknown>, clock = fakeClock()) {
  const task = newTask({ id: "t1", processId: "p1", scheme, data, clock });
  return step({ scheme, task, event: { type: "enter" }, clock });
}

describe("step: enter, instant logics, finish", () => {
  /*
   *   Start ─▶ classify ──amount > 100──▶ big (set size=big) ─▶ done ✓
   *                │
   *                └─default─▶ small (set size=small) ─▶ done ✓
   */
  const scheme = buildScheme(
    startNode("s", "classify"),
    logicNode("classify", [when("big", ["amount", "more", "100", "number"]), go("small")]),
    logicNode("big", [setParam({ size: "big", seen: "{{amount}}" }), go("done")]),
    logicNode("small", [setParam({ size: "small" }), go("done")]),
    finalNode("done"),
  );

  it("runs instant logics inline until a final node and records the trail", () => {
    const res = start(scheme, { amount: 150 });
    expect(res.task.status).toBe("finished");
    expect(res.task.finalKind).toBe("success");
    expect(res.task.nodeId).toBe("done");
    expect(res.task.prevNodeId).toBe("big");
    expect(res.task.data).toEqual({ amount: 150, size: "big", seen: "150" });
    expect(res.trail.map((e) => [e.nodeId, e.via])).toEqual([
      ["s", "enter"], ["classify", "next"], ["big", "condition"], ["done", "next"],
    ]);
    expect(res.trail[2].branch).toBe(0);
    expect(res.trail[2].data).toEqual({ amount: 150, size: "big", seen: "150" });
    expect(res.trail[1].data).toEqual({ amount: 150 });
    expect(res.commands).toEqual([]);
  });

  it("takes the trailing go when no condition matches", () => {
    const res = start(scheme, { amount: 50 });
    expect(res.task.nodeId).toBe("done");
    expect(res.task.data.size).toBe("small");
    expect(res.task.visits).toEqual({ s: 1, classify: 1, small: 1, done: 1 });
  });

  it("does not mutate the input task", () => {
    const clock = fakeClock();
    const task = newTask({ id: "t1", processId: "p1", scheme, data: { amount: 150 }, clock });
    const frozen = structuredClone(task);
    step({ scheme, task, event: { type: "enter" }, clock });
    expect(task).toEqual(frozen);
  });

  it("ignores any event for a finished task", () => {
    const clock = fakeClock();
    const done = start(scheme, { amount: 1 }, clock).task;
    const again = step({ scheme, task: done, event: { type: "enter" }, clock });
    expect(again.ignored).toEqual({ reason: "task_finished", tag: "not_found_task" });
    expect(again.task).toBe(done);
  });

  it("marks the final kind from the final node's icon", () => {
    const s = buildScheme(startNode("s", "bad"), finalNode("bad", "error"));
    expect(start(s, {}).task.finalKind).toBe("error");
  });
});

describe("step: errors of an action logic", () => {
  /*
   *   Start ─▶ cast (n:number = {{text}}) ─▶ ok ✓
   *                  └─error─▶ failed ✗
   */
  it("moves to err_node_id with Corezoid's error fields", () => {
    const scheme = buildScheme(
      startNode("s", "cast"),
      logicNode("cast", [setParam({ n: "{{text}}" }, "failed", { n: "number" }), go("ok")]),
      finalNode("ok"),
      finalNode("failed", "error"),
    );
    const res = start(scheme, { text: "abc" });
    expect(res.task.nodeId).toBe("failed");
    expect(res.task.finalKind).toBe("error");
    expect(res.task.data).toMatchObject({
      __conveyor_set_param_return_type_error__: "software",
      __conveyor_set_param_return_type_tag__: "set_param_wrong_convert_param",
      __conveyor_set_param_return_description__: "Param: n, Value: abc, Try convert to: number",
    });
    expect(res.trail[1]).toMatchObject({ nodeId: "cast", error: { prefix: "set_param", tag: "set_param_wrong_convert_param" } });
    expect(res.trail[2].via).toBe("error");
  });

  it("keeps the task in the node, waiting as an error, when there is no err_node_id", () => {
    const scheme = buildScheme(
      startNode("s", "cast"),
      logicNode("cast", [setParam({ n: "{{text}}" }, undefined, { n: "number" }), go("ok")]),
      finalNode("ok"),
    );
    const res = start(scheme, { text: "abc" });
    expect(res.task.status).toBe("waiting");
    expect(res.task.nodeId).toBe("cast");
    expect(res.task.waiting).toMatchObject({ kind: "error", tag: "set_param_wrong_convert_param", logicIndex: 0, visit: 1 });
    expect(res.task.data.__conveyor_set_param_return_type_tag__).toBe("set_param_wrong_convert_param");
  });

  it("refuses data over the task size limit with <logic>_task_size_overflow_limit", () => {
    const scheme = buildScheme(
      startNode("s", "grow"),
      logicNode("grow", [setParam({ big: "{{blob}}{{blob}}{{blob}}" }, "failed"), go("ok")]),
      finalNode("ok"),
      finalNode("failed", "error"),
    );
    const clock = fakeClock();
    const task = newTask({ id: "t1", processId: "p1", scheme, data: { blob: "x".repeat(400) }, clock });
    const res = step({ scheme, task, event: { type: "enter" }, clock, options: { taskSizeLimit: 1000 } });
    expect(res.task.nodeId).toBe("failed");
    expect(res.task.data.big).toBeUndefined();
    expect(res.task.data.__conveyor_set_param_return_type_tag__).toBe("set_param_task_size_overflow_limit");
    const roomy = step({ scheme, task, event: { type: "enter" }, clock, options: { taskSizeLimit: 10_000 } });
    expect(roomy.task.nodeId).toBe("ok");
  });
});

describe("step: loop guard", () => {
  /*
   *   Start ─▶ inc (n = n + 1) ─▶ check ──n < 1000──▶ inc   (a loop that would run 1000 times)
   *                                  └─default─▶ done ✓
   */
  const scheme = buildScheme(
    startNode("s", "inc"),
    logicNode("inc", [setParam({ n: "$.math({{n}}+1)" }, undefined, { n: "number" }), go("check")]),
    logicNode("check", [when("inc", ["n", "less", "1000", "number"]), go("done")]),
    finalNode("done"),
  );

  it("stops the task when a node is entered more than 50 times", () => {
    const res = start(scheme, { n: 0 });
    expect(res.task.status).toBe("finished");
    expect(res.task.finalKind).toBe("stopped");
    expect(res.task.nodeId).toBe("inc");
    expect(res.task.visits.inc).toBe(51);
    expect(res.task.data.n).toBe(50);
    expect(res.task.data).toMatchObject({
      __conveyor_task_return_type_error__: "software",
      __conveyor_task_return_type_tag__: "loop_limit_exceeded",
    });
    expect(res.trail[res.trail.length - 1]).toMatchObject({ nodeId: "inc", outcome: "stopped" });
  });

  it("lets a loop finish under the limit and honours a configured limit", () => {
    expect(start(scheme, { n: 990 }).task.nodeId).toBe("done");
    const clock = fakeClock();
    const task = newTask({ id: "t", processId: "p", scheme, data: { n: 990 }, clock });
    expect(step({ scheme, task, event: { type: "enter" }, clock, options: { loopLimit: 5 } }).task.finalKind).toBe("stopped");
  });
});

describe("step: broken links", () => {
  it("stops a task sent to a node that does not exist", () => {
    const scheme = buildScheme(startNode("s", "ghost"));
    const res = start(scheme, {});
    expect(res.task).toMatchObject({ status: "finished", finalKind: "stopped", nodeId: "ghost" } satisfies Partial<TaskSnapshot>);
    expect(res.task.data.__conveyor_task_return_type_tag__).toBe("node_not_found");
  });
});

describe("step: events that do not apply", () => {
  /*
   *   Start ─▶ call: API Call (time limit 60 s ─▶ late ✗) ─▶ ok ✓
   */
  const scheme = buildScheme(
    startNode("s", "call"),
    logicNode("call", [{ type: "api", method: "GET", url: "https://x.test/", err_node_id: "late" }, go("ok")], [{ type: "time", value: 60, dimension: "sec", to_node_id: "late" }]),
    finalNode("ok"),
    finalNode("late", "error"),
  );
  const clock = fakeClock();
  const parked = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data: {}, clock }), event: { type: "enter" }, clock }).task;

  it.each([
    [{ type: "enter" } as const, "task_is_waiting"],
    [{ type: "codeResult", nodeId: "call", visit: 1, data: {} } as const, "api_does_not_take_codeResult"],
    [{ type: "timer", nodeId: "call", visit: 2 } as const, "stale_timer"],
    [{ type: "timer", nodeId: "ok", visit: 1 } as const, "stale_timer"],
    [{ type: "callback", data: {} } as const, "task_not_waiting_for_callback"],
  ])("ignores %o (%s) and returns the task unchanged", (event, reason) => {
    const res = step({ scheme, task: parked, event, clock });
    expect(res.ignored?.reason).toBe(reason);
    expect(res.task).toBe(parked);
    expect(res.commands).toEqual([]);
    expect(res.trail).toEqual([]);
  });

  it("schedules the time limit once and keys it by task, node and visit", () => {
    const first = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data: {}, clock }), event: { type: "enter" }, clock });
    expect(first.commands.map((c) => c.key)).toEqual(["httpCall:t:call:1", "timer:t:call:1"]);
    expect(first.task.timer).toEqual({ nodeId: "call", visit: 1, fireAt: clock.now() + 60_000, reason: "time_limit", key: "timer:t:call:1" });
    const answered = step({ scheme, task: first.task, event: { type: "httpResult", nodeId: "call", visit: 1, status: 200, headers: {}, body: "{}" }, clock });
    expect(answered.commands).toEqual([{ key: "cancelTimer:t:call:1", taskId: "t", processId: "p", nodeId: "call", visit: 1, type: "cancelTimer", timerKey: "timer:t:call:1" }]);
    expect(answered.task.timer).toBeUndefined();
    expect(answered.trail.map((e) => [e.nodeId, e.via, e.outcome])).toEqual([["call", "resume", "passed"], ["ok", "next", "finished"]]);
  });
});

describe("step: Set State keeps its time limit when it stays", () => {
  /*
   *   Start ─▶ state ⟲ (api_callback; status == done ─▶ end ✓; go state)   time limit 1 h ─▶ expired ✗
   */
  it("does not re-arm or re-count the node after a callback that matches nothing", () => {
    const scheme = buildScheme(
      startNode("s", "state"),
      logicNode("state", [{ type: "api_callback" }, when("end", ["status", "eq", "done"]), go("state")], [{ type: "time", value: 1, dimension: "hour", to_node_id: "expired" }]),
      finalNode("end"),
      finalNode("expired", "error"),
    );
    const clock = fakeClock();
    const parked = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data: {}, clock }), event: { type: "enter" }, clock });
    clock.advance(10_000);
    const stayed = step({ scheme, task: parked.task, event: { type: "callback", data: { status: "pending" } }, clock });
    expect(stayed.commands).toEqual([]);
    expect(stayed.task).toMatchObject({ nodeId: "state", status: "waiting", visits: { state: 1 }, timer: parked.task.timer, data: { status: "pending" } });
    const moved = step({ scheme, task: stayed.task, event: { type: "callback", data: { status: "done" } }, clock });
    expect(moved.task).toMatchObject({ nodeId: "end", status: "finished" });
    expect(moved.commands.map((c) => c.type)).toEqual(["cancelTimer"]);
  });
});
