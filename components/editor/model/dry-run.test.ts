import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "@/engine/testing/builders";
import { DryRun } from "./dry-run";

/*
 *  s ─▶ route ─(eventType = AwsApiCall)─▶ enrich (API) ─▶ alert (notify) ─▶ copy (to process 77) ─▶ done
 *          └─(otherwise)─▶ wait (callback, 1 h) ─▶ done
 *                               └─(time limit)─▶ late
 */
const scheme = buildScheme(
  startNode("s", "route"),
  logicNode("route", [when("enrich", ["eventType", "eq", "AwsApiCall"]), go("wait")]),
  logicNode("enrich", [{ type: "api", method: "POST", url: "https://api.example.test/v1/{{eventName}}", extra: { id: "{{eventID}}" }, extra_type: { id: "string" }, err_node_id: "late" }, go("alert")]),
  logicNode("alert", [setParam({ Message: "{{eventName}} by {{owner}}" }), { type: "notify", channel: "ops", title: "API call", message: "{{Message}}", severity: "high" }, go("copy")]),
  logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: 77, ref: "", group: "all", data: {}, data_type: {}, err_node_id: "late" }, go("done")]),
  logicNode("wait", [{ type: "api_callback", is_sync: true }, go("done")], [timeLimit(1, "late", "hour")]),
  finalNode("done"), finalNode("late", "error"),
);

describe("dry run", () => {
  it("runs the draft with answered API calls; side effects are listed as commands, not performed", () => {
    const run = new DryRun({ scheme, processId: "5", http: { status: 200, body: { owner: "alice" } } });
    const state = run.start({ eventType: "AwsApiCall", eventName: "CreateTrail", eventID: "e-1" });
    expect(state.status).toBe("finished");
    expect(state.finalKind).toBe("success");
    expect(state.steps.map((s) => s.nodeId)).toEqual(["s", "route", "enrich", "alert", "copy", "done"]);
    // Each step says how the data changed.
    expect(state.steps.find((s) => s.nodeId === "enrich")!.changes).toEqual([{ path: "owner", kind: "added", after: "alice" }]);
    expect(state.steps.find((s) => s.nodeId === "alert")!.changes).toEqual([{ path: "Message", kind: "added", after: "CreateTrail by alice" }]);
    expect(state.commands.map((c) => c.type)).toEqual(["httpCall", "notify", "createTask"]);
    expect(state.commands[0].summary).toBe("POST https://api.example.test/v1/CreateTrail");
    expect(state.commands[1].summary).toContain('channel "ops"');
    expect(state.commands[2].summary).toBe("copy the task to process 77");
  });

  it("stops where the task waits; a callback or the time limit moves it on", () => {
    const waiting = new DryRun({ scheme, processId: "5" }).start({ eventType: "AwsConsoleSignIn" });
    expect(waiting).toMatchObject({ status: "waiting", nodeId: "wait", waiting: "callback" });
    expect(waiting.timerAt).toBeGreaterThan(Date.now() + 3500_000);

    const run = new DryRun({ scheme, processId: "5" });
    run.start({ eventType: "AwsConsoleSignIn" });
    const called = run.callback({ approved: true });
    expect(called).toMatchObject({ status: "finished", nodeId: "done" });
    expect(called.steps.at(-2)!.changes).toEqual([{ path: "approved", kind: "added", after: true }]);

    const late = new DryRun({ scheme, processId: "5" });
    late.start({ eventType: "AwsConsoleSignIn" });
    expect(late.fireTimer()).toMatchObject({ status: "finished", nodeId: "late", finalKind: "error" });
  });
});
