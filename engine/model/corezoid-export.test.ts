import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "../testing/builders.ts";
import { ExportParseError, parseCorezoidExport } from "./corezoid-export.ts";
import { checkTaskInput } from "./params.ts";
import { parseScheme, SchemeParseError } from "./scheme.ts";
import { NOT_UNICAL_REF, validateRef } from "../runtime/task.ts";

describe("Corezoid export parsing", () => {
  it("accepts a single process object and JSON text, and sets aside dashboards", () => {
    const scheme = JSON.parse(JSON.stringify(buildScheme(startNode("s", "f"), finalNode("f"))));
    const proc = { obj_type: 1, obj_id: 5, title: "P", status: "active", params: [], conv_type: "state", scheme };
    expect(parseCorezoidExport(proc).processes[0]).toMatchObject({ obj_id: 5, conv_type: "state" });
    const text = JSON.stringify([proc, { obj_type: 2, obj_id: 9, title: "Dash" }]);
    const parsed = parseCorezoidExport(text);
    expect(parsed.processes).toHaveLength(1);
    expect(parsed.skipped).toEqual([{ obj_type: 2, title: "Dash" }]);
  });

  it("says where an export is broken", () => {
    const bad = [{ obj_type: 1, title: "P", scheme: { nodes: [{ id: "n1", obj_type: 0, condition: { logics: [{ type: "go" }] } }] } }];
    expect(() => parseCorezoidExport(bad)).toThrow(ExportParseError);
    expect(() => parseCorezoidExport(bad)).toThrow(/0\.scheme\.nodes\.0\.condition\.logics\.0\.to_node_id/);
  });

  it("rejects unknown logic types and accepts unknown keys, null extra and extra objects", () => {
    expect(() => parseScheme({ nodes: [{ id: "n1", obj_type: 0, condition: { logics: [{ type: "db_call" }] } }] })).toThrow(SchemeParseError);
    const ok = parseScheme('{"nodes":[{"id":"n1","obj_type":2,"condition":{"logics":[],"semaphors":[]},"extra":null,"options":{"save_task":true},"custom":1}]}');
    expect(ok.nodes[0]).toMatchObject({ extra: null, options: { save_task: true }, custom: 1 });
  });
});

describe("task input and refs", () => {
  const params = [
    { name: "account", type: "string", flags: ["input", "required"], regex: "^\\d{12}$", regex_error_text: "account must be 12 digits" },
    { name: "user.name", type: "string", flags: ["input"] },
    { name: "note", type: "string", flags: ["output", "required"] },
  ];

  it("checks required input parameters and their regex", () => {
    expect(checkTaskInput(params, { account: "123456789012" })).toEqual([]);
    expect(checkTaskInput(params, {})).toEqual([{ param: "account", message: "account is required" }]);
    expect(checkTaskInput(params, { account: "12" })).toEqual([{ param: "account", message: "account must be 12 digits" }]);
    expect(checkTaskInput(null, {})).toEqual([]);
  });

  it("validates ref length and exposes Corezoid's duplicate-ref tag", () => {
    expect(validateRef("abc")).toEqual({ ok: true, ref: "abc" });
    expect(validateRef(42)).toEqual({ ok: true, ref: "42" });
    expect(validateRef("").ok).toBe(false);
    expect(validateRef("x".repeat(256)).ok).toBe(false);
    expect(validateRef("x".repeat(255)).ok).toBe(true);
    expect(NOT_UNICAL_REF).toBe("not_unical_ref");
  });
});
