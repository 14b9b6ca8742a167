import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "@/engine/testing/builders";
import { createSecretBox } from "@/server/crypto/secret-box";
import { createSource } from "@/server/ingest/sources";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";
// @ts-expect-error -- plain ESM JavaScript, shipped as the Lambda's code as it is
import { createEventBridgeHandler, createHandler, decodeS3Key } from "./forwarder/index.mjs";

/**
 * The forwarder Lambda runs here against an injected S3 client serving the
 * real sample log files and posts over real HTTP to a running Conveyor ingest
 * endpoint (the real route handler behind a local HTTP server). A proxy in
 * front can answer 503 first, to see the retry.
 */
Object.assign(process.env, testEnv());
const { POST } = await import("@/app/api/ingest/cloudtrail/[sourceId]/route");

const samples = path.resolve(import.meta.dirname, "../../../shared/cloudtrail-samples");
const gzFiles = readdirSync(samples).filter((f) => f.endsWith(".json.gz"));
const jsonFiles = readdirSync(samples).filter((f) => f.endsWith(".json"));

let h: Harness;
let processId: number;
let server: Server;
let port = 0;
let failNext = 0;
const seen: number[] = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  processId = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "forwarder target" });
  server = createServer(async (req, res) => {
    if (failNext > 0) {
      failNext--;
      seen.push(503);
      res.writeHead(503, { "retry-after": "0" }).end("busy");
      return;
    }
    const sourceId = (req.url ?? "").split("/").pop()!;
    const body = await readBody(req);
    const answer = await POST(new Request(`http://127.0.0.1:${port}${req.url}`, { method: "POST", body: new Uint8Array(body), headers: req.headers as Record<string, string> }), { params: Promise.resolve({ sourceId }) });
    seen.push(answer.status);
    res.writeHead(answer.status, { "content-type": "application/json" }).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.close();
  await h?.close();
});

const s3Event = (keys: string[]) => ({
  Records: keys.map((key) => ({ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: "trail-bucket" }, object: { key: encodeURIComponent(key).replace(/%20/g, "+"), size: 1 } } })),
});
const fakeS3 = (gets: string[]) => ({
  async getObject(bucket: string, key: string) {
    gets.push(`${bucket}/${key}`);
    return readFileSync(path.join(samples, path.basename(key)));
  },
});
const quiet = { log: () => {}, warn: () => {} };

describe("the AWS forwarder Lambda", () => {
  it("decodes S3 keys as AWS sends them", () => {
    expect(decodeS3Key("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/a+b%3Dc.json.gz")).toBe("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/a b=c.json.gz");
  });

  it("S3 notification → records in Conveyor, in signed batches, skipping digest files; a retried file creates nothing twice", async () => {
    const source = await createSource({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), name: "lambda", processId, authType: "hmac" });
    const config = { url: `http://127.0.0.1:${port}/api/ingest/cloudtrail/${source.id}`, authType: "hmac", secret: source.credential, batchSize: 10, maxAttempts: 4, baseDelayMs: 1 };
    const gets: string[] = [];
    const handler = createHandler({ s3: fakeS3(gets), config, sleep: async () => {}, log: quiet });
    const keys = [
      ...gzFiles.map((f) => `AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/${f}`),
      "AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_x.json.gz",
    ];
    const totals = await handler(s3Event(keys));
    const expected = gzFiles.reduce((n, f) => n + (JSON.parse(readFileSync(path.join(samples, f.replace(/\.gz$/, ""))).toString()).Records as unknown[]).length, 0);
    expect(totals).toMatchObject({ files: gzFiles.length, skipped: 1, records: expected, accepted: expected, duplicates: 0 });
    expect(gets.every((g) => !g.includes("Digest"))).toBe(true);
    expect(await h.db.task.count({ where: { processId } })).toBe(expected);
    // S3 delivers the same notification again: every record is a duplicate.
    const again = await handler(s3Event(keys));
    expect(again).toMatchObject({ accepted: 0, duplicates: expected });
    expect(await h.db.task.count({ where: { processId } })).toBe(expected);
  });

  it("retries after a 503 and then succeeds; fails the invocation when Conveyor never accepts", async () => {
    const source = await createSource({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), name: "lambda-bearer", processId, authType: "bearer" });
    const config = { url: `http://127.0.0.1:${port}/api/ingest/cloudtrail/${source.id}`, authType: "bearer", secret: source.credential, batchSize: 500, maxAttempts: 3, baseDelayMs: 1 };
    const before = await h.db.task.count({ where: { processId } });
    seen.length = 0;
    failNext = 1;
    const file = jsonFiles[0];
    const records = (JSON.parse(readFileSync(path.join(samples, file)).toString()).Records as Array<{ eventID: string }>).map((r) => ({ ...r, eventID: `${r.eventID}-retry` }));
    const s3 = { getObject: async () => Buffer.from(JSON.stringify({ Records: records })) };
    const totals = await createHandler({ s3, config, sleep: async () => {}, log: quiet })(s3Event([`AWSLogs/x/CloudTrail/us-east-1/2023/07/10/${file}`]));
    expect(seen).toEqual([503, 200]);
    expect(totals).toMatchObject({ accepted: records.length });
    expect(await h.db.task.count({ where: { processId } })).toBe(before + records.length);

    failNext = 10;
    await expect(createHandler({ s3, config, sleep: async () => {}, log: quiet })(s3Event(["AWSLogs/x/CloudTrail/r/f.json"]))).rejects.toThrow(/did not accept the batch after 3 attempts \(HTTP 503/);
    failNext = 0;
    const wrong = { ...config, secret: "not-the-token" };
    await expect(createHandler({ s3, config: wrong, sleep: async () => {}, log: quiet })(s3Event(["AWSLogs/x/CloudTrail/r/f.json"]))).rejects.toThrow(/refused the batch \(HTTP 401/);
  });

  it("EventBridge delivery posts the event as it is", async () => {
    const source = await createSource({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), name: "eventbridge", processId, authType: "bearer" });
    const config = { url: `http://127.0.0.1:${port}/api/ingest/cloudtrail/${source.id}`, authType: "bearer", secret: source.credential, batchSize: 500, maxAttempts: 2, baseDelayMs: 1 };
    const event = { version: "0", id: "eb", "detail-type": "AWS Console Sign In via CloudTrail", source: "aws.signin", detail: { eventID: "eb-forwarded-1", eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn" } };
    expect(await createEventBridgeHandler({ config, log: quiet })(event)).toMatchObject({ accepted: 1, format: "eventbridge" });
    expect(await h.db.task.count({ where: { processId, ref: "eb-forwarded-1" } })).toBe(1);
  });
});
