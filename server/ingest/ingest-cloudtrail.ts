import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import { submitTasks, type EnqueueSteps } from "../tasks/submit-tasks.ts";
import { parseCloudTrailBody, type IngestLimits } from "./parse-cloudtrail.ts";
import { authenticateSource } from "./source-auth.ts";

export interface IngestResult {
  records: number;
  accepted: number;
  duplicates: number;
  format: string;
  /** Set when the request was an SNS subscription confirmation. */
  subscriptionConfirmed?: string;
}

export type ConfirmSubscription = (subscribeUrl: string) => Promise<void>;

/**
 * Ingests one request for a source: authenticate, read the records, create
 * one task per record in the source's process with ref = eventID (a record
 * the process received before is a duplicate, not an error), in one SQL
 * statement — every record of the request is stored, or none is — then
 * enqueue their first step.
 */
export async function ingestCloudTrail({ db, pool, redis, box, prefix, sourceId, headers, url, body, limits, taskSizeLimit, enqueue, confirmSubscription, onEnqueueError }: {
  db: Db;
  pool: Pick<Pool, "query">;
  redis: Redis;
  box: SecretBox;
  prefix: string;
  sourceId: string;
  headers: Headers;
  url: URL;
  body: Buffer;
  limits: IngestLimits;
  taskSizeLimit: number;
  enqueue: EnqueueSteps;
  confirmSubscription: ConfirmSubscription;
  onEnqueueError?: (err: unknown) => void;
}): Promise<IngestResult> {
  const source = /^[0-9a-f-]{36}$/i.test(sourceId) ? await db.ingestSource.findUnique({ where: { id: sourceId } }) : null;
  if (!source || source.disabled) throw new AppError("not_found", "unknown or disabled ingestion source");
  await authenticateSource({ source, headers, url, body, box, redis, prefix });

  const parsed = parseCloudTrailBody(body, { contentEncoding: headers.get("content-encoding"), limits });
  if (parsed.kind === "sns-subscription") {
    await confirmSubscription(parsed.subscribeUrl);
    return { records: 0, accepted: 0, duplicates: 0, format: "sns-subscription", subscriptionConfirmed: parsed.topicArn };
  }
  const res = await submitTasks({
    pool, enqueue, processId: source.processId, taskSizeLimit, onEnqueueError, dedupeForever: true,
    tasks: parsed.records.map((r) => ({ ref: r.eventID, data: r })),
  });
  await db.ingestSource.update({ where: { id: source.id }, data: { lastUsedAt: new Date(), acceptedTotal: { increment: res.created.length } } });
  return { records: parsed.records.length, accepted: res.created.length, duplicates: res.duplicates.length, format: parsed.format };
}

/**
 * Confirms an SNS subscription by GETting its SubscribeURL — only on hosts the
 * configuration allows (AWS SNS by default) and over https (plain http only
 * for loopback test endpoints), so a forged confirmation cannot make Conveyor
 * call arbitrary addresses.
 */
export function snsConfirmer({ hostPattern, timeoutMs = 10_000 }: { hostPattern: string; timeoutMs?: number }): ConfirmSubscription {
  const allowed = new RegExp(hostPattern);
  return async (subscribeUrl) => {
    let u: URL;
    try {
      u = new URL(subscribeUrl);
    } catch {
      throw new AppError("bad_request", "SNS SubscribeURL is not a URL");
    }
    const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
    if (!allowed.test(u.host) || (u.protocol !== "https:" && !(u.protocol === "http:" && loopback))) {
      throw new AppError("unprocessable", `refusing to confirm an SNS subscription at ${u.host}: not an allowed SNS host (SNS_CONFIRM_HOST_PATTERN)`);
    }
    const res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" }).catch((err: Error) => {
      throw new AppError("unavailable", `SNS subscription confirmation failed: ${err.message}`);
    });
    if (!res.ok) throw new AppError("unavailable", `SNS answered ${res.status} to the subscription confirmation`);
  };
}
