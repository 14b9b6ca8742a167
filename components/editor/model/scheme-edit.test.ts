import { describe, expect, it } from "vitest";
import { nodeEdges, schemeEdges, validateProcess } from "@/engine/index";
import { buildScheme, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "@/engine/testing/builders";
import { connect, disconnect, makeNode, moveNodes, pasteNodes, patchLogic, removeNodes, addNode } from "./scheme-edit";
import { nodePorts } from "./ports";

/*
 *  s ─▶ route (condition) ─(x=1)─▶ a
 *                         ─(else)─▶ b
 *  set (set_param, error ─▶ err)
 */
function sample() {
  return buildScheme(
    startNode("s", "route"),
    logicNode("route", [when("a", ["x", "eq", "1"]), go("b")]),
    logicNode("set", [{ ...setParam({ y: "2" }, "err"), chTime: 1700000000000, id: "keep-me" }, go("a")], [timeLimit(60, "b")]),
    finalNode("a"), finalNode("b"), finalNode("err", "error"),
  );
}

describe("connecting ports writes the field behind the port", () => {
  it("next → the go's to_node_id; a node without a go gets one", () => {
    let s = connect(sample(), { source: "route", handle: "next", target: "a" });
    expect(s.nodes[1].condition.logics[1]).toEqual({ type: "go", to_node_id: "a" });
    const bare = addNode(s, { ...makeNode("set_param", { x: 0, y: 0 }, "n1"), condition: { logics: [{ type: "set_param", extra: {}, extra_type: {} }], semaphors: [] } } as never);
    s = connect(bare, { source: "n1", handle: "next", target: "b" });
    expect(s.nodes.find((n) => n.id === "n1")!.condition.logics.at(-1)).toEqual({ type: "go", to_node_id: "b" });
  });

  it("cond-i → that branch's to_node_id, err-i → the action's err_node_id, timeout/escalation → the semaphor", () => {
    let s = connect(sample(), { source: "route", handle: "cond-0", target: "b" });
    expect(nodeEdges(s.nodes[1]).map((e) => [e.kind, e.target])).toEqual([["condition", "b"], ["next", "b"]]);
    s = connect(s, { source: "set", handle: "err-0", target: "b" });
    s = connect(s, { source: "set", handle: "timeout", target: "err" });
    const set = s.nodes.find((n) => n.id === "set")!;
    expect(set.condition.logics[0]).toMatchObject({ err_node_id: "b", chTime: 1700000000000, id: "keep-me" });
    expect(set.condition.semaphors![0]).toMatchObject({ type: "time", to_node_id: "err", value: 60 });
  });

  it("deleting an edge clears its field (and only it)", () => {
    const before = sample();
    let s = before;
    for (const e of nodeEdges(s.nodes.find((n) => n.id === "set")!)) s = disconnect(s, e.id);
    const set = s.nodes.find((n) => n.id === "set")!;
    expect(set.condition.logics[0]).toMatchObject({ err_node_id: "", id: "keep-me", extra: { y: "2" } });
    expect(set.condition.logics[1]).toEqual({ type: "go", to_node_id: "" });
    expect(set.condition.semaphors![0]).toMatchObject({ to_node_id: "" });
    // Untouched nodes keep their identity (the canvas re-renders only what changed).
    expect(s.nodes[1]).toBe(before.nodes[1]);
    expect(validateProcess(s).filter((i) => i.nodeId === "set").map((i) => i.code)).toContain("missing_link");
  });

  it("patching a logic keeps keys the editor does not know", () => {
    const s = patchLogic(sample(), "set", 0, { extra: { y: "3" } });
    expect(s.nodes.find((n) => n.id === "set")!.condition.logics[0]).toEqual({ type: "set_param", extra: { y: "3" }, extra_type: { y: "string" }, err_node_id: "err", chTime: 1700000000000, id: "keep-me" });
  });
});

describe("removing and pasting nodes", () => {
  it("removing a node clears links to it instead of leaving dangling ids; Start stays", () => {
    const s = removeNodes(sample(), ["a", "s"]);
    expect(s.nodes.map((n) => n.id)).toEqual(["s", "route", "set", "b", "err"]);
    expect(schemeEdges(s).some((e) => e.target === "a")).toBe(false);
    expect(s.nodes[1].condition.logics[0]).toMatchObject({ type: "go_if_const", to_node_id: "" });
    expect(validateProcess(s).some((i) => i.code === "dangling_link")).toBe(false);
  });

  it("pasted copies get new ids; links inside the copy follow it, links outside are cleared", () => {
    const src = sample();
    const copied = src.nodes.filter((n) => ["route", "a", "s"].includes(n.id));
    const { scheme, ids } = pasteNodes(src, copied, { x: 40, y: 40 });
    expect(ids).toHaveLength(2); // the Start node is not pasted into a process that has one
    const [route, a] = ids.map((id) => scheme.nodes.find((n) => n.id === id)!);
    expect(route.id).toMatch(/^[0-9a-f]{24}$/);
    expect(route.condition.logics[0]).toMatchObject({ to_node_id: a.id });
    expect(route.condition.logics[1]).toMatchObject({ to_node_id: "" });
    expect(route.x).toBe((src.nodes[1].x ?? 0) + 40);
  });

  it("moves round to whole pixels and return the same scheme when nothing moved", () => {
    const s = sample();
    expect(moveNodes(s, { a: { x: 0, y: 0 } })).toBe(s);
    expect(moveNodes(s, { a: { x: 10.6, y: -3.2 } }).nodes.find((n) => n.id === "a")).toMatchObject({ x: 11, y: -3 });
  });
});

describe("new nodes and their ports", () => {
  it("offers one port per branch plus the default, error ports on actions, timeout and escalation", () => {
    const s = sample();
    expect(nodePorts(s.nodes[1]).map((p) => [p.handle, p.kind, p.label])).toEqual([["cond-0", "condition", "x = 1"], ["next", "next", "otherwise"]]);
    expect(nodePorts(s.nodes[2]).map((p) => p.handle)).toEqual(["err-0", "next", "timeout"]);
    expect(nodePorts(finalNode("f") as never)).toEqual([]);
  });

  it("every palette block makes a node the engine parses, with open links to draw", () => {
    for (const kind of ["condition", "set_param", "api", "code", "notify", "copy_task", "modify_task", "call_process", "reply", "sum", "queue", "get_from_queue", "callback", "set_state", "delay", "final-success", "final-error", "escalation"] as const) {
      const node = makeNode(kind, { x: 1, y: 2 });
      expect(() => buildScheme(node as never), kind).not.toThrow();
      expect(node.id).toMatch(/^[0-9a-f]{24}$/);
    }
    const setState = makeNode("set_state", { x: 0, y: 0 });
    expect(nodePorts(setState).map((p) => p.handle)).toEqual(["err-0"]);
    expect(nodePorts(makeNode("delay", { x: 0, y: 0 })).map((p) => p.handle)).toEqual(["timeout"]);
  });
});
