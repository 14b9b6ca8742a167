import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { requestRetentionRun } from "@/workers/maintenance";

export const dynamic = "force-dynamic";

/** Asks a worker to apply the retention policies now instead of at the next scheduled run. */
export const POST = route(async (req: Request) => {
  await requireActor(req, "retention:manage");
  const { config } = webContext();
  await requestRetentionRun({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  return Response.json({ ok: true, queued: true }, { status: 202 });
});
