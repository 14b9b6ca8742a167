import { webContext } from "@/app/_lib/context";
import { clientIp, rateLimit, readLimited, route } from "@/app/_lib/http";
import { ingestCloudTrail, snsConfirmer } from "@/server/ingest/ingest-cloudtrail";

/**
 * CloudTrail ingestion: a JSON array of records, a log file {"Records": [...]}
 * (plain or gzip), an EventBridge event or an SNS message. Authenticated per
 * source (bearer token or HMAC signature); answers how many records were
 * accepted and how many were duplicates (already live, same eventID).
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ sourceId: string }> }) => {
  const { sourceId } = await params;
  const ctx = webContext();
  const cfg = ctx.config;
  await rateLimit(`ingest:${sourceId}:${clientIp(req) ?? "unknown"}`, { max: 600, windowSec: 60 });
  const body = await readLimited(req, cfg.INGEST_MAX_REQUEST_BYTES);
  const result = await ingestCloudTrail({
    db: ctx.db, pool: ctx.pool, redis: ctx.redis, box: ctx.box, prefix: cfg.QUEUE_PREFIX, sourceId, headers: req.headers, url: new URL(req.url), body,
    limits: { maxBytes: cfg.INGEST_MAX_BYTES, maxRecords: cfg.INGEST_MAX_RECORDS },
    taskSizeLimit: cfg.TASK_SIZE_LIMIT_BYTES,
    enqueue: (tasks) => ctx.producer.enqueueEnter(tasks),
    confirmSubscription: snsConfirmer({ hostPattern: cfg.SNS_CONFIRM_HOST_PATTERN }),
    onEnqueueError: (err) => ctx.log.error({ err, sourceId }, "enqueue after ingestion failed; the reconciler will retry"),
  });
  return Response.json(result);
});
