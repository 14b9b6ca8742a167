import { webContext } from "@/app/_lib/context";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { computeDashboardData } from "@/server/dashboards/dashboard-data";
import { getDashboard } from "@/server/dashboards/dashboard-service";

export const dynamic = "force-dynamic";

/** The live numbers of every widget of a dashboard (the page polls this every second). */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "dashboard:read");
  const id = parseId((await params).id, "dashboard id");
  const { db, pool, redis, config } = webContext();
  const dashboard = await getDashboard({ db, id });
  const data = await computeDashboardData({ pool, redis, prefix: config.QUEUE_PREFIX, widgets: dashboard.widgets });
  return Response.json({ revision: dashboard.revision, ...data }, { headers: { "cache-control": "no-store" } });
});
