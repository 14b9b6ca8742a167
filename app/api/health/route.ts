import { webContext } from "@/app/_lib/context";
import { healthHandler } from "@/app/_lib/health";

// Public by design (load balancers and uptime checks call it without
// credentials); it reveals only up/down and latencies, no configuration and
// no error text (app/_lib/health.ts).
export const dynamic = "force-dynamic";

export const GET = healthHandler(() => {
  const { db, redis, config, log } = webContext();
  return { db, redis, prefix: config.QUEUE_PREFIX, log };
});
