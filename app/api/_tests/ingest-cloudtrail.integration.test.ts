import { randomUUID } from "node:crypto";
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
 * post of every file in every format, real records in the EventBridge and SNS
 * envelopes, and every rejection — each a clear 4xx that creates no task.
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

type CloudTrailRecord = Record<string, unknown> & { eventID: string; eventType: string; eventSource: string; eventTime: string; awsRegion: string; recipientAccountId: string };
const DETAIL_TYPES: Record<string, string> = {
  AwsApiCall: "AWS API Call via CloudTrail", AwsConsoleSignIn: "AWS Console Sign In via CloudTrail",
  AwsConsoleAction: "AWS Console Action via CloudTrail", AwsServiceEvent: "AWS Service Event via CloudTrail",
};
/** A real record as an EventBridge rule delivers it (../shared/reference/cloudtrail.md §4.4). */
const eventBridge = (r: CloudTrailRecord) => ({
  version: "0", id: randomUUID(), "detail-type": DETAIL_TYPES[r.eventType], source: `aws.${r.eventSource.split(".")[0]}`,
  account: r.recipientAccountId, time: r.eventTime, region: r.awsRegion, resources: [], detail: r,
});
/** An SNS Notification carrying a message (an EventBridge event, a log file, ...). */
const snsNotification = (message: unknown) => ({
  Type: "Notification", MessageId: randomUUID(), TopicArn: "arn:aws:sns:us-east-1:218007301253:cloudtrail-events",
  Message: typeof message === "string" ? message : JSON.stringify(message), Timestamp: "2023-07-10T12:30:00.000Z", SignatureVersion: "1",
});

let h: Harness;
let processId: number;
let bearer: { id: string; credential: string };
let hmac: { id: string; credential: string };
/** A second process and source, which has received none of the sample records. */
let freshProcessId: number;
let fresh: { id: string; credential: string };

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  processId = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "ingest target" });
  const box = createSecretBox(h.config.ENCRYPTION_KEY);
  bearer = await createSource({ db: h.db, box, name: "bearer", processId, authType: "bearer" });
  hmac = await createSource({ db: h.db, box, name: "hmac", processId, authType: "hmac", replayWindowSec: 300 });
  freshProcessId = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "ingest target (envelopes)" });
  fresh = await createSource({ db: h.db, box, name: "envelopes", processId: freshProcessId, authType: "bearer" });
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

  it("every sample file posted again, in every accepted format, creates no task (dedup on eventID)", async () => {
    const total = await taskCount();
    expect(total).toBe(26 + 33 + 12); // the three files, posted once above
    for (const name of [F1, F2, F3]) {
      const recs = records(name) as CloudTrailRecord[];
      const n = recs.length;
      const requests: Array<[format: string, expected: string, bodies: Array<{ body: Buffer | string; headers?: Record<string, string> }>]> = [
        ["log file", "log-file", [{ body: file(name) }]],
        ["log file, Content-Encoding: gzip", "log-file", [{ body: gzipSync(file(name)), headers: { "content-encoding": "gzip" } }]],
        ["log file, gzip body", "log-file", [{ body: gzipSync(file(name)) }]],
        ["JSON array", "array", [{ body: JSON.stringify(recs) }]],
        ["SNS carrying the log file", "sns", [{ body: JSON.stringify(snsNotification(file(name).toString())) }]],
        ["one record per request", "record", recs.map((r) => ({ body: JSON.stringify(r) }))],
        ["EventBridge, one event per request", "eventbridge", recs.map((r) => ({ body: JSON.stringify(eventBridge(r)) }))],
        ["SNS carrying EventBridge, one per request", "sns", recs.map((r) => ({ body: JSON.stringify(snsNotification(eventBridge(r))) }))],
      ];
      for (const [format, expected, bodies] of requests) {
        let duplicates = 0;
        for (const { body, headers } of bodies) {
          const res = await post(bearer.id, body, { ...auth(), ...headers });
          expect(res, `${name}: ${format}`).toMatchObject({ status: 200, json: { accepted: 0, format: expected } });
          duplicates += res.json.duplicates as number;
        }
        expect(duplicates, `${name}: ${format}`).toBe(n);
        expect(await taskCount(), `${name}: ${format}`).toBe(total);
      }
    }
    expect(await h.db.ingestEvent.count({ where: { processId } })).toBe(total);
  });

  it("real sample records in a JSON array, an EventBridge event and an SNS notification; an SNS subscription is confirmed", async () => {
    const freshCount = () => h.db.task.count({ where: { processId: freshProcessId } });
    const freshAuth = { authorization: `Bearer ${fresh.credential}` };
    const arr = records(F1).slice(0, 3);
    expect((await post(fresh.id, JSON.stringify(arr), freshAuth)).json).toMatchObject({ records: 3, accepted: 3, duplicates: 0, format: "array" });
    // The console sign-in of F3 as EventBridge delivers it, and an API call of F2 through SNS.
    const signIn = (records(F3) as CloudTrailRecord[]).find((r) => r.eventName === "ConsoleLogin")!;
    const egress = (records(F2) as CloudTrailRecord[]).find((r) => r.eventName === "AuthorizeSecurityGroupEgress")!;
    const eb = eventBridge(signIn);
    expect(eb["detail-type"]).toBe("AWS Console Sign In via CloudTrail");
    expect((await post(fresh.id, JSON.stringify(eb), freshAuth)).json).toMatchObject({ accepted: 1, duplicates: 0, format: "eventbridge" });
    const note = snsNotification(eventBridge(egress));
    expect((await post(fresh.id, JSON.stringify(note), freshAuth)).json).toMatchObject({ accepted: 1, duplicates: 0, format: "sns" });
    // Each became a task holding the record exactly as CloudTrail wrote it, with ref = eventID.
    for (const r of [signIn, egress]) {
      const task = await h.db.task.findFirstOrThrow({ where: { processId: freshProcessId, ref: r.eventID } });
      expect(task.data).toEqual(r);
    }
    expect(await freshCount()).toBe(5);
    // Delivered again, by either envelope or in their log files: duplicates.
    expect((await post(fresh.id, JSON.stringify(snsNotification(eb)), freshAuth)).json).toMatchObject({ accepted: 0, duplicates: 1, format: "sns" });
    expect((await post(fresh.id, JSON.stringify(eventBridge(egress)), freshAuth)).json).toMatchObject({ accepted: 0, duplicates: 1, format: "eventbridge" });
    expect((await post(fresh.id, file(F3), freshAuth)).json).toMatchObject({ records: 12, accepted: 11, duplicates: 1 });
    expect(await freshCount()).toBe(5 + 11);

    snsHits = [];
    const confirm = { Type: "SubscriptionConfirmation", TopicArn: "arn:aws:sns:us-east-1:1:t", SubscribeURL: `http://127.0.0.1:${snsPort}/?Action=ConfirmSubscription&Token=abc`, Token: "abc" };
    // SNS cannot send headers: the token travels as HTTP Basic password (or ?token=).
    const basic = `Basic ${Buffer.from(`sns:${bearer.credential}`).toString("base64")}`;
    expect((await post(bearer.id, JSON.stringify(confirm), { authorization: basic })).json).toMatchObject({ format: "sns-subscription", subscriptionConfirmed: "arn:aws:sns:us-east-1:1:t" });
    expect(snsHits).toEqual(["/?Action=ConfirmSubscription&Token=abc"]);
    const evil = { ...confirm, SubscribeURL: "http://169.254.169.254/latest/meta-data/" };
    expect(await post(bearer.id, JSON.stringify(evil), { authorization: basic })).toMatchObject({ status: 422, json: { error: { message: expect.stringMatching(/not an allowed SNS host/) } } });
  });

  it("HMAC sources: signature over timestamp + body; a replay, a stale timestamp or a wrong signature is refused and creates nothing", async () => {
    const signed = (body: string, ts: string) => ({ "x-conveyor-timestamp": ts, "x-conveyor-signature": `sha256=${ingestSignature({ secret: hmac.credential, timestamp: ts, body })}` });
    const now = () => String(Math.floor(Date.now() / 1000));
    const body = JSON.stringify([{ ...records(F3)[0], eventID: "hmac-1" }]);
    const ts = now();
    const ok = await post(hmac.id, body, signed(body, ts));
    expect(ok.json).toMatchObject({ accepted: 1 });
    const count = await taskCount();
    // Each refusal below carries a record no source has seen (hmac-2): accepted, it would be a task.
    const unseen = JSON.stringify([{ ...records(F3)[1], eventID: "hmac-2" }]);
    const refusals: Array<[string, () => ReturnType<typeof post>, RegExp]> = [
      ["replayed request", () => post(hmac.id, body, signed(body, ts)), /replay/],
      ["timestamp an hour old", () => { const old = String(Math.floor(Date.now() / 1000) - 3600); return post(hmac.id, unseen, signed(unseen, old)); }, /replay window/],
      ["timestamp an hour ahead", () => { const ahead = String(Math.floor(Date.now() / 1000) + 3600); return post(hmac.id, unseen, signed(unseen, ahead)); }, /replay window/],
      ["wrong signature", () => post(hmac.id, unseen, { "x-conveyor-timestamp": now(), "x-conveyor-signature": `sha256=${"0".repeat(64)}` }), /^wrong signature$/],
      ["body changed after signing", () => { const t = now(); return post(hmac.id, unseen, signed(body, t)); }, /^wrong signature$/],
      ["signed with another secret", () => { const t = now(); return post(hmac.id, unseen, { "x-conveyor-timestamp": t, "x-conveyor-signature": `sha256=${ingestSignature({ secret: bearer.credential, timestamp: t, body: unseen })}` }); }, /^wrong signature$/],
      ["no signature headers", () => post(hmac.id, unseen, {}), /./],
      ["the bearer token of another source", () => post(hmac.id, unseen, auth()), /./],
    ];
    for (const [what, send, message] of refusals) {
      const res = await send();
      expect(res.status, what).toBe(401);
      expect(res.json.error?.message, what).toMatch(message);
      expect(await taskCount(), what).toBe(count);
    }
    expect(await h.db.ingestEvent.count({ where: { eventId: "hmac-2" } })).toBe(0);
    // Signed properly, the same record is accepted.
    expect((await post(hmac.id, unseen, signed(unseen, now()))).json).toMatchObject({ accepted: 1 });
    expect(await taskCount()).toBe(count + 1);
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
