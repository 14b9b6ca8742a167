import { webContext } from "@/app/_lib/context";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { listVersions } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";

/** Published versions, newest first, with who published them and when. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "process:read");
  const id = parseId((await params).id, "process id");
  return Response.json({ versions: await listVersions({ db: webContext().db, processId: id }) }, { headers: { "cache-control": "no-store" } });
});
