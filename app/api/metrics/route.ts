import { createHash, timingSafeEqual } from "node:crypto";
import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { AppError } from "@/server/errors";
import { collectMetrics } from "@/server/observability/metrics-report";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "@/server/observability/prometheus";
import { createQueueInspector, type QueueInspector } from "@/workers/queue-stats";

export const dynamic = "force-dynamic";

const g = globalThis as unknown as { __conveyorQueueInspector?: QueueInspector };

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Prometheus metrics (docs/observability.md). A scraper sends
 * `Authorization: Bearer <METRICS_TOKEN>`; an admin may also look with a
 * session. Queue depths and job counts say how busy the installation is,
 * which is not for anonymous callers.
 */
export const GET = route(async (req: Request) => {
  const { pool, redis, config } = webContext();
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
  if (bearer !== undefined) {
    if (!config.METRICS_TOKEN) throw new AppError("unauthorized", "a bearer token was sent but METRICS_TOKEN is not set on this server: set it (docs/observability.md) or scrape with an admin session");
    // Compare digests: constant time whatever the lengths.
    if (!timingSafeEqual(digest(bearer), digest(config.METRICS_TOKEN))) throw new AppError("unauthorized", "wrong metrics token: send Authorization: Bearer <METRICS_TOKEN>");
  } else {
    await requireActor(req, "metrics:read");
  }
  g.__conveyorQueueInspector ??= createQueueInspector({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const queues = await g.__conveyorQueueInspector.stats();
  const text = renderPrometheus(await collectMetrics({ pool, redis, prefix: config.QUEUE_PREFIX, queues }));
  return new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
});
