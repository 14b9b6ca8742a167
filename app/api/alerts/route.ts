import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { alertFilterSchema, listAlerts } from "@/server/alerts/alert-queries";

export const dynamic = "force-dynamic";

/** The delivery log: ?processId=&channel=&status=&before=&limit= */
export const GET = route(async (req: Request) => {
  await requireActor(req, "alert:read");
  const filter = alertFilterSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return Response.json(await listAlerts({ pool: webContext().pool, filter }), { headers: { "cache-control": "no-store" } });
});
