import { describe, expect, it } from "vitest";
import { nodeBlock, nodeKind, PALETTE } from "../blocks/palette.ts";
import { blockRegistry } from "../blocks/registry.ts";
import { buildScheme, escalationNode, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "../testing/builders.ts";
import { LOGIC_TYPES } from "./logic.ts";
import { schemeEdges } from "./edges.ts";
import { parseScheme } from "./scheme.ts";

describe("scheme edges", () => {
  it("derives next, condition (with branch index), error, timeout and escalation edges", () => {
    const scheme = buildScheme(
      startNode("s", "a"),
      logicNode("a", [setParam({ x: "1" }, "err"), when("b", ["x", "eq", "1"]), when("c", ["x", "eq", "2"]), go("f")], [timeLimit(60, "late"), { type: "count", value: 10, esc_node_id: "esc" }]),
      finalNode("b"), finalNode("c"), finalNode("f"), finalNode("err", "error"), finalNode("late", "error"), escalationNode("esc", [go("f")]),
    );
    expect(schemeEdges(scheme).filter((e) => e.source === "a").map((e) => [e.kind, e.target, e.logicIndex, e.id])).toEqual([
      ["error", "err", 0, "a:0:error"],
      ["condition", "b", 1, "a:1:condition"],
      ["condition", "c", 2, "a:2:condition"],
      ["next", "f", 3, "a:3:next"],
      ["timeout", "late", undefined, "a:timeout"],
      ["escalation", "esc", undefined, "a:escalation"],
    ]);
    expect(schemeEdges(scheme).find((e) => e.id === "a:1:condition")!.label).toBe("x eq 1");
  });
});

describe("palette and node classification", () => {
  it("has a block for every logic type, with titles and groups", () => {
    expect(Object.keys(blockRegistry).sort()).toEqual([...LOGIC_TYPES].sort());
    for (const def of Object.values(blockRegistry)) expect(def.title && def.group && def.description).toBeTruthy();
  });

  it("classifies nodes as the editor shows them", () => {
    const scheme = buildScheme(
      startNode("s", "cond"),
      logicNode("cond", [when("f", ["x", "eq", "1"]), go("f")]),
      logicNode("delay", [], [timeLimit(30, "f")]),
      logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: 1, group: "all" }, go("f")]),
      logicNode("modify", [{ type: "api_copy", mode: "modify", conv_id: 1, ref: "r", group: "" }, go("f")]),
      logicNode("wait", [{ type: "api_callback" }, go("f")]),
      logicNode("state", [{ type: "api_callback" }, when("f", ["x", "eq", "1"]), go("state")]),
      finalNode("f"), finalNode("bad", "error"), escalationNode("esc", [go("f")]),
    );
    const byId = Object.fromEntries(scheme.nodes.map((n) => [n.id, [nodeKind(n), nodeBlock(n)]]));
    expect(byId).toEqual({
      s: ["start", null], cond: ["normal", "condition"], delay: ["normal", "delay"], copy: ["normal", "copy_task"],
      modify: ["normal", "modify_task"], wait: ["normal", "callback"], state: ["normal", "set_state"],
      f: ["final-success", null], bad: ["final-error", null], esc: ["escalation", "go"],
    });
  });

  it("offers palette templates that parse as scheme nodes", () => {
    for (const entry of PALETTE) {
      const node = { id: `n-${entry.block}`, obj_type: 0, condition: entry.template(), title: entry.title, x: 0, y: 0 };
      expect(() => parseScheme({ nodes: [node] }), entry.block).not.toThrow();
      expect(nodeBlock(parseScheme({ nodes: [node] }).nodes[0])).toBe(entry.block === "set_state" ? "callback" : entry.block);
    }
  });
});
