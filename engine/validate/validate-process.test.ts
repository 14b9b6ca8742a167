import { describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, setParam, startNode, timeLimit, when, type RawNode } from "../testing/builders.ts";
import exportFile from "../testing/fixtures/106317_folder.json";
import { parseCorezoidExport } from "../model/corezoid-export.ts";
import { validateProcess, type ValidationIssue } from "./validate-process.ts";

const raw = (...nodes: RawNode[]) => ({ nodes, web_settings: [[], []] });
const codes = (issues: ValidationIssue[]) => issues.map((i) => i.code);
const only = (issues: ValidationIssue[], code: string) => issues.filter((i) => i.code === code);

describe("validateProcess", () => {
  it("accepts a sound process and the real CloudTrail export with no issues", () => {
    expect(validateProcess(raw(startNode("s", "a"), logicNode("a", [setParam({ x: "1" }, "e"), go("f")]), finalNode("f"), finalNode("e", "error")))).toEqual([]);
    const exp = parseCorezoidExport(exportFile);
    const known = Object.fromEntries(exp.processes.map((p) => [String(p.obj_id), { scheme: p.scheme }]));
    for (const p of exp.processes) expect(validateProcess(p.scheme, { knownProcesses: known })).toEqual([]);
  });

  it("reports a scheme that does not parse, pointing at the node and logic", () => {
    const issues = validateProcess(raw(startNode("s", "a"), logicNode("a", [{ type: "go_if_const", to_node_id: "f", conditions: [{ param: "x", const: "1", fun: "bigger" }] }, go("f")]), finalNode("f")));
    expect(issues).toEqual([expect.objectContaining({ code: "invalid_scheme", nodeId: "a", logicIndex: 0, field: "conditions.0.fun", severity: "error" })]);
  });

  it("reports a missing Start and a second Start", () => {
    expect(codes(validateProcess(raw(logicNode("a", [go("f")]), finalNode("f"))))).toContain("no_start");
    const two = validateProcess(raw(startNode("s1", "f"), startNode("s2", "f"), finalNode("f")));
    expect(only(two, "multiple_starts")).toEqual([expect.objectContaining({ nodeId: "s2", severity: "error" })]);
  });

  it("reports dangling links of every kind with their field", () => {
    const issues = validateProcess(raw(
      startNode("s", "a"),
      logicNode("a", [setParam({ x: "1" }, "ghost-err"), when("ghost-branch", ["x", "eq", "1"]), go("f")], [timeLimit(60, "ghost-timeout"), { type: "count", value: 5, esc_node_id: "ghost-esc" }]),
      finalNode("f"),
    ));
    expect(only(issues, "dangling_link").map((i) => [i.logicIndex, i.field])).toEqual([
      [0, "err_node_id"], [1, "to_node_id"], [undefined, "semaphors.to_node_id"], [undefined, "semaphors.esc_node_id"],
    ]);
  });

  it("reports missing links and nodes without an exit", () => {
    const issues = validateProcess(raw(startNode("s", "a"), logicNode("a", [setParam({ x: "1" })]), logicNode("b", [go("")]), finalNode("f")));
    expect(only(issues, "no_exit").map((i) => i.nodeId)).toEqual(["a"]);
    expect(only(issues, "missing_link")).toEqual([expect.objectContaining({ nodeId: "b", logicIndex: 0, field: "to_node_id" })]);
  });

  it("reports nodes that cannot be reached from Start (error, timeout and escalation edges count as reach)", () => {
    const issues = validateProcess(raw(
      startNode("s", "a"),
      logicNode("a", [setParam({ x: "1" }, "err"), go("f")], [timeLimit(60, "late")]),
      finalNode("f"), finalNode("err", "error"), finalNode("late", "error"),
      logicNode("orphan", [go("f")]),
    ));
    expect(only(issues, "unreachable_node").map((i) => i.nodeId)).toEqual(["orphan"]);
  });

  it("reports invalid block configuration from the block's schema", () => {
    const issues = validateProcess(raw(startNode("s", "a"), logicNode("a", [{ type: "api", method: "GET", url: "", err_node_id: "f" }, go("f")]), finalNode("f")));
    expect(only(issues, "invalid_config")).toEqual([expect.objectContaining({ nodeId: "a", logicIndex: 0, field: "url", message: "API Call: give the URL" })]);
  });

  it("requires a time limit on Waiting for Callback, but not on Set State", () => {
    const cb = validateProcess(raw(startNode("s", "w"), logicNode("w", [{ type: "api_callback" }, go("f")]), finalNode("f")));
    expect(only(cb, "callback_without_time_limit")).toEqual([expect.objectContaining({ nodeId: "w", severity: "error" })]);
    const limited = validateProcess(raw(startNode("s", "w"), logicNode("w", [{ type: "api_callback" }, go("f")], [timeLimit(1, "f", "day")]), finalNode("f")));
    expect(codes(limited)).not.toContain("callback_without_time_limit");
    const state = validateProcess(raw(startNode("s", "st"), logicNode("st", [{ type: "api_callback" }, when("f", ["x", "eq", "1"]), go("st")]), finalNode("f")));
    expect(codes(state)).not.toContain("callback_without_time_limit");
  });

  it("rejects static timers under the minimum, accepts dynamic ones, and rejects nonsense", () => {
    const under = validateProcess(raw(startNode("s", "d"), logicNode("d", [], [timeLimit(15, "f")]), finalNode("f")));
    expect(only(under, "timer_below_minimum")).toEqual([expect.objectContaining({ nodeId: "d", field: "semaphors.0.value", message: expect.stringContaining("Timer value 15 sec is less than minimum limit 30 sec") })]);
    expect(codes(validateProcess(raw(startNode("s", "d"), logicNode("d", [], [timeLimit(1, "f", "min")]), finalNode("f"))))).toEqual([]);
    expect(codes(validateProcess(raw(startNode("s", "d"), logicNode("d", [], [timeLimit("{{at}}", "f")]), finalNode("f"))))).toEqual([]);
    expect(codes(validateProcess(raw(startNode("s", "d"), logicNode("d", [], [timeLimit("soon", "f")]), finalNode("f"))))).toEqual(["invalid_timer"]);
    expect(codes(validateProcess(raw(startNode("s", "d"), logicNode("d", [], [timeLimit(20, "f")]), finalNode("f")), { minTimerSec: 10 }))).toEqual([]);
  });

  it("reports a task counter with an unusable threshold", () => {
    const issues = validateProcess(raw(startNode("s", "a"), logicNode("a", [go("f")], [{ type: "count", value: "many", esc_node_id: "f" }]), finalNode("f")));
    expect(codes(issues)).toEqual(["invalid_count_threshold"]);
  });

  it("reports unknown target processes and calls to processes that can end without a reply", () => {
    const callee = buildScheme(
      startNode("s", "c"),
      logicNode("c", [when("r", ["ok", "eq", "1"]), go("bare")]),
      logicNode("r", [{ type: "api_rpc_reply", mode: "key_value", res_data: {} }, go("end")]),
      finalNode("end"), finalNode("bare", "error", "No reply here"),
    );
    const replying = buildScheme(startNode("s", "r"), logicNode("r", [{ type: "api_rpc_reply", mode: "key_value", res_data: {} }, go("end")]), finalNode("end"));
    const caller = (conv: string, limited: boolean) => raw(
      startNode("s", "call"),
      logicNode("call", [{ type: "api_rpc", conv_id: conv, group: "all", extra: {}, extra_type: {}, err_node_id: "f" }, go("f")], limited ? [timeLimit(60, "f")] : []),
      finalNode("f"),
    );
    const known = { "10": { scheme: callee }, "11": { scheme: replying } };
    expect(only(validateProcess(caller("10", false), { knownProcesses: known }), "rpc_without_reply")).toEqual([
      expect.objectContaining({ nodeId: "call", severity: "error", message: expect.stringContaining('"No reply here"') }),
    ]);
    expect(only(validateProcess(caller("10", true), { knownProcesses: known }), "rpc_without_reply")[0].severity).toBe("warning");
    expect(codes(validateProcess(caller("11", false), { knownProcesses: known }))).toEqual([]);
    expect(codes(validateProcess(caller("99", false), { knownProcesses: known }))).toEqual(["unknown_process"]);
    // Dynamic targets and validation without known processes are not checked.
    expect(codes(validateProcess(caller("{{target}}", false), { knownProcesses: known }))).toEqual([]);
    expect(codes(validateProcess(caller("99", false)))).toEqual([]);
  });

  it("warns about an action without an error exit, logic after go, and logic in a final node", () => {
    const issues = validateProcess(raw(
      startNode("s", "a"),
      logicNode("a", [{ type: "api_code", lang: "js", src: "data.x=1" }, go("f"), setParam({ y: "1" })]),
      { ...finalNode("f"), condition: { logics: [go("a")], semaphors: [] } },
    ));
    expect(issues.filter((i) => i.severity === "warning").map((i) => i.code).sort()).toEqual(["final_with_logics", "logic_after_go", "no_error_exit"]);
  });

  it("rejects blocks a state diagram does not allow", () => {
    const scheme = raw(startNode("s", "a"), logicNode("a", [{ type: "api", method: "GET", url: "https://x.test", err_node_id: "f" }, go("f")]), finalNode("f"));
    expect(codes(validateProcess(scheme, { processKind: "state" }))).toContain("not_allowed_in_state_diagram");
    expect(codes(validateProcess(scheme))).not.toContain("not_allowed_in_state_diagram");
  });

  it("reports duplicate node ids", () => {
    expect(codes(validateProcess(raw(startNode("s", "f"), finalNode("f"), finalNode("f"))))).toContain("duplicate_node_id");
  });

  it("accepts escalation nodes as error targets", () => {
    const issues = validateProcess(raw(
      startNode("s", "a"),
      logicNode("a", [{ type: "api_code", src: "x", err_node_id: "esc" }, go("f")]),
      escalationNode("esc", [when("f", ["__conveyor_code_return_type_error__", "eq", "hardware"]), go("f")]),
      finalNode("f"),
    ));
    expect(issues).toEqual([]);
  });
});
