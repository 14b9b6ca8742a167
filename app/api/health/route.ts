import { webContext } from "@/app/_lib/context";
import { checkHealth } from "@/server/health";

// Public by design (load balancers and uptime checks call it without
// credentials); it reveals only up/down and latencies, no configuration.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const { db, redis, config } = webContext();
  const report = await checkHealth({ db, redis, prefix: config.QUEUE_PREFIX });
  return Response.json(report, { status: report.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
}
