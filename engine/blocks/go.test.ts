import { describe, expect, it } from "vitest";
import { buildScheme, fakeClock, finalNode, go, logicNode, setParam, startNode, when } from "../testing/builders.ts";
import { newTask } from "../runtime/new-task.ts";
import { step } from "../runtime/step.ts";
import type { ProcessScheme } from "../model/scheme.ts";
import { goBlock } from "./go.ts";

const run = (scheme: ProcessScheme, data: Record<string, unknown> = {}) => {
  const clock = fakeClock();
  return step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data, clock }), event: { type: "enter" }, clock });
};

describe("Go (go)", () => {
  it("leaves the node for its target at once, as a next edge", () => {
    expect(goBlock.run({ type: "go", to_node_id: "b" }, undefined as never)).toEqual({ kind: "goto", to: "b", edge: "next" });
    /*  Start ─▶ a ─▶ b ─▶ end  */
    const res = run(buildScheme(startNode("s", "a"), logicNode("a", [go("b")]), logicNode("b", [go("end")]), finalNode("end")));
    expect(res.commands).toEqual([]);
    expect(res.task).toMatchObject({ status: "finished", nodeId: "end", prevNodeId: "b", visits: { s: 1, a: 1, b: 1, end: 1 } });
    expect(res.trail.map((e) => [e.nodeId, e.via])).toEqual([["s", "enter"], ["a", "next"], ["b", "next"], ["end", "next"]]);
  });

  it("is taken only when no condition before it matched; logics after it never run", () => {
    /*  Start ─▶ a (x == 1 ─▶ one; go ─▶ other; set_param never runs)  */
    const scheme = buildScheme(
      startNode("s", "a"),
      logicNode("a", [when("one", ["x", "eq", "1"]), go("other"), setParam({ after: "ran" })]),
      finalNode("one"), finalNode("other"),
    );
    expect(run(scheme, { x: "1" }).task.nodeId).toBe("one");
    const other = run(scheme, { x: "2" });
    expect(other.task.nodeId).toBe("other");
    expect(other.task.data.after).toBeUndefined();
  });

  it("stops the task with node_not_found when its target does not exist", () => {
    const res = run(buildScheme(startNode("s", "a"), logicNode("a", [go("ghost")])));
    expect(res.task).toMatchObject({
      status: "finished", finalKind: "stopped", nodeId: "ghost",
      data: { __conveyor_task_return_type_tag__: "node_not_found", __conveyor_task_return_type_error__: "software" },
    });
  });

  it("declares one next port; its configuration needs a target", () => {
    expect(goBlock.ports({ type: "go", to_node_id: "b" })).toEqual([{ kind: "next", target: "b" }]);
    expect(goBlock.blocking).toBe(false);
    expect(goBlock.errorPrefix).toBeUndefined();
    expect(goBlock.configSchema.safeParse({ type: "go", to_node_id: "b" }).success).toBe(true);
    expect(goBlock.configSchema.safeParse({ type: "go", to_node_id: "" }).success).toBe(false);
    expect(goBlock.configSchema.safeParse({ type: "go" }).success).toBe(false);
  });
});
