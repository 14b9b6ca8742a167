import { describe, expect, it } from "vitest";
import { errorOf, singleNode } from "../testing/single-node.ts";
import { customDedupKey } from "./notify.ts";

describe("Notify", () => {
  const logic = {
    type: "notify", channel: "{{team}}-alerts", title: "Root login in {{account}}", severity: "critical",
    message: "User {{user}} signed in from {{ip}} at $.date(%h:%i)", fields: { account: "{{account}}", ip: "{{ip}}" },
  };
  const data = { team: "sec", account: "111111111111", user: "root", ip: "1.2.3.4" };

  it("renders the alert into a notify command with a dedup key and continues", () => {
    const n = singleNode(logic, data);
    expect(n.entered.task.nodeId).toBe("ok");
    expect(n.entered.commands).toEqual([{
      key: "notify:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "notify",
      channel: "sec-alerts", title: "Root login in 111111111111", severity: "critical",
      message: "User root signed in from 1.2.3.4 at 10:00", fields: { account: "111111111111", ip: "1.2.3.4" },
      dedupKey: "t1:act:1",
    }]);
  });

  it("fails with notify_unknown_channel when the channel does not exist", () => {
    const n = singleNode(logic, data, { lookup: { channelExists: (c) => c === "ops-alerts" } });
    expect(n.entered.commands).toEqual([]);
    expect(n.entered.task.nodeId).toBe("err");
    expect(errorOf(n.entered.task.data, "notify")).toEqual({ type: "software", tag: "notify_unknown_channel", description: 'no channel "sec-alerts"' });
  });

  it("fails with notify_wrong_convert_param when a template function fails", () => {
    const n = singleNode({ ...logic, message: "$.math({{user}}*2)" }, data);
    expect(errorOf(n.entered.task.data, "notify").tag).toBe("notify_wrong_convert_param");
  });

  it("takes its dedup key from the dedup_key template when one is set, scoped to the channel", () => {
    const keyed = { ...logic, dedup_key: "{{eventID}}" };
    const a = singleNode(keyed, { ...data, eventID: "e-1" }).entered.commands[0] as { dedupKey: string };
    const again = singleNode(keyed, { ...data, eventID: "e-1", user: "someone else" }).entered.commands[0] as { dedupKey: string };
    const other = singleNode(keyed, { ...data, eventID: "e-2" }).entered.commands[0] as { dedupKey: string };
    const otherChannel = singleNode(keyed, { ...data, team: "ops", eventID: "e-1" }).entered.commands[0] as { dedupKey: string };
    expect(a.dedupKey).toBe(customDedupKey("sec-alerts", "e-1"));
    expect(a.dedupKey).toMatch(/^key:[0-9a-f]{40}$/);
    expect(again.dedupKey).toBe(a.dedupKey);
    expect(other.dedupKey).not.toBe(a.dedupKey);
    expect(otherChannel.dedupKey).not.toBe(a.dedupKey);
    // A template that renders empty falls back to task + node + visit.
    expect((singleNode(keyed, data).entered.commands[0] as { dedupKey: string }).dedupKey).toBe("t1:act:1");
  });
});
