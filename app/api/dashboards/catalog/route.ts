import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { loadProcessNodes } from "@/server/observability/process-nodes";

export const dynamic = "force-dynamic";

/** Processes with their nodes (titles, kinds, Sum ids): what the widget editor offers to bind to. */
export const GET = route(async (req: Request) => {
  await requireActor(req, "dashboard:read");
  const procs = await loadProcessNodes({ pool: webContext().pool });
  return Response.json({ processes: [...procs.values()] }, { headers: { "cache-control": "no-store" } });
});
