import { webContext } from "@/app/_lib/context";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { getVersion } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";

/** One published version (immutable): its scheme and parameters. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string; version: string }> }) => {
  await requireActor(req, "process:read");
  const p = await params;
  const version = await getVersion({ db: webContext().db, processId: parseId(p.id, "process id"), version: parseId(p.version, "version") });
  return Response.json(version);
});
