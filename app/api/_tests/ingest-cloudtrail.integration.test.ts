import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "@/engine/testing/builders";
import { createSecretBox } from "@/server/crypto/secret-box";
import { ingestSignature } from "@/server/ingest/source-auth";
import { createSource } from "@/server/ingest/sources";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";

/**
 * CloudTrail ingestion through its real route handler with the real sample
 * log files (../shared/cloudtrail-samples): every format, dedup on a second
 * post, and every rejection — each a clear 4xx that creates no task.
 */
let sns: Server;
let snsHits: string[] = [];
const snsPort = 47000 + (process.pid % 1000);
Object.assign(process.env, testEnv(), { SNS_CONFIRM_HOST_PATTERN: `^127\\.0\\.0\\.1:${snsPort}$`, INGEST_MAX_RECORDS: "100", INGEST_MAX_REQUEST_BYTES: String(64 * 1024), INGEST_MAX_BYTES: String(256 * 1024) });
const { POST } = await import("@/app/api/ingest/cloudtrail/[sourceId]/route");

const samples = path.resolve(import.meta.dirname, "../../../../shared/cloudtrail-samples");
const file = (name: string) => readFileSync(path.join(samples, name));
const F1 = "218007301253_CloudTrail_us-east-1_20230710T1205Z_SjF3IkuNXJkoHyar.json";
const F2 = "218007301253_CloudTrail_us-east-1_20230710T1215Z_P0WZuP2zvLW2RcUo.json";
const F3 = "218007301253_CloudTrail_us-east-1_20230710T1225Z_4iD2boYSOwmb6sWd.json";
const records = (name: string) => (JSON.parse(file(name).toString()) as { Records: Array<Record<string, unknown>> }).Records;

let h: Harness;
let processId: number;
let bearer: { id: string; credential: string };
let hmac: { id: string; credential: string };

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  processId = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "ingest target" });
  const box = createSecretBox(h.config.ENCRYPTION_KEY);
  bearer = await createSource({ db: h.db, box, name: "bearer", processId, authType: "bearer" });
  hmac = await createSource({ db: h.db, box, name: "hmac", processId, authType: "hmac", replayWindowSec: 300 });
  sns = createServer((req, res) => {
    snsHits.push(req.url ?? "");
    res.end("<ConfirmSubscriptionResponse/>");
  }).listen(snsPort, "127.0.0.1");
});
afterAll(async () => {
  sns?.close();
  await h?.close();
});

async function post(sourceId: string, body: Buffer | string, headers: Record<string, string> = {}, query = "") {
  const req = new Request(`http://localhost/api/ingest/cloudtrail/${sourceId}${query}`, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { "content-type": "application/json", ...headers } });
  const res = await POST(req, { params: Promise.resolve({ sourceId }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}
const auth = () => ({ authorization: `Bearer ${bearer.credential}` });
const taskCount = () => h.db.task.count({ where: { processId } });

describe("CloudTrail ingestion (route handler, real PostgreSQL/Redis)", () => {
  it("a log file {Records}: every record becomes a task with ref = eventID; a redelivery creates none", async () => {
    const first = await post(bearer.id, file(F2), auth());
    expect(first).toMatchObject({ status: 200, json: { records: 33, accepted: 33, duplicates: 0, format: "log-file" } });
    const refs = (await h.db.task.findMany({ where: { processId }, select: { ref: true } })).map((t) => t.ref).sort();
    expect(refs).toEqual(records(F2).map((r) => r.eventID).sort());
    // The first tasks finish (a worker runs them), then the file arrives again.
    await h.db.task.updateMany({ where: { processId }, data: { status: "finished" } });
    const again = await post(bearer.id, file(F2), auth());
    expect(again.json).toMatchObject({ records: 33, accepted: 0, duplicates: 33 });
    expect(await taskCount()).toBe(33);
  });

  it("gzip, by Content-Encoding or by its magic bytes (the real S3 object)", async () => {
    const byHeader = await post(bearer.id, gzipSync(file(F3)), { ...auth(), "content-encoding": "gzip" });
    expect(byHeader.json).toMatchObject({ accepted: 12, format: "log-file" });
    const magic = await post(bearer.id, file(`${F1}.gz`), auth());
    expect(magic.json).toMatchObject({ records: 26, accepted: 26, duplicates: 0 });
    expect(await taskCount()).toBe(33 + 12 + 26);
  });

  it("a JSON array, an EventBridge event and an SNS notification; an SNS subscription is confirmed", async () => {
    const arr = records(F1).slice(0, 3).map((r) => ({ ...r, eventID: `${r.eventID}-array` }));
    expect((await post(bearer.id, JSON.stringify(arr), auth())).json).toMatchObject({ accepted: 3, format: "array" });
    const detail = { ...records(F1)[0], eventID: "eb-1" };
    const eb = { version: "0", id: "x", "detail-type": "AWS API Call via CloudTrail", source: "aws.cloudtrail", account: "218007301253", time: "2023-07-10T12:00:00Z", region: "us-east-1", resources: [], detail };
    expect((await post(bearer.id, JSON.stringify(eb), auth())).json).toMatchObject({ accepted: 1, format: "eventbridge" });
    const note = { Type: "Notification", MessageId: "m", TopicArn: "arn:aws:sns:us-east-1:1:t", Message: JSON.stringify({ ...eb, detail: { ...detail, eventID: "sns-1" } }) };
    expect((await post(bearer.id, JSON.stringify(note), auth())).json).toMatchObject({ accepted: 1, format: "sns" });
    const task = await h.db.task.findFirstOrThrow({ where: { processId, ref: "sns-1" } });
    expect((task.data as { eventName: string }).eventName).toBe((detail as { eventName?: string }).eventName);

    snsHits = [];
    const confirm = { Type: "SubscriptionConfirmation", TopicArn: "arn:aws:sns:us-east-1:1:t", SubscribeURL: `http://127.0.0.1:${snsPort}/?Action=ConfirmSubscription&Token=abc`, Token: "abc" };
    // SNS cannot send headers: the token travels as HTTP Basic password (or ?token=).
    const basic = `Basic ${Buffer.from(`sns:${bearer.credential}`).toString("base64")}`;
    expect((await post(bearer.id, JSON.stringify(confirm), { authorization: basic })).json).toMatchObject({ format: "sns-subscription", subscriptionConfirmed: "arn:aws:sns:us-east-1:1:t" });
    expect(snsHits).toEqual(["/?Action=ConfirmSubscription&Token=abc"]);
    const evil = { ...confirm, SubscribeURL: "http://169.254.169.254/latest/meta-data/" };
    expect(await post(bearer.id, JSON.stringify(evil), { authorization: basic })).toMatchObject({ status: 422, json: { error: { message: expect.stringMatching(/not an allowed SNS host/) } } });
  });

  it("HMAC sources: signature over timestamp + body; a replay, a stale timestamp or a wrong signature is refused", async () => {
    const body = JSON.stringify([{ ...records(F3)[0], eventID: "hmac-1" }]);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `sha256=${ingestSignature({ secret: hmac.credential, timestamp: ts, body })}`;
    const ok = await post(hmac.id, body, { "x-conveyor-timestamp": ts, "x-conveyor-signature": sig });
    expect(ok.json).toMatchObject({ accepted: 1 });
    expect(await post(hmac.id, body, { "x-conveyor-timestamp": ts, "x-conveyor-signature": sig })).toMatchObject({ status: 401, json: { error: { message: expect.stringMatching(/replay/) } } });
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(hmac.id, body, { "x-conveyor-timestamp": old, "x-conveyor-signature": `sha256=${ingestSignature({ secret: hmac.credential, timestamp: old, body })}` })).json.error?.message).toMatch(/replay window/);
    expect((await post(hmac.id, body, { "x-conveyor-timestamp": ts, "x-conveyor-signature": `sha256=${"0".repeat(64)}` })).json.error?.message).toBe("wrong signature");
    expect((await post(hmac.id, body, {})).status).toBe(401);
  });

  it("rejects with a clear 4xx and creates nothing", async () => {
    const before = await taskCount();
    const cases: Array<[string, ReturnType<typeof post>, number, RegExp]> = [
      ["no token", post(bearer.id, file(F3), {}), 401, /missing credentials/],
      ["bad token", post(bearer.id, file(F3), { authorization: "Bearer nope" }), 401, /wrong source token/],
      ["unknown source", post("00000000-0000-4000-8000-000000000000", file(F3), auth()), 404, /unknown or disabled/],
      ["malformed JSON", post(bearer.id, "{\"Records\": [", auth()), 400, /not valid JSON/],
      ["wrong shape", post(bearer.id, JSON.stringify({ hello: "world" }), auth()), 400, /unknown shape/],
      ["record without eventID", post(bearer.id, JSON.stringify([{ eventName: "x" }]), auth()), 400, /record 0 has no eventID/],
      ["not gzip", post(bearer.id, Buffer.from([0x1f, 0x8b, 1, 2, 3]), auth()), 400, /not valid gzip/],
      ["oversized body", post(bearer.id, Buffer.alloc(70 * 1024, 32), auth()), 413, /limit of 65536 bytes/],
      ["gzip bomb", post(bearer.id, gzipSync(Buffer.alloc(2 * 1024 * 1024, 32)), auth()), 413, /decompressed body is larger than the limit of 262144/],
      ["too many records", post(bearer.id, JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ eventID: `many-${i}` }))), auth()), 413, /101 records in one request; the limit is 100/],
      ["non-CloudTrail EventBridge event", post(bearer.id, JSON.stringify({ "detail-type": "EC2 Instance State-change Notification", detail: {} }), auth()), 422, /not a CloudTrail event/],
      ["S3 notification", post(bearer.id, JSON.stringify({ Records: [{ eventSource: "aws:s3", s3: {} }] }), auth()), 422, /deploy the forwarder Lambda/],
    ];
    for (const [what, p, status, message] of cases) {
      const res = await p;
      expect(res.status, what).toBe(status);
      expect(res.json.error?.message, what).toMatch(message);
    }
    // Nothing half-accepted: a request with one bad record stores none of the good ones.
    const mixed = [...records(F1).slice(0, 5).map((r) => ({ ...r, eventID: `${r.eventID}-mixed` })), { eventName: "no id" }];
    expect((await post(bearer.id, JSON.stringify(mixed), auth())).status).toBe(400);
    expect(await taskCount()).toBe(before);
  });
});
