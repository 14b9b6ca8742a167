import { webContext } from "@/app/_lib/context";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { getAlert } from "@/server/alerts/alert-queries";

export const dynamic = "force-dynamic";

/** One alert with every attempt (time, duration, HTTP status, error). */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "alert:read");
  const id = parseId((await params).id, "alert id");
  return Response.json(await getAlert({ pool: webContext().pool, id }), { headers: { "cache-control": "no-store" } });
});
