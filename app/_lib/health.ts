import "server-only";
import type { Redis } from "ioredis";
import type { Db } from "@/server/db/client";
import { checkHealth, publicHealth } from "@/server/health";
import type { Logger } from "@/server/logger";

/**
 * GET /api/health over the clients it is given (the web context's in the
 * route; a test passes clients pointed at unreachable servers). Public by
 * design: load balancers and uptime checks call it without credentials, so
 * the answer holds only up/down, latencies and the number of live workers;
 * why a check failed goes to the server log.
 */
export function healthHandler(clients: () => { db: Db; redis: Redis; prefix: string; log: Logger }) {
  return async (): Promise<Response> => {
    const { db, redis, prefix, log } = clients();
    const report = await checkHealth({ db, redis, prefix });
    if (report.status === "down") log.warn({ database: report.database.error ?? "ok", redis: report.redis.error ?? "ok" }, "health check: down");
    return Response.json(publicHealth(report), { status: report.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
  };
}
