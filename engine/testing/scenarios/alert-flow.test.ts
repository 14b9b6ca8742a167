/*
 *   Start ─▶ classify ──eventName == ConsoleLogin AND userIdentity.type == Root──▶ root: Notify security (critical) ─▶ alerted ✓
 *               │   └──errorCode regexp ^AccessDenied──▶ denied: Sum denials += 1 ─▶ threshold ──{{node[denied].denials}} >= 3──▶ burst: Notify ─▶ alerted ✓
 *               │                                                                      └─default─▶ quiet ✓
 *               └─default─▶ quiet ✓
 */
import { describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, when } from "../builders.ts";
import { FakeWorld } from "../fake-world.ts";

const scheme = buildScheme(
  startNode("s", "classify"),
  logicNode("classify", [
    when("root", ["eventName", "eq", "ConsoleLogin"], ["userIdentity.type", "eq", "Root"]),
    when("denied", ["errorCode", "regexp", "^AccessDenied"]),
    go("quiet"),
  ]),
  logicNode("root", [{
    type: "notify", channel: "security", severity: "critical", title: "Root console login",
    message: "Root signed in to {{recipientAccountId}} from {{sourceIPAddress}}", fields: { account: "{{recipientAccountId}}" }, err_node_id: "broken",
  }, go("alerted")]),
  logicNode("denied", [{ type: "api_sum", extra: [{ id: "denials", name: "Denials", value: "1" }] }, go("threshold")]),
  logicNode("threshold", [when("burst", ["{{node[denied].denials}}", "more_or_eq", "3", "number"]), go("quiet")]),
  logicNode("burst", [{ type: "notify", channel: "security", severity: "high", message: "{{node[denied].denials}} access denials", err_node_id: "broken" }, go("alerted")]),
  finalNode("alerted"),
  finalNode("quiet"),
  finalNode("broken", "error"),
);

describe("scenario: classify CloudTrail events and alert", () => {
  it("alerts once per root console login, with rendered fields", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme }], channels: ["security"] });
    const t = w.createTask("p", { eventName: "ConsoleLogin", userIdentity: { type: "Root" }, recipientAccountId: "123456789012", sourceIPAddress: "203.0.113.9" });
    expect(t.nodeId).toBe("alerted");
    expect(w.notifications).toEqual([expect.objectContaining({
      channel: "security", severity: "critical", title: "Root console login",
      message: "Root signed in to 123456789012 from 203.0.113.9", fields: { account: "123456789012" }, dedupKey: `${t.id}:root:1`,
    })]);
    expect(w.createTask("p", { eventName: "ConsoleLogin", userIdentity: { type: "IAMUser" } }).nodeId).toBe("quiet");
    expect(w.notifications).toHaveLength(1);
  });

  it("counts access denials in a Sum node and alerts when the total reaches 3", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme }], channels: ["security"] });
    for (let i = 0; i < 2; i++) expect(w.createTask("p", { errorCode: "AccessDenied" }).nodeId).toBe("quiet");
    expect(w.notifications).toHaveLength(0);
    expect(w.createTask("p", { errorCode: "AccessDeniedException" }).nodeId).toBe("alerted");
    expect(w.notifications.map((n) => n.message)).toEqual(["3 access denials"]);
  });

  it("takes the error exit when the channel is unknown", () => {
    const w = new FakeWorld({ processes: [{ id: "p", scheme }], channels: ["ops"] });
    const t = w.createTask("p", { eventName: "ConsoleLogin", userIdentity: { type: "Root" } });
    expect(t).toMatchObject({ nodeId: "broken", data: { __conveyor_notify_return_type_tag__: "notify_unknown_channel" } });
  });
});
