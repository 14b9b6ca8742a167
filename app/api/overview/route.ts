import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { computeOverview } from "@/server/observability/overview";

export const dynamic = "force-dynamic";

/** The built-in overview (docs/observability.md): per-process minutes, busiest nodes, escalations, alert delivery, AWS pack alerts. */
export const GET = route(async (req: Request) => {
  await requireActor(req, "dashboard:read");
  const { pool, redis, config } = webContext();
  return Response.json(await computeOverview({ pool, redis, prefix: config.QUEUE_PREFIX }), { headers: { "cache-control": "no-store" } });
});
