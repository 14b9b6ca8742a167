import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, when } from "@/engine/testing/builders";
import { layoutPositions } from "./layout";

describe("auto-layout", () => {
  it("lays the flow out top to bottom without overlaps", () => {
    const scheme = buildScheme(
      startNode("s", "c"),
      logicNode("c", [when("a", ["x", "eq", "1"]), when("b", ["x", "eq", "2"]), go("d")]),
      finalNode("a"), finalNode("b"), finalNode("d"),
    );
    const pos = layoutPositions(scheme);
    expect(pos.s.y).toBeLessThan(pos.c.y);
    for (const f of ["a", "b", "d"]) expect(pos.c.y).toBeLessThan(pos[f].y);
    const finals = ["a", "b", "d"].map((f) => pos[f].x).sort((x, y) => x - y);
    expect(finals[1] - finals[0]).toBeGreaterThanOrEqual(200);
    expect(finals[2] - finals[1]).toBeGreaterThanOrEqual(200);
  });
});
