import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { listRetention } from "@/server/observability/retention";

export const dynamic = "force-dynamic";

/** Every process with its retention policy and task counts, and the installation's defaults. */
export const GET = route(async (req: Request) => {
  await requireActor(req, "retention:manage");
  const { db, pool, config } = webContext();
  return Response.json({
    processes: await listRetention({ db, pool }),
    settings: { intervalSec: config.RETENTION_INTERVAL_SEC, defaultKeepDays: config.TASK_RETENTION_DEFAULT_DAYS, counterHistoryDays: config.COUNTER_HISTORY_DAYS },
  }, { headers: { "cache-control": "no-store" } });
});
