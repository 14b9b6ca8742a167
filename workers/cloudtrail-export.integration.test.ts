import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCorezoidExport } from "../server/processes/import-corezoid.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";

/**
 * The real Corezoid export of the CloudTrail example (../shared/corezoid/106317_folder.json)
 * imports unchanged and runs on the real worker. The example's published result is the oracle.
 *
 *   01 - Event router: Start ─▶ Map ID to Alias ─▶ (Demo Account | Another One) ─▶ Route by Event Type
 *        ─▶ Non-Api Events (copy ─▶ 02) | Api Events (copy ─▶ 03) ─▶ Final;  copy errors ─▶ escalation ─▶ delay 30 s ↺ | error final
 *   02 - Non-Api checks: Classifier ─▶ Console Sign-in ─▶ Sign-In Failure ─▶ Check MFA ─▶ Set Message Channel ─▶ Prepare Message ─▶ Message Router ─▶ "Add your delivery logic here"
 *   03 - Api checks: Start ─▶ Final
 */
const exportFile = path.resolve(import.meta.dirname, "../../shared/corezoid/106317_folder.json");
let h: Harness;
let ids: Record<string, number>;

beforeAll(async () => {
  h = await createHarness();
  const res = await importCorezoidExport({ db: h.db, json: JSON.parse(readFileSync(exportFile, "utf8")) });
  ids = Object.fromEntries(res.processes.map((p) => [p.originalId!, p.id]));
});
afterAll(async () => {
  await h?.close();
});

const signInFailure = {
  eventType: "AwsConsoleSignIn", eventName: "ConsoleLogin", recipientAccountId: "010101010101", sourceIPAddress: "159.224.244.142",
  responseElements: { ConsoleLogin: "Failure" }, additionalEventData: { MFAUsed: "No" },
  userIdentity: { type: "IAMUser", userName: "JohnDoe", accountId: "111111111111" },
};

async function finalOf(taskId: string) {
  const t = await h.waitFor("task finished", () => h.db.task.findUniqueOrThrow({ where: { id: taskId } }), (x) => x.status === "finished");
  const version = await h.db.processVersion.findUniqueOrThrow({ where: { id: t.versionId } });
  const node = (version.scheme as { nodes: Array<{ id: string; title: string }> }).nodes.find((n) => n.id === t.nodeId)!;
  return { task: t, title: node.title, data: t.data as Record<string, unknown> };
}

describe("the CloudTrail example export (real worker)", () => {
  it("imports as three published processes with the copy targets re-mapped", async () => {
    expect(Object.keys(ids).sort()).toEqual(["164330", "164331", "164332"]);
    const router = await h.db.process.findUniqueOrThrow({ where: { id: ids["164331"] }, include: { publishedVersion: true } });
    const logics = (router.publishedVersion!.scheme as { nodes: Array<{ condition: { logics: Array<{ type: string; conv_id?: number }> } }> }).nodes.flatMap((n) => n.condition.logics);
    expect(logics.filter((l) => l.type === "api_copy").map((l) => l.conv_id).sort()).toEqual([ids["164330"], ids["164332"]].sort());
  });

  it("a console sign-in failure is routed into 02 and ends in \"Add your delivery logic here\" with the published values", async () => {
    const [routerTask] = await h.submit(ids["164331"], [{ data: signInFailure }]);
    const routed = await finalOf(routerTask);
    expect(routed.data.__conveyor_copy_task_result__).toBe("ok");
    const child = await h.waitFor("copy in 02", () => h.db.task.findFirst({ where: { processId: ids["164330"] } }), (t) => t !== null);
    const out = await finalOf(child!.id);
    expect(out.title).toBe("Add your delivery logic here");
    expect(out.data).toMatchObject({
      recipientAccountId: '"Corezoid Dev"',
      MyEventDetails: 'Failed to login in account "Corezoid Dev" from ip 159.224.244.142',
      MfaUsage: "False",
      MessageChannel: "MyChannel",
      Message: 'User: JohnDoe\\nAccount: 111111111111\\nMFA: False\\nType: IAMUser\\n\\nFailed to login in account "Corezoid Dev" from ip 159.224.244.142',
    });
  });

  it("an AwsApiCall event ends in 03 - Api checks", async () => {
    const before = await h.db.task.count({ where: { processId: ids["164332"] } });
    const [t] = await h.submit(ids["164331"], [{ data: { ...signInFailure, eventType: "AwsApiCall", eventName: "CreateTrail" } }]);
    await finalOf(t);
    const tasks = await h.waitFor("copy in 03", () => h.db.task.findMany({ where: { processId: ids["164332"] } }), (x) => x.length === before + 1);
    expect((await finalOf(tasks[tasks.length - 1].id)).title).toBe("Final");
  });

  it("an unknown account ends in the router's error final", async () => {
    const [t] = await h.submit(ids["164331"], [{ data: { ...signInFailure, recipientAccountId: "999999999999" } }]);
    const out = await finalOf(t);
    expect(out.task.nodeId).toBe("57f2c099f6c376245c0a1672");
    expect(out.task.finalKind).toBe("error");
  });

  it("a copy that fails goes through the copy node's escalation node to its error final", async () => {
    await h.db.process.update({ where: { id: ids["164330"] }, data: { status: "paused" } });
    await new Promise((r) => setTimeout(r, 1100)); // workers cache a process's status for up to a second
    try {
      const [t] = await h.submit(ids["164331"], [{ data: signInFailure }]);
      const out = await finalOf(t);
      expect(out.data).toMatchObject({ __conveyor_copy_task_return_type_tag__: "conveyor_is_not_active" });
      expect(out.task.finalKind).toBe("error");
      expect((await h.path(t)).map((p) => p.nodeId)).toContain("57f2c099f6c376245c0a1666");
    } finally {
      await h.db.process.update({ where: { id: ids["164330"] }, data: { status: "active" } });
    }
  });
});
