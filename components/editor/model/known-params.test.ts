import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, setParam, startNode, when } from "@/engine/testing/builders";
import { knownParams, suggestAt } from "./known-params";

describe("known parameters and template hints", () => {
  const scheme = buildScheme(
    startNode("s", "c"),
    logicNode("c", [when("f", ["{{eventType}}", "eq", "AwsApiCall"]), go("p")]),
    logicNode("p", [setParam({ Message: "User: {{userIdentity.userName}} {{root.ref}}" }), go("f")]),
    finalNode("f"),
  );

  it("collects described, written and read parameters", () => {
    expect(knownParams(scheme, [{ name: "recipientAccountId" }])).toEqual(["eventType", "Message", "recipientAccountId", "userIdentity.userName"]);
  });

  it("offers parameters after {{ and functions after $.", () => {
    const names = knownParams(scheme);
    const s = suggestAt("Hello {{ev", 10, names)!;
    expect(s.replaceFrom).toBe(6);
    expect(s.items.map((i) => i.insert)).toEqual(["{{eventType}}", "{{root.prev_node_id}}"]);
    expect(suggestAt("{{root.r", 8, names)!.items.map((i) => i.label)).toEqual(["root.ref"]);
    expect(suggestAt("x $.ma", 6, names)!.items[0]).toMatchObject({ label: "$.math", insert: "$.math({{a}} + 1)" });
    expect(suggestAt("{{eventType}} done", 18, names)).toBeNull();
  });
});
