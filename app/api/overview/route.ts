import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { computeOverview } from "@/server/observability/overview";

export const dynamic = "force-dynamic";

const querySchema = z.object({ window: z.enum(["hour", "day"]).default("hour") });

/** The built-in overview (docs/observability.md): per-process minutes of the last hour or day, busiest nodes, escalations, alert delivery, AWS pack alerts. */
export const GET = route(async (req: Request) => {
  await requireActor(req, "dashboard:read");
  const { window } = querySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const { pool, redis, config } = webContext();
  return Response.json(await computeOverview({ pool, redis, prefix: config.QUEUE_PREFIX, window }), { headers: { "cache-control": "no-store" } });
});
