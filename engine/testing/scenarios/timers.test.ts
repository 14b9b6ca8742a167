/*
 *   Start ─▶ delay (time limit 30 s) ─▶ check ──round < 2──▶ bump (round + 1) ─▶ delay
 *                                         └─default─▶ done ✓
 */
import { describe, expect, it } from "vitest";
import { newTask } from "../../runtime/new-task.ts";
import { step } from "../../runtime/step.ts";
import { buildScheme, fakeClock, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const looping = buildScheme(
  startNode("s", "delay"),
  logicNode("delay", [], [timeLimit(30, "check")]),
  logicNode("check", [when("bump", ["round", "less", "2", "number"]), go("done")]),
  logicNode("bump", [setParam({ round: "$.math({{round}}+1)" }, undefined, { round: "number" }), go("delay")]),
  finalNode("done"),
);

describe("scenario: timers", () => {
  it("waits in a Delay node and fires only for the same visit", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme: looping }] });
    const t = w.createTask("p", { round: 0 });
    expect(t).toMatchObject({ status: "waiting", nodeId: "delay", waiting: { kind: "delay", logicIndex: -1 } });
    expect(w.commands[0]).toMatchObject({ type: "scheduleTimer", key: "timer:t1:delay:1", visit: 1, fireAt: w.clock.now() + 30_000, reason: "time_limit" });

    w.advance(30_000);
    expect(w.task(t.id)).toMatchObject({ nodeId: "delay", visits: { delay: 2 }, data: { round: 1 } });
    // The first timer again (a redelivered job): the task is in the node, but on visit 2.
    const stale = w.dispatch(t.id, { type: "timer", nodeId: "delay", visit: 1 });
    expect(stale?.ignored?.reason).toBe("stale_timer");
    expect(w.task(t.id).visits.delay).toBe(2);

    w.advance(30_000);
    w.advance(30_000);
    expect(w.task(t.id)).toMatchObject({ status: "finished", nodeId: "done", data: { round: 2 } });
  });

  it("raises a static value under the minimum to it, and multiplies dimensions", () => {
    const clock = fakeClock();
    const fireAt = (value: number | string, dimension: string, options = {}) => {
      const scheme = buildScheme(startNode("s", "d"), logicNode("d", [], [timeLimit(value, "e", dimension)]), finalNode("e"));
      const res = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data: { at: 0 }, clock }), event: { type: "enter" }, clock, options });
      return (res.commands[0] as { fireAt: number }).fireAt - clock.now();
    };
    expect(fireAt(5, "sec")).toBe(30_000);
    expect(fireAt(5, "sec", { minTimerSec: 1 })).toBe(5_000);
    expect(fireAt("2", "min")).toBe(120_000);
    expect(fireAt(1, "hour")).toBe(3_600_000);
    expect(fireAt(1, "day")).toBe(86_400_000);
  });

  /*
   *   Start ─▶ wait (time limit {{fire_at}}: an absolute unix time) ─▶ e ✓
   */
  it("reads a dynamic value as an absolute unix time, sooner than the minimum if need be", () => {
    const dyn = buildScheme(startNode("s", "wait"), logicNode("wait", [], [timeLimit("{{fire_at}}", "e")]), finalNode("e"));
    const w = new FakeWorld({ processes: [{ id: "p", scheme: dyn }] });
    const nowSec = Math.floor(w.clock.now() / 1000);
    const t = w.createTask("p", { fire_at: nowSec + 5 });
    expect(t.endTime).toBe(nowSec + 5);
    w.advance(4_999);
    expect(w.task(t.id).nodeId).toBe("wait");
    w.advance(1);
    expect(w.task(t.id).nodeId).toBe("e");

    const past = w.createTask("p", { fire_at: nowSec - 100 });
    expect(w.commands.at(-1)).toMatchObject({ type: "scheduleTimer", fireAt: w.clock.now() });
    w.advance(0);
    expect(w.task(past.id).nodeId).toBe("e");
  });

  it("sets no timer, and says why in the trail, when a dynamic value is not a unix time", () => {
    const dyn = buildScheme(startNode("s", "wait"), logicNode("wait", [], [timeLimit("{{fire_at}}", "e")]), finalNode("e"));
    const w = new FakeWorld({ processes: [{ id: "p", scheme: dyn }] });
    const t = w.createTask("p", { fire_at: "tomorrow" });
    expect(w.timers.size).toBe(0);
    expect(w.trails.get(t.id)!.at(-1)!.note).toBe('time limit not set: "tomorrow" is not a unix time');
  });

  /*
   *   Start ─▶ call: API Call (time limit 30 s ─▶ slow ✗) ─▶ ok ✓
   */
  it("moves a task waiting for an API answer on its time limit and ignores the late answer", () => {
    const api = buildScheme(
      startNode("s", "call"),
      logicNode("call", [{ type: "api", method: "GET", url: "https://x.test/", err_node_id: "slow" }, go("ok")], [timeLimit(30, "slow")]),
      finalNode("ok"), finalNode("slow", "error"),
    );
    const clock = fakeClock();
    const parked = step({ scheme: api, task: newTask({ id: "t", processId: "p", scheme: api, data: {}, clock }), event: { type: "enter" }, clock });
    clock.advance(30_000);
    const fired = step({ scheme: api, task: parked.task, event: { type: "timer", nodeId: "call", visit: 1 }, clock });
    expect(fired.task).toMatchObject({ nodeId: "slow", status: "finished" });
    const late = step({ scheme: api, task: fired.task, event: { type: "httpResult", nodeId: "call", visit: 1, status: 200, headers: {}, body: "{}" }, clock });
    expect(late.ignored?.reason).toBe("task_finished");
  });
});
