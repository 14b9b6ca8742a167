import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "../testing/builders.ts";
import { listSchemeLookups } from "./lookups.ts";

describe("listSchemeLookups", () => {
  const scheme = buildScheme(
    startNode("s", "a"),
    logicNode("a", [when("b", ["{{node[q1].count}}", "more", "{{conv[77].node[q2].count}}", "number"]), go("b")]),
    logicNode("b", [setParam({ total: "$.math({{node[sum1].amount}}+1)", st: "{{conv[states].ref[user-1].status}}", key: "{{env_var[@api_key]}}", dyn: "{{conv[states].ref[{{who}}].status}}", plain: "{{a.b}}" }), go("c")]),
    logicNode("c", [], [timeLimit("{{node[q1].count}}", "f")]),
    finalNode("f"),
  );

  it("lists every static outside read once, with the current process for bare node reads", () => {
    expect(listSchemeLookups(scheme, { processId: "42" })).toEqual([
      { kind: "nodeCount", processId: "42", nodeId: "q1" },
      { kind: "nodeCount", processId: "77", nodeId: "q2" },
      { kind: "nodeSum", processId: "42", nodeId: "sum1", sumId: "amount" },
      { kind: "stateTask", processId: "states", ref: "user-1" },
      { kind: "envVar", name: "api_key" },
    ]);
  });

  it("limits the listing to the given nodes", () => {
    expect(listSchemeLookups(scheme, { processId: "42", nodeIds: ["c"] })).toEqual([{ kind: "nodeCount", processId: "42", nodeId: "q1" }]);
  });
});
