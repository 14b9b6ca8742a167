import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretBox } from "@/server/crypto/secret-box";
import { createSinkChannel } from "@/server/alerts/testing/sink-channel";
import type { HttpReceiver } from "@/server/alerts/testing/receivers";
import { createSource } from "@/server/ingest/sources";
import { importCorezoidExport } from "@/server/processes/import-corezoid";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";
import { buildAwsSecurityPack, PACK_CHANNEL, PACK_IDS } from "./aws-security-pack.ts";

/**
 * The pack on the real worker, fed the real sample log files through the real
 * ingest route in three formats. The oracle is the samples' README:
 * CloudTrail-config changes 3, security-group changes 2, unauthorized/AccessDenied 2,
 * console login without MFA 1, EC2 instance changes 1 — and no other rule.
 */
Object.assign(process.env, testEnv());
const { POST } = await import("@/app/api/ingest/cloudtrail/[sourceId]/route");

const samples = path.resolve(import.meta.dirname, "../../shared/cloudtrail-samples");
const read = (f: string) => readFileSync(path.join(samples, f));
let h: Harness;
let ids: Record<string, number>;
let source: { id: string; credential: string };
let sink: HttpReceiver;

beforeAll(async () => {
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true" } });
  // The pack's alerts go to this channel; a notify to a missing channel takes its error exit.
  sink = await createSinkChannel({ db: h.db, encryptionKey: h.config.ENCRYPTION_KEY, name: PACK_CHANNEL });
  const res = await importCorezoidExport({ db: h.db, json: buildAwsSecurityPack() });
  ids = Object.fromEntries(res.processes.map((p) => [p.originalId!, p.id]));
  source = await createSource({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), name: "pack", processId: ids[String(PACK_IDS.router)], authType: "bearer" });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

async function ingest(body: Buffer | string, headers: Record<string, string> = {}) {
  const req = new Request(`http://localhost/api/ingest/cloudtrail/${source.id}`, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { authorization: `Bearer ${source.credential}`, ...headers } });
  const res = await POST(req, { params: Promise.resolve({ sourceId: source.id }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number };
}

/** How many tasks passed each "Alert: ..." node of the pack's processes. */
async function alertHits(): Promise<Record<string, number>> {
  const { rows } = await h.pool.query<{ title: string; n: number }>(
    `SELECT n->>'title' AS title, count(*)::int AS n
     FROM task_history th
     CROSS JOIN LATERAL jsonb_array_elements(th.data->'path') p
     JOIN task t ON t.id = th.task_id
     JOIN process_version v ON v.id = t.version_id
     CROSS JOIN LATERAL jsonb_array_elements(v.scheme->'nodes') n
     WHERE n->>'id' = p->>'nodeId' AND n->>'title' LIKE 'Alert:%' AND th.process_id = ANY($1::int[])
     GROUP BY 1`,
    [Object.values(ids)],
  );
  return Object.fromEntries(rows.map((r) => [r.title, r.n]));
}

describe("the AWS security pack on the sample CloudTrail files", () => {
  it("routes every record and raises exactly the alerts the samples' README lists", async () => {
    const [f1, f2, f3] = ["218007301253_CloudTrail_us-east-1_20230710T1205Z_SjF3IkuNXJkoHyar.json", "218007301253_CloudTrail_us-east-1_20230710T1215Z_P0WZuP2zvLW2RcUo.json", "218007301253_CloudTrail_us-east-1_20230710T1225Z_4iD2boYSOwmb6sWd.json"];
    expect((await ingest(read(`${f1}.gz`))).accepted).toBe(26); // the real S3 object: gzip
    expect((await ingest(JSON.stringify(JSON.parse(read(f2).toString()).Records))).accepted).toBe(33); // a JSON array
    expect((await ingest(gzipSync(read(f3)), { "content-encoding": "gzip" })).accepted).toBe(12); // log file, Content-Encoding
    const classifiers = [ids[String(PACK_IDS.nonApi)], ids[String(PACK_IDS.api)]];
    await h.waitFor("71 records classified", () => h.db.task.count({ where: { processId: { in: classifiers }, status: "finished" } }), (n) => n === 71, 30_000);
    expect(await h.db.task.count({ where: { processId: ids[String(PACK_IDS.router)], status: "finished", finalKind: "success" } })).toBe(71);

    expect(await alertHits()).toEqual({
      "Alert: CloudTrail configuration changed": 3,
      "Alert: Security group changed": 2,
      "Alert: Unauthorized API call": 2,
      "Alert: Console sign-in without MFA": 1,
      "Alert: EC2 instances changed": 1,
    });
    // The alert says who, what, where and from which IP, with the account's alias.
    const { rows } = await h.pool.query<{ title: string; message: string; fields: Record<string, string> }>(
      "SELECT title, message, fields FROM alert WHERE kind = 'notify' AND title LIKE 'CloudTrail configuration changed: StopLogging%' AND process_id = ANY($1::int[])",
      [Object.values(ids)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].message).toBe("CloudTrail configuration changed — arn:aws:iam::123837392027:user/bert-jan called StopLogging (cloudtrail.amazonaws.com) in account 123837392027 (123837392027), region us-east-1, from 192.168.10.20 at 2023-07-10T12:01:27Z.");
    expect(rows[0].fields).toMatchObject({ Who: "arn:aws:iam::123837392027:user/bert-jan", Account: "123837392027 (123837392027)", "Source IP": "192.168.10.20", Rule: "AWS #7 CloudTrailChanges, CIS 4.5, CloudWatch.5" });
  });

  it("alerts on console sign-in failures at 3 within 5 minutes per account, not before", async () => {
    const failure = (i: number, account: string) => ({
      eventID: `fail-${account}-${i}`, eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn", eventSource: "signin.amazonaws.com", recipientAccountId: account,
      sourceIPAddress: "203.0.113.9", errorMessage: "Failed authentication", responseElements: { ConsoleLogin: "Failure" }, additionalEventData: { MFAUsed: "No" },
      userIdentity: { type: "IAMUser", userName: "mallory", accountId: account, arn: `arn:aws:iam::${account}:user/mallory` }, awsRegion: "us-east-1", eventTime: "2023-07-10T12:00:00Z",
    });
    const before = (await alertHits())["Alert: sign-in failures"] ?? 0;
    const window = ids[String(PACK_IDS.window)];
    for (let i = 0; i < 2; i++) await ingest(JSON.stringify([failure(i, "111122223333")]));
    await ingest(JSON.stringify([failure(0, "444455556666")]));
    const state = () => h.db.task.findMany({ where: { processId: window, status: "waiting" }, select: { ref: true, data: true } });
    await h.waitFor("two accounts counted", state, (s) => s.length === 2 && s.some((t) => (t.data as { count?: string }).count === "2"), 20_000);
    expect((await alertHits())["Alert: sign-in failures"] ?? 0).toBe(before);
    await ingest(JSON.stringify([failure(2, "111122223333")]));
    await h.waitFor("third failure alerts", alertHits, (a) => (a["Alert: sign-in failures"] ?? 0) === before + 1, 20_000);
    const counted = await state();
    expect(counted.find((t) => t.ref === "111122223333")?.data).toMatchObject({ count: "0" }); // reset after the alert
    expect(counted.find((t) => t.ref === "444455556666")?.data).toMatchObject({ count: "1" });
  });
});
