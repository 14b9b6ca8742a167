/*
 *   caller (p-caller)                                   callee (p-callee)
 *   Start ─▶ lookup: Call a Process p-callee ─▶ done ✓   Start ─▶ check ──known user──▶ reply {role, level}      ─▶ end ✓
 *                 │  (time limit 60 s ─▶ timeout ✗)                   └─default─▶ reply throw_exception "no such user" ─▶ end ✗
 *                 └─error─▶ failed ✗
 */
import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const caller = buildScheme(
  startNode("s", "lookup"),
  logicNode("lookup", [{ type: "api_rpc", conv_id: "p-callee", group: "", extra: { user: "{{login}}" }, extra_type: { user: "string" }, err_node_id: "failed" }, go("done")], [timeLimit(60, "timeout")]),
  finalNode("done"),
  finalNode("failed", "error"),
  finalNode("timeout", "error"),
);

const callee = buildScheme(
  startNode("s", "check"),
  logicNode("check", [when("reply-ok", ["user", "eq", "ann"]), go("reply-err")]),
  logicNode("reply-ok", [{ type: "api_rpc_reply", mode: "key_value", res_data: { role: "admin", level: "$.math(2+3)" }, res_data_type: { role: "string", level: "number" } }, go("end")]),
  logicNode("reply-err", [{ type: "api_rpc_reply", mode: "key_value", res_data: {}, throw_exception: true, exception_reason: "no such user: {{user}}" }, go("end-err")]),
  finalNode("end"),
  finalNode("end-err", "error"),
);

const silent = buildScheme(startNode("s", "end"), finalNode("end"));

function world() {
  return new FakeWorld({ processes: [{ id: "p-caller", scheme: caller }, { id: "p-callee", scheme: callee }, { id: "p-silent", scheme: silent }] });
}

describe("scenario: Call a Process and Reply to Process", () => {
  it("sends only the listed parameters, waits, and merges the reply", () => {
    const w = world();
    const t = w.createTask("p-caller", { login: "ann", secret: "pw" });
    expect(t).toMatchObject({ status: "finished", nodeId: "done", data: { login: "ann", secret: "pw", role: "admin", level: 5 } });
    const [child] = w.tasksOf("p-callee");
    expect(child.data).toEqual({ user: "ann" });
    expect(child.parent).toEqual({ taskId: t.id, processId: "p-caller", nodeId: "lookup", visit: 1 });
    expect(child).toMatchObject({ status: "finished", nodeId: "end" });
    // The caller's time limit was cancelled when the reply released it.
    expect(w.commands.filter((c) => c.type === "scheduleTimer" || c.type === "cancelTimer").map((c) => c.type)).toEqual(["scheduleTimer", "cancelTimer"]);
    expect(w.timers.size).toBe(0);
  });

  it("sends the caller to its error exit when the callee throws", () => {
    const w = world();
    const t = w.createTask("p-caller", { login: "bob" });
    expect(t.nodeId).toBe("failed");
    expect(t.data).toMatchObject({
      __conveyor_rpc_reply_return_type_error__: "software",
      __conveyor_rpc_reply_return_type_tag__: "rpc_reply_exception",
      __conveyor_rpc_reply_return_description__: "no such user: bob",
    });
  });

  it("leaves the caller waiting on a callee without reply until its time limit", () => {
    const silentCaller = buildScheme(
      startNode("s", "lookup"),
      logicNode("lookup", [{ type: "api_rpc", conv_id: "p-silent", group: "all", err_node_id: "failed" }, go("done")], [timeLimit(1, "timeout", "min")]),
      finalNode("done"), finalNode("failed", "error"), finalNode("timeout", "error"),
    );
    const w = new FakeWorld({ processes: [{ id: "c", scheme: silentCaller }, { id: "p-silent", scheme: silent }] });
    const t = w.createTask("c", { a: 1 });
    expect(t).toMatchObject({ status: "waiting", waiting: { kind: "rpc" } });
    w.advance(59_000);
    expect(w.task(t.id).nodeId).toBe("lookup");
    w.advance(1_000);
    expect(w.task(t.id)).toMatchObject({ status: "finished", nodeId: "timeout" });
  });

  it("sends all parameters with group all, listed ones winning", () => {
    const all = buildScheme(
      startNode("s", "call"),
      logicNode("call", [{ type: "api_rpc", conv_id: "p-callee", group: "all", extra: { user: "ann" }, err_node_id: "f" }, go("d")]),
      finalNode("d"), finalNode("f", "error"),
    );
    const w = new FakeWorld({ processes: [{ id: "a", scheme: all }, { id: "p-callee", scheme: callee }] });
    w.createTask("a", { user: "zed", other: 1 });
    expect(w.tasksOf("p-callee")[0].data).toEqual({ user: "ann", other: 1 });
  });

  it("takes the error exit with __conveyor_rpc_return_*__ when the callee cannot be created", () => {
    const w = new FakeWorld({ processes: [{ id: "p-caller", scheme: caller }] });
    const t = w.createTask("p-caller", { login: "ann" });
    expect(t.nodeId).toBe("failed");
    expect(t.data.__conveyor_rpc_return_type_tag__).toBe("access_denied");
  });

  it("ignores a second or late reply", () => {
    const w = world();
    const t = w.createTask("p-caller", { login: "ann" });
    w.dispatch(t.id, { type: "rpcReply", nodeId: "lookup", visit: 1, data: { role: "x" } });
    expect(w.task(t.id).data.role).toBe("admin");
    expect(w.ignored.map((i) => i.reason)).toEqual(["task_finished"]);
  });
});
