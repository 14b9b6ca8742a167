/*
 *   Start ─▶ hold: Waiting for Callback (task counter ≥ 2 ─▶ alarm) ─▶ done ✓
 *   alarm (escalation) ──start == true──▶ raise: Notify "backlog" ─▶ end ✓
 *                      └─default─▶ clear: Notify "backlog cleared" ─▶ end ✓
 */
import { describe, expect, it } from "vitest";
import { countSignal } from "../../runtime/count-semaphor.ts";
import { buildScheme, escalationNode, finalNode, go, logicNode, startNode, timeLimit, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const scheme = buildScheme(
  startNode("s", "hold"),
  logicNode("hold", [{ type: "api_callback" }, go("done")], [timeLimit(1, "done", "day"), { type: "count", value: 2, esc_node_id: "alarm" }]),
  escalationNode("alarm", [when("raise", ["start", "eq", "true"]), go("clear")]),
  logicNode("raise", [{ type: "notify", channel: "ops", message: "backlog: {{count}} tasks in {{node_id}}" }, go("end")]),
  logicNode("clear", [{ type: "notify", channel: "ops", message: "backlog cleared" }, go("end")]),
  finalNode("done"),
  finalNode("end"),
);
const hold = scheme.nodes.find((n) => n.id === "hold")!;

describe("count semaphor (task counter)", () => {
  it("signals start when the count reaches the threshold and stop when it falls below", () => {
    expect(countSignal({ node: hold, before: 1, after: 2 })).toEqual({ signal: "start", escNodeId: "alarm", threshold: 2, data: { start: "true", node_id: "hold", count: 2 } });
    expect(countSignal({ node: hold, before: 2, after: 3 })).toBeNull();
    expect(countSignal({ node: hold, before: 3, after: 2 })).toBeNull();
    expect(countSignal({ node: hold, before: 2, after: 1 })).toEqual({ signal: "stop", escNodeId: "alarm", threshold: 2, data: { start: "false", node_id: "hold", count: 1 } });
    expect(countSignal({ node: hold, before: 0, after: 5 })?.signal).toBe("start");
    expect(countSignal({ node: scheme.nodes.find((n) => n.id === "done")!, before: 0, after: 9 })).toBeNull();
  });

  it("creates signal tasks in the escalation node without moving the counted tasks", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme }] });
    const a = w.createTask("p", {});
    expect(w.notifications).toHaveLength(0);
    const b = w.createTask("p", {});
    expect(w.notifications.map((n) => n.message)).toEqual(["backlog: 2 tasks in hold"]);
    expect([w.task(a.id).nodeId, w.task(b.id).nodeId]).toEqual(["hold", "hold"]);
    w.createTask("p", {});
    expect(w.notifications).toHaveLength(1);

    w.callback({ taskId: a.id }, {});
    expect(w.notifications).toHaveLength(1);
    w.callback({ taskId: b.id }, {});
    expect(w.notifications.map((n) => n.message)).toEqual(["backlog: 2 tasks in hold", "backlog cleared"]);
    expect(w.tasksOf("p").filter((t) => t.data.start !== undefined).map((t) => t.data.start)).toEqual(["true", "false"]);
  });
});
