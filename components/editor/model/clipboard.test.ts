import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "@/engine/testing/builders";
import { parseClipboard, serializeNodes } from "./clipboard";
import { diffData } from "./data-diff";

describe("clipboard", () => {
  it("round-trips the selected nodes and refuses other text", () => {
    const scheme = buildScheme(startNode("s", "f"), finalNode("f"));
    const text = serializeNodes(scheme, new Set(["f"]))!;
    expect(parseClipboard(text)!.map((n) => n.id)).toEqual(["f"]);
    expect(parseClipboard("hello")).toBeNull();
    expect(parseClipboard(JSON.stringify({ "conveyor/nodes": 1, nodes: [{ id: "x", obj_type: 9 }] }))).toBeNull();
    expect(serializeNodes(scheme, new Set())).toBeNull();
  });
});

describe("data diff", () => {
  it("lists added, changed and removed keys by path", () => {
    expect(diffData({ a: 1, b: { c: 1, d: 2 }, e: 1 }, { a: 2, b: { c: 1, d: 3, n: true }, f: "x" })).toEqual([
      { path: "a", kind: "changed", before: 1, after: 2 },
      { path: "b.d", kind: "changed", before: 2, after: 3 },
      { path: "b.n", kind: "added", after: true },
      { path: "f", kind: "added", after: "x" },
      { path: "e", kind: "removed", before: 1 },
    ]);
  });
});
