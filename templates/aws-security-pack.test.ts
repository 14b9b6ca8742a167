import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findNode, parseCorezoidExport, validateProcess } from "@/engine/index";
import { FakeWorld } from "@/engine/testing/fake-world";
import { buildAwsSecurityPack, PACK_CHANNEL, PACK_IDS } from "./aws-security-pack.ts";
import { API_RULES, SIGNIN_FAILURE_RULE, SIGNIN_RULES } from "./rules.ts";

describe("AWS security pack (the generated export)", () => {
  it("is what templates/aws-security-pack.json holds (run npm run templates:build after a change)", () => {
    const file = JSON.parse(readFileSync(path.join(import.meta.dirname, "aws-security-pack.json"), "utf8"));
    expect(file).toEqual(JSON.parse(JSON.stringify(buildAwsSecurityPack())));
  });

  it("parses as a Corezoid export and every process validates without errors", () => {
    const exp = parseCorezoidExport(buildAwsSecurityPack());
    expect(exp.folders).toHaveLength(1);
    expect(exp.processes.map((p) => p.title)).toEqual(["AWS · 01 Event router", "AWS · 02 Non-API checks", "AWS · 03 API checks", "AWS · 04 Sign-in failure window"]);
    const known = Object.fromEntries(exp.processes.map((p) => [String(p.obj_id), { scheme: p.scheme, kind: p.conv_type ?? "process" }]));
    for (const p of exp.processes) {
      const errors = validateProcess(p.scheme, { knownProcesses: known as never, processKind: p.conv_type ?? "process" }).filter((i) => i.severity === "error");
      expect(errors, p.title).toEqual([]);
    }
  });

  it("covers the 10 AWS alarm-template rules and CIS 4.1–4.15 (4.2 and 4.6 in the sign-in checks)", () => {
    const refs = API_RULES.flatMap((r) => r.refs).join(" ");
    for (let i = 1; i <= 10; i++) if (i !== 8) expect(refs, `AWS #${i}`).toContain(`AWS #${i} `);
    for (const n of [1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]) expect(refs, `CIS 4.${n}`).toContain(`CIS 4.${n}`);
  });
});

/** The pack in a FakeWorld: the engine's real steps, in memory, on a clock the test moves. */
function packWorld() {
  const exp = parseCorezoidExport(buildAwsSecurityPack());
  return new FakeWorld({
    processes: exp.processes.map((p) => ({ id: String(p.obj_id), scheme: p.scheme, kind: p.conv_type === "state" ? ("state" as const) : ("process" as const) })),
    channels: [PACK_CHANNEL],
  });
}
const ROUTER = String(PACK_IDS.router);

/** The titles of the notify nodes that fired ("Alert: ..."), in order. */
function alerts(w: FakeWorld): string[] {
  return w.notifications.map((n) => findNode(w.process(n.processId)!.scheme, n.nodeId)!.title ?? "");
}

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0); // the FakeWorld clock's start
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"); // CloudTrail's eventTime: no fractions
let seq = 0;

/** A CloudTrail management event as a trail writes it (IAM user alice in 111122223333 unless overridden). */
function event(eventSource: string, eventName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const account = (overrides.recipientAccountId as string | undefined) ?? "111122223333";
  return {
    eventVersion: "1.08",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: `arn:aws:iam::${account}:user/alice`, accountId: account, accessKeyId: "AKIAEXAMPLE", userName: "alice" },
    eventTime: iso(T0), eventSource, eventName, awsRegion: "us-east-1", sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.15.0",
    requestParameters: {}, responseElements: null, requestID: `req-${++seq}`, eventID: `evt-${seq}`, readOnly: false,
    eventType: "AwsApiCall", managementEvent: true, recipientAccountId: account, eventCategory: "Management",
    ...overrides,
  };
}
const ec2 = (name: string, o: Record<string, unknown> = {}) => event("ec2.amazonaws.com", name, o);
function signIn(result: "Success" | "Failure", o: Record<string, unknown> = {}) {
  return event("signin.amazonaws.com", "ConsoleLogin", {
    eventType: "AwsConsoleSignIn", responseElements: { ConsoleLogin: result }, additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", MFAUsed: "No" },
    ...(result === "Failure" ? { errorMessage: "Failed authentication" } : {}), ...o,
  });
}
const ROOT = { type: "Root", principalId: "111122223333", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" };

describe("the pack's rules on one event each (FakeWorld)", () => {
  const A = (title: string) => `Alert: ${title}`;
  // [what, refs it exercises, events, the alerts expected (in order)]
  const table: Array<[string, string[], Array<Record<string, unknown>>, string[]]> = [
    ["security group rule added", ["AWS #1", "CIS 4.10"], [ec2("AuthorizeSecurityGroupIngress")], [A("Security group changed")]],
    ["security group deleted", ["AWS #1", "CIS 4.10"], [ec2("DeleteSecurityGroup")], [A("Security group changed")]],
    ["network ACL entry created", ["AWS #2", "CIS 4.11"], [ec2("CreateNetworkAclEntry")], [A("Network ACL changed")]],
    ["internet gateway attached", ["AWS #3", "CIS 4.12"], [ec2("AttachInternetGateway")], [A("Network gateway changed")]],
    ["VPC created", ["AWS #4", "CIS 4.14"], [ec2("CreateVpc")], [A("VPC changed")]],
    ["VPC peering accepted", ["AWS #4", "CIS 4.14"], [ec2("AcceptVpcPeeringConnection")], [A("VPC changed")]],
    ["instance stopped", ["AWS #5"], [ec2("StopInstances")], [A("EC2 instances changed")]],
    ["small instance launched (not #6)", ["AWS #5"], [ec2("RunInstances", { requestParameters: { instanceType: "t3.micro" } })], [A("EC2 instances changed")]],
    ["8xlarge instance launched", ["AWS #5", "AWS #6"], [ec2("RunInstances", { requestParameters: { instanceType: "m5.8xlarge" } })], [A("EC2 instances changed"), A("Large EC2 instance launched")]],
    ["4xlarge instance launched", ["AWS #5", "AWS #6"], [ec2("RunInstances", { requestParameters: { instanceType: "c5.4xlarge" } })], [A("EC2 instances changed"), A("Large EC2 instance launched")]],
    ["logging stopped", ["AWS #7", "CIS 4.5"], [event("cloudtrail.amazonaws.com", "StopLogging")], [A("CloudTrail configuration changed")]],
    ["trail deleted", ["AWS #7", "CIS 4.5"], [event("cloudtrail.amazonaws.com", "DeleteTrail")], [A("CloudTrail configuration changed")]],
    ["3 failed console sign-ins within 5 minutes", ["AWS #8", "CIS 4.6"], [signIn("Failure"), signIn("Failure"), signIn("Failure")], [A("sign-in failures")]],
    ["2 failed console sign-ins", [], [signIn("Failure"), signIn("Failure")], []],
    ["EC2 UnauthorizedOperation", ["AWS #9", "CIS 4.1"], [ec2("TerminateInstances", { errorCode: "Client.UnauthorizedOperation", errorMessage: "You are not authorized" })], [A("Unauthorized API call"), A("EC2 instances changed")]],
    ["S3 AccessDenied", ["AWS #9", "CIS 4.1"], [event("s3.amazonaws.com", "GetObject", { errorCode: "AccessDenied", readOnly: true })], [A("Unauthorized API call")]],
    ["throttled call (not an authorization failure)", [], [ec2("DescribeInstances", { errorCode: "Client.RequestLimitExceeded", readOnly: true })], []],
    ["IAM user policy put", ["AWS #10", "CIS 4.4"], [event("iam.amazonaws.com", "PutUserPolicy")], [A("IAM policy changed")]],
    ["IAM CreatePolicy: not the Organizations rule", ["AWS #10", "CIS 4.4"], [event("iam.amazonaws.com", "CreatePolicy")], [A("IAM policy changed")]],
    ["console sign-in without MFA", ["CIS 4.2"], [signIn("Success")], [A("Console sign-in without MFA")]],
    ["console sign-in with MFA", [], [signIn("Success", { additionalEventData: { MFAUsed: "Yes" } })], []],
    ["console sign-in of an assumed role (not an IAM user)", [], [signIn("Success", { userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/Admin/bob", accountId: "111122223333" } })], []],
    ["root API call", ["CIS 4.3"], [event("iam.amazonaws.com", "CreateAccessKey", { userIdentity: ROOT })], [A("Root account used")]],
    ["root call made by a service for root (invokedBy)", [], [event("iam.amazonaws.com", "GetAccountSummary", { userIdentity: { ...ROOT, invokedBy: "support.amazonaws.com" }, readOnly: true })], []],
    ["root console sign-in", ["CIS 4.3"], [signIn("Success", { userIdentity: ROOT, additionalEventData: { MFAUsed: "Yes" } })], [A("Root console sign-in")]],
    ["KMS key disabled", ["CIS 4.7"], [event("kms.amazonaws.com", "DisableKey")], [A("KMS key disabled or scheduled for deletion")]],
    ["KMS key deletion scheduled", ["CIS 4.7"], [event("kms.amazonaws.com", "ScheduleKeyDeletion")], [A("KMS key disabled or scheduled for deletion")]],
    ["S3 bucket policy put", ["CIS 4.8"], [event("s3.amazonaws.com", "PutBucketPolicy")], [A("S3 bucket policy changed")]],
    ["S3 bucket lifecycle deleted", ["CIS 4.8"], [event("s3.amazonaws.com", "DeleteBucketLifecycle")], [A("S3 bucket policy changed")]],
    ["Config recorder stopped", ["CIS 4.9"], [event("config.amazonaws.com", "StopConfigurationRecorder")], [A("AWS Config changed")]],
    ["route created", ["CIS 4.13"], [ec2("CreateRoute")], [A("Route table changed")]],
    ["route table disassociated", ["CIS 4.13"], [ec2("DisassociateRouteTable")], [A("Route table changed")]],
    ["Organizations policy updated", ["CIS 4.15"], [event("organizations.amazonaws.com", "UpdatePolicy")], [A("AWS Organizations changed")]],
    ["account invited to the organization", ["CIS 4.15"], [event("organizations.amazonaws.com", "InviteAccountToOrganization")], [A("AWS Organizations changed")]],
    // The AWS template's #10 and CIS 4.4 filters name CreatePolicy without an eventSource, so an
    // Organizations CreatePolicy matches both, as it does in CloudWatch.
    ["Organizations CreatePolicy", ["CIS 4.15", "AWS #10", "CIS 4.4"], [event("organizations.amazonaws.com", "CreatePolicy")], [A("IAM policy changed"), A("AWS Organizations changed")]],
    ["DescribeInstances", [], [ec2("DescribeInstances", { readOnly: true })], []],
    ["DescribeSecurityGroups", [], [ec2("DescribeSecurityGroups", { readOnly: true })], []],
    ["DescribeVpcs", [], [ec2("DescribeVpcs", { readOnly: true })], []],
    ["DescribeTrails", [], [event("cloudtrail.amazonaws.com", "DescribeTrails", { readOnly: true })], []],
    ["S3 GetBucketPolicy", [], [event("s3.amazonaws.com", "GetBucketPolicy", { readOnly: true })], []],
    ["spot instance fulfilled (service event)", [], [event("ec2.amazonaws.com", "BidFulfilledEvent", { eventType: "AwsServiceEvent", userIdentity: { accountId: "111122223333", invokedBy: "ec2.amazonaws.com" }, serviceEventDetails: { instanceIdSet: ["i-0abc"] } })], []],
  ];

  it.each(table)("%s", (_what, _refs, events, expected) => {
    const w = packWorld();
    for (const e of events) {
      const routed = w.createTask(ROUTER, e);
      expect(routed, "routed").toMatchObject({ status: "finished", finalKind: "success" });
    }
    // Every classifier task ends in its "Checked" final (nothing stuck or failed on the way).
    for (const id of [PACK_IDS.nonApi, PACK_IDS.api]) {
      for (const t of w.tasksOf(String(id))) expect(findNode(w.process(String(id))!.scheme, t.nodeId)!.title, `${t.data.eventName}`).toBe("Checked");
    }
    expect(alerts(w)).toEqual(expected);
  });

  it("the table covers the 10 AWS alarm-template rules and CIS 4.1–4.15", () => {
    const covered = new Set(table.flatMap(([, refs]) => refs));
    const all = [...Array.from({ length: 10 }, (_, i) => `AWS #${i + 1}`), ...Array.from({ length: 15 }, (_, i) => `CIS 4.${i + 1}`)];
    expect(all.filter((r) => !covered.has(r))).toEqual([]);
    // Each ref the table names is one the rules carry.
    const carried = [...API_RULES, ...SIGNIN_RULES, SIGNIN_FAILURE_RULE].flatMap((r) => r.refs).join(" ");
    for (const r of covered) expect(carried, r).toContain(r);
  });

  it("an alert says who, what, where, from which IP, with the account's alias", () => {
    const w = packWorld();
    w.createTask(ROUTER, event("cloudtrail.amazonaws.com", "StopLogging", { recipientAccountId: "123456789012" }));
    expect(w.notifications).toHaveLength(1);
    expect(w.notifications[0]).toMatchObject({
      channel: PACK_CHANNEL, severity: "critical", title: "CloudTrail configuration changed: StopLogging in Demo Account",
      message: `CloudTrail configuration changed — arn:aws:iam::123456789012:user/alice called StopLogging (cloudtrail.amazonaws.com) in account Demo Account (123456789012), region us-east-1, from 198.51.100.7 at ${iso(T0)}.`,
    });
  });
});

describe("console sign-in failures: 3 within 5 minutes per account, a sliding window over eventTime (FakeWorld)", () => {
  const failureAt = (sec: number, account = "111122223333") => signIn("Failure", { eventTime: iso(T0 + sec * 1000), recipientAccountId: account, userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${account}:user/mallory`, accountId: account, userName: "mallory" }, sourceIPAddress: "203.0.113.9" });
  /** Posts failures at these offsets (seconds); live: the clock moves with the event times (EventBridge), else they arrive together (one log file). */
  function run(w: FakeWorld, offsets: number[], { live = false, account = "111122223333" } = {}) {
    const after: number[] = [];
    for (const sec of offsets) {
      if (live) w.clock.set(T0 + sec * 1000 + 5_000); // delivered 5 s after the event
      w.createTask(ROUTER, failureAt(sec, account));
      after.push(alerts(w).length);
    }
    return after; // alerts so far, after each failure
  }

  it("3 failures within 5 minutes alert once, on the third", () => {
    const w = packWorld();
    expect(run(w, [0, 60, 120], { live: true })).toEqual([0, 0, 1]);
    expect(alerts(w)).toEqual(["Alert: sign-in failures"]);
    expect(w.notifications[0]).toMatchObject({
      severity: "high", title: "3 failed console sign-ins in 111122223333",
      message: `Console sign-in failures — 3 failed console sign-ins within 120 seconds (at most 5 minutes apart) in account 111122223333 (111122223333); the last one by mallory from 203.0.113.9 at ${iso(T0 + 120_000)}.`,
    });
    expect(w.notifications[0].fields).toMatchObject({ Rule: "AWS #8 ConsoleSignInFailures, CIS 4.6, CloudWatch.6", "Last failure": iso(T0 + 120_000) });
  });

  it("failures at 200 s, 400 s and 450 s alert although a window opened at 0 s would split them", () => {
    const live = packWorld();
    expect(run(live, [0, 200, 400, 450], { live: true })).toEqual([0, 0, 0, 1]);
    // The same failures arriving together in one log file: it is the event times that count.
    const batch = packWorld();
    expect(run(batch, [0, 200, 400, 450])).toEqual([0, 0, 0, 1]);
  });

  it("3 failures spread over more than 5 minutes do not alert, even when they arrive together", () => {
    const w = packWorld();
    expect(run(w, [0, 150, 301])).toEqual([0, 0, 0]);
    const live = packWorld();
    expect(run(live, [0, 200, 400, 601, 900], { live: true })).toEqual([0, 0, 0, 0, 0]);
    // The window slides: a fourth failure makes 150, 301, 320 three within 5 minutes.
    expect(run(w, [320])).toEqual([1]);
  });

  it("after an alert, counting starts again: 3 new failures are needed", () => {
    const w = packWorld();
    expect(run(w, [0, 10, 20, 30, 40, 50], { live: true })).toEqual([0, 0, 1, 1, 1, 2]);
  });

  it("a late record (an older file delivered afterwards) is placed by its event time", () => {
    const w = packWorld();
    expect(run(w, [400, 500, 250])).toEqual([0, 0, 1]);
    const w2 = packWorld();
    expect(run(w2, [400, 1000, 0])).toEqual([0, 0, 0]);
  });

  it("counts each account separately", () => {
    const w = packWorld();
    run(w, [0, 30], { account: "111122223333" });
    run(w, [40], { account: "444455556666" });
    expect(alerts(w)).toEqual([]);
    const windows = w.tasksOf(String(PACK_IDS.window));
    expect(windows.map((t) => [t.ref, t.data.count]).sort()).toEqual([["111122223333", "2"], ["444455556666", "1"]]);
    expect(run(w, [50, 60], { account: "444455556666" })).toEqual([0, 1]);
    expect(w.notifications[0].title).toBe("3 failed console sign-ins in 444455556666");
    expect(run(w, [70], { account: "111122223333" })).toEqual([2]);
    expect(w.notifications[1].title).toBe("3 failed console sign-ins in 111122223333");
  });
});
