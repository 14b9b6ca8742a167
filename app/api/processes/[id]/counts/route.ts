import { webContext } from "@/app/_lib/context";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { readNodeCounts } from "@/server/tasks/node-counters";

export const dynamic = "force-dynamic";

/** Live task count per node (final nodes: running total). */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "task:read");
  const processId = parseId((await params).id, "process id");
  const { redis, config } = webContext();
  const counts = await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId });
  return Response.json({ processId, counts, at: new Date().toISOString() }, { headers: { "cache-control": "no-store" } });
});
