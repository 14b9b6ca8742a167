/*
 *   users (state diagram)                         guard (process)
 *   Start ─▶ active ⟲ ──status == blocked──▶ blocked ⟲      Start ─▶ check ──{{conv[users].ref[{{user}}].status}} == blocked──▶ denied ✗
 *              ▲                                  │                     └─default─▶ allowed ✓
 *              └────────status == active──────────┘
 *   (active and blocked are Set State nodes: api_callback, conditions, go back to themselves)
 *
 *   blocker (process): Start ─▶ block: Modify Task users/{{user}} {status: blocked} ─▶ done ✓  (error ─▶ failed ✗)
 */
import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const users = buildScheme(
  startNode("s", "active"),
  logicNode("active", [{ type: "api_callback" }, when("blocked", ["status", "eq", "blocked"]), go("active")]),
  logicNode("blocked", [{ type: "api_callback" }, when("active", ["status", "eq", "active"]), go("blocked")]),
);
const guard = buildScheme(
  startNode("s", "check"),
  logicNode("check", [when("denied", ["{{conv[users].ref[{{user}}].status}}", "eq", "blocked"]), go("allowed")]),
  finalNode("allowed"),
  finalNode("denied", "error"),
);
const blocker = buildScheme(
  startNode("s", "block"),
  logicNode("block", [{ type: "api_copy", mode: "modify", conv_id: "users", ref: "{{user}}", group: "", data: { status: "blocked" }, data_type: { status: "string" }, is_sync: true, err_node_id: "failed" }, go("done")]),
  finalNode("done"),
  finalNode("failed", "error"),
);

const world = () =>
  new FakeWorld({
    processes: [{ id: "users", scheme: users, kind: "state" }, { id: "guard", scheme: guard }, { id: "blocker", scheme: blocker }],
    options: { loopLimit: 5 },
  });

describe("scenario: state diagram (Set State)", () => {
  it("does not forward on entry even when a condition already matches", () => {
    const w = world();
    const u = w.createTask("users", { status: "blocked" }, { ref: "u1" });
    expect(u).toMatchObject({ status: "waiting", nodeId: "active", waiting: { kind: "callback" } });
  });

  it("keeps a state indefinitely: no default callback limit on Set State nodes", () => {
    const w = world();
    const u = w.createTask("users", { status: "active" }, { ref: "u1" });
    expect(w.timers.size).toBe(0);
    w.advance(30 * 86_400_000);
    expect(w.task(u.id)).toMatchObject({ status: "waiting", nodeId: "active" });
  });

  it("re-checks conditions after each modification; no match keeps it in place on the same visit", () => {
    const w = world();
    const u = w.createTask("users", { status: "active" }, { ref: "u1" });
    w.callback({ processId: "users", ref: "u1" }, { note: "hello" });
    expect(w.task(u.id)).toMatchObject({ status: "waiting", nodeId: "active", visits: { active: 1 }, data: { status: "active", note: "hello" } });
    w.callback({ processId: "users", ref: "u1" }, { status: "blocked" });
    expect(w.task(u.id)).toMatchObject({ status: "waiting", nodeId: "blocked", prevNodeId: "active" });
  });

  it("is read by processes through {{conv[id].ref[r].param}} and changed by Modify Task", () => {
    const w = world();
    w.createTask("users", { status: "active" }, { ref: "u1" });
    expect(w.createTask("guard", { user: "u1" }).nodeId).toBe("allowed");
    expect(w.createTask("blocker", { user: "u1" }).nodeId).toBe("done");
    expect(w.findLiveByRef("users", "u1")!.nodeId).toBe("blocked");
    expect(w.createTask("guard", { user: "u1" }).nodeId).toBe("denied");
    // An unknown ref reads as "" (allowed) and cannot be modified.
    expect(w.createTask("guard", { user: "nobody" }).nodeId).toBe("allowed");
    const failed = w.createTask("blocker", { user: "nobody" });
    expect(failed.nodeId).toBe("failed");
    expect(failed.data.__conveyor_copy_task_return_type_tag__).toBe("not_found_task");
  });

  it("is not stopped by the loop guard when callbacks move it back and forth", () => {
    const w = world(); // loopLimit 5
    const u = w.createTask("users", { status: "active" }, { ref: "u1" });
    for (let i = 0; i < 10; i++) w.callback({ taskId: u.id }, { status: i % 2 === 0 ? "blocked" : "active" });
    expect(w.task(u.id)).toMatchObject({ status: "waiting", nodeId: "active", visits: { active: 6, blocked: 5 } });
  });
});
