// Conveyor CloudTrail forwarder — an AWS Lambda (Node.js 20+, no dependencies
// beyond the AWS SDK v3 the Lambda runtime ships).
//
// - `handler`: an S3 "object created" notification of the CloudTrail bucket:
//   for each object (key URL-decoded), skip digest files, get it, gunzip it,
//   and post its records to Conveyor in signed batches.
// - `eventBridgeHandler`: an EventBridge rule target ("AWS API Call via
//   CloudTrail" ...): posts the event as it is.
//
// Retries each batch with exponential backoff on 429, 5xx and network errors
// (honouring Retry-After); fails the invocation — so S3/Lambda retry it — only
// when Conveyor did not accept a batch. Conveyor deduplicates by eventID, so a
// retried file creates no duplicates.
//
// Environment: CONVEYOR_INGEST_URL (https://conveyor.example/api/ingest/cloudtrail/<source id>),
// CONVEYOR_AUTH_TYPE (bearer | hmac), CONVEYOR_SECRET (the source's token or signing secret),
// optional CONVEYOR_BATCH_SIZE (default 500), CONVEYOR_MAX_ATTEMPTS (default 6).
import { createHmac } from "node:crypto";
import { gunzipSync } from "node:zlib";

/** S3 keys in notifications are URL-encoded, with '+' for spaces. */
export function decodeS3Key(key) {
  return decodeURIComponent(String(key).replace(/\+/g, " "));
}

export function isDigestKey(key) {
  return /\/CloudTrail-Digest\//.test(key) || /_CloudTrail-Digest_/.test(key);
}

export function configFromEnv(env = process.env) {
  const url = env.CONVEYOR_INGEST_URL;
  const authType = env.CONVEYOR_AUTH_TYPE ?? "bearer";
  const secret = env.CONVEYOR_SECRET;
  if (!url || !secret) throw new Error("CONVEYOR_INGEST_URL and CONVEYOR_SECRET must be set");
  if (authType !== "bearer" && authType !== "hmac") throw new Error("CONVEYOR_AUTH_TYPE must be bearer or hmac");
  return { url, authType, secret, batchSize: Number(env.CONVEYOR_BATCH_SIZE ?? 500), maxAttempts: Number(env.CONVEYOR_MAX_ATTEMPTS ?? 6), baseDelayMs: 500 };
}

/** The default S3 reader: the AWS SDK v3 that the Lambda runtime provides. */
export function awsS3() {
  let client;
  return {
    async getObject(bucket, key) {
      const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
      client ??= new S3Client({});
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await res.Body.transformToByteArray());
    },
  };
}

function headersFor(config, body) {
  const headers = { "content-type": "application/json" };
  if (config.authType === "bearer") headers.authorization = `Bearer ${config.secret}`;
  else {
    const ts = String(Date.now()); // milliseconds: a re-sent batch is not mistaken for a replay
    headers["x-conveyor-timestamp"] = ts;
    headers["x-conveyor-signature"] = `sha256=${createHmac("sha256", config.secret).update(`${ts}.`).update(body).digest("hex")}`;
  }
  return headers;
}

const defaultSleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Posts one body with retries; resolves with Conveyor's answer, rejects when it was not accepted. */
export async function postWithRetries(body, { config, fetchImpl = fetch, sleep = defaultSleep, log = console }) {
  let lastError = "";
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    let res;
    try {
      // Sign each attempt anew: an HMAC signature is accepted once and only within its window.
      res = await fetchImpl(config.url, { method: "POST", headers: headersFor(config, body), body });
    } catch (err) {
      lastError = `network error: ${err.message}`;
    }
    if (res?.ok) return await res.json();
    if (res) {
      const text = await res.text().catch(() => "");
      lastError = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      if (res.status !== 429 && res.status < 500) throw new Error(`Conveyor refused the batch (${lastError})`);
    }
    if (attempt === config.maxAttempts) break;
    const retryAfter = Number(res?.headers.get("retry-after"));
    const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : config.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
    log.warn(JSON.stringify({ msg: "retrying batch", attempt, delayMs: Math.round(delay), error: lastError }));
    await sleep(delay);
  }
  throw new Error(`Conveyor did not accept the batch after ${config.maxAttempts} attempts (${lastError})`);
}

/** Builds the S3-notification handler; tests inject `s3`, `fetchImpl`, `sleep`, `config`. */
export function createHandler({ s3 = awsS3(), fetchImpl = fetch, sleep = defaultSleep, config, log = console } = {}) {
  return async function handler(event) {
    const cfg = config ?? configFromEnv();
    const totals = { files: 0, skipped: 0, records: 0, accepted: 0, duplicates: 0 };
    for (const rec of event?.Records ?? []) {
      if (rec.eventSource !== "aws:s3" || !rec.s3) continue;
      const bucket = rec.s3.bucket.name;
      const key = decodeS3Key(rec.s3.object.key);
      if (isDigestKey(key) || !/\.json(\.gz)?$/.test(key)) {
        totals.skipped++;
        continue;
      }
      const raw = await s3.getObject(bucket, key);
      const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
      const records = JSON.parse(text).Records ?? [];
      totals.files++;
      totals.records += records.length;
      for (let i = 0; i < records.length; i += cfg.batchSize) {
        const answer = await postWithRetries(JSON.stringify(records.slice(i, i + cfg.batchSize)), { config: cfg, fetchImpl, sleep, log });
        totals.accepted += answer.accepted ?? 0;
        totals.duplicates += answer.duplicates ?? 0;
      }
      log.log(JSON.stringify({ msg: "forwarded", bucket, key, records: records.length }));
    }
    log.log(JSON.stringify({ msg: "done", ...totals }));
    return totals;
  };
}

/** EventBridge target: the event (detail-type "... via CloudTrail") goes to Conveyor as it is. */
export function createEventBridgeHandler({ fetchImpl = fetch, sleep = defaultSleep, config, log = console } = {}) {
  return async function eventBridgeHandler(event) {
    const answer = await postWithRetries(JSON.stringify(event), { config: config ?? configFromEnv(), fetchImpl, sleep, log });
    log.log(JSON.stringify({ msg: "forwarded event", id: event?.id, accepted: answer.accepted, duplicates: answer.duplicates }));
    return answer;
  };
}

export const handler = (event) => createHandler()(event);
export const eventBridgeHandler = (event) => createEventBridgeHandler()(event);
