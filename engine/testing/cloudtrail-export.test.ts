/*
 * The real Corezoid export of the CloudTrail example (folder 106317), loaded unchanged.
 *
 *   01 - Event router (164331)
 *   Start ─▶ Map ID to Alias ──123456789012──▶ Demo Account (AccountAlias="Demo Account") ─┐
 *                 │ └───────010101010101──▶ Another One (recipientAccountId="Corezoid Dev")─┤
 *                 └─default─▶ Final ✗                                                      ▼
 *                         ┌─AwsConsoleSignIn|AwsServiceEvent─ Route by Event Type ─default─▶ Non-classified ✗
 *                         ▼                                         └─AwsApiCall─▶ Api Events (copy → 164332) ─▶ Final ✓
 *                 Non-Api Events (copy → 164330) ─▶ Final ✓
 *                         └─error─▶ [esc: crash_api|copy_task_timeout|copy_task_fatal_error] ─▶ Delay 30 s ─▶ back
 *                                         └─access_denied / default─▶ Final ✗
 *
 *   02 - Non-Api checks (164330)
 *   Start ─▶ Classifier ─AwsConsoleSignIn─▶ Console Sign-in ─Failure─▶ Sign-In Failure ─▶ Check MFA usage
 *                                                                    ─No─▶ Using MFA False ─▶ Set Message Channel
 *            ─▶ Prepare Message ─▶ Message Router ─MyChannel─▶ "Add your delivery logic here" ✓
 *
 *   03 - Api checks (164332): Start ─▶ Final
 */
import { describe, expect, it } from "vitest";
import { parseCorezoidExport } from "../model/corezoid-export.ts";
import { findNode } from "../model/scheme.ts";
import { deepEqual } from "../util/json.ts";
import { FakeWorld } from "./fake-world.ts";
import exportFile from "./fixtures/106317_folder.json";

const ROUTER = "164331";
const NON_API = "164330";
const API = "164332";

const N = {
  routerSuccess: "57f2c099f6c376245c0a1664",
  routerUnknownAccount: "57f2c099f6c376245c0a1672",
  nonApiCopy: "57f2c099f6c376245c0a1665",
  nonApiEscalation: "57f2c099f6c376245c0a1666",
  nonApiDelay: "57f2c099f6c376245c0a1668",
  nonApiCopyError: "57f2c099f6c376245c0a1669",
  delivery: "57f2c1e360e3272c83d97f41",
  apiChecksFinal: "57f2c099f6c376245c0a1679",
};

function signInEvent(overrides: Record<string, unknown> = {}) {
  return {
    eventVersion: "1.05",
    userIdentity: { type: "IAMUser", userName: "JohnDoe", accountId: "111111111111" },
    eventTime: "2016-10-03T10:00:00Z",
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    sourceIPAddress: "159.224.244.142",
    responseElements: { ConsoleLogin: "Failure" },
    additionalEventData: { MFAUsed: "No", LoginTo: "https://console.aws.amazon.com/console/home" },
    eventType: "AwsConsoleSignIn",
    recipientAccountId: "010101010101",
    ...overrides,
  };
}

function world(options: ConstructorParameters<typeof FakeWorld>[0]["copyFailure"] = undefined) {
  const exp = parseCorezoidExport(exportFile);
  return new FakeWorld({
    processes: exp.processes.map((p) => ({ id: String(p.obj_id), scheme: p.scheme, kind: p.conv_type === "state" ? "state" : "process" })),
    copyFailure: options,
  });
}

describe("the CloudTrail export (106317_folder.json)", () => {
  it("parses unchanged: one folder, three processes, every node kept as exported", () => {
    const exp = parseCorezoidExport(exportFile);
    expect(exp.folders.map((f) => f.title)).toEqual(["CloudTrail Event Processing"]);
    expect(exp.processes.map((p) => [p.obj_id, p.title])).toEqual([
      [164332, "03 - Api checks"], [164331, "01 - Event router"], [164330, "02 - Non-Api checks"],
    ]);
    const raw = exportFile as unknown as Array<{ scheme?: unknown }>;
    exp.processes.forEach((p, i) => expect(deepEqual(p.scheme, raw[i].scheme)).toBe(true));
    // UI bookkeeping on logics passes through.
    const copy = findNode(exp.processes[1].scheme, N.nonApiCopy)!.condition.logics[0];
    expect(copy).toMatchObject({ type: "api_copy", conv_id: 164330, convTitle: "AwsNonApiChecks", user_id: 2, id: "43ce79e8-8aa2-4d9b-aa65-d8d304ad3878" });
  });

  it("routes a failed console sign-in into 02 - Non-Api checks and builds the published message", () => {
    const w = world();
    const routed = w.createTask(ROUTER, signInEvent());
    expect(routed).toMatchObject({ status: "finished", finalKind: "success", nodeId: N.routerSuccess });

    const copies = w.tasksOf(NON_API);
    expect(copies).toHaveLength(1);
    const done = copies[0];
    expect(done).toMatchObject({ status: "finished", finalKind: "success", nodeId: N.delivery });
    expect(findNode(w.process(NON_API)!.scheme, done.nodeId)!.title).toBe("Add your delivery logic here");
    expect(done.data.recipientAccountId).toBe('"Corezoid Dev"');
    expect(done.data.MyEventDetails).toBe('Failed to login in account "Corezoid Dev" from ip 159.224.244.142');
    expect(done.data.MfaUsage).toBe("False");
    expect(done.data.MessageChannel).toBe("MyChannel");
    expect(done.data.Message).toBe(
      'User: JohnDoe\\nAccount: 111111111111\\nMFA: False\\nType: IAMUser\\n\\nFailed to login in account "Corezoid Dev" from ip 159.224.244.142',
    );
    expect(w.trails.get(done.id)!.map((e) => e.title)).toEqual([
      "Start", "Classifier", "Console Sign-in", "Sign-In Failure", "Check MFA usage", "Using MFA False",
      "Set Message Channel", "Prepare Message", "Message Router", "Add your delivery logic here",
    ]);
    // The router's copy is a create in conv 164330 with all parameters.
    const create = w.commands.find((c) => c.type === "createTask");
    expect(create).toMatchObject({ type: "createTask", purpose: "copy", convId: "164330", ref: null });
    expect(w.tasksOf(API)).toHaveLength(0);
  });

  it("sends an AwsApiCall event to 03 - Api checks", () => {
    const w = world();
    w.createTask(ROUTER, signInEvent({ eventType: "AwsApiCall", eventName: "DescribeInstances" }));
    expect(w.tasksOf(NON_API)).toHaveLength(0);
    const [apiTask] = w.tasksOf(API);
    expect(apiTask).toMatchObject({ status: "finished", nodeId: N.apiChecksFinal });
    expect(apiTask.data.eventName).toBe("DescribeInstances");
  });

  it("ends an unknown account in the router's error final", () => {
    const w = world();
    const t = w.createTask(ROUTER, signInEvent({ recipientAccountId: "999999999999" }));
    expect(t).toMatchObject({ status: "finished", finalKind: "error", nodeId: N.routerUnknownAccount });
    expect(w.tasksOf(NON_API)).toHaveLength(0);
  });

  it("retries a crashed copy through the escalation node and the 30 s delay, as drawn", () => {
    let failures = 1;
    const w = world(() => (failures-- > 0 ? { errorTag: "crash_api", description: "target unavailable" } : null));
    const t = w.createTask(ROUTER, signInEvent());

    expect(t).toMatchObject({ status: "waiting", nodeId: N.nonApiDelay, waiting: { kind: "delay" } });
    expect(t.data).toMatchObject({
      __conveyor_copy_task_return_type_error__: "hardware",
      __conveyor_copy_task_return_type_tag__: "crash_api",
      __conveyor_copy_task_return_description__: "target unavailable",
    });
    expect(w.trails.get(t.id)!.slice(-3).map((e) => [e.nodeId, e.via])).toEqual([
      [N.nonApiCopy, "resume"], [N.nonApiEscalation, "error"], [N.nonApiDelay, "condition"],
    ]);
    expect(w.tasksOf(NON_API)).toHaveLength(0);

    w.advance(29_000);
    expect(w.task(t.id).nodeId).toBe(N.nonApiDelay);
    w.advance(1_000);
    expect(w.task(t.id)).toMatchObject({ status: "finished", finalKind: "success", nodeId: N.routerSuccess });
    expect(w.task(t.id).visits[N.nonApiCopy]).toBe(2);
    expect(w.tasksOf(NON_API)[0]).toMatchObject({ nodeId: N.delivery });
  });

  it("ends a copy refused with access_denied in the cluster's error final", () => {
    const w = world(() => ({ errorTag: "access_denied" }));
    const t = w.createTask(ROUTER, signInEvent());
    expect(t).toMatchObject({ status: "finished", finalKind: "error", nodeId: N.nonApiCopyError });
    expect(t.data.__conveyor_copy_task_return_type_error__).toBe("software");
    expect(w.timers.size).toBe(0);
  });
});
