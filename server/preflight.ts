import pg from "pg";
import { createRedis } from "./redis.ts";
import { redactUrl, type AppConfig } from "./config.ts";

/**
 * Start-up checks shared by the web server and the worker: each failure is one
 * line naming the variable and the problem, so an operator knows what to fix.
 */
export class PreflightError extends Error {}

export async function checkDatabase(databaseUrl: string, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = '_prisma_migrations'`,
    );
    if (rows[0]?.n === 0) throw new PreflightError(`DATABASE_URL ${redactUrl(databaseUrl)}: database has no schema yet; run npm run db:migrate`);
  } catch (err) {
    if (err instanceof PreflightError) throw err;
    const e = err as Error & { code?: string };
    const why = e.code === "3D000" ? e.message : e.code === "ECONNREFUSED" ? "connection refused" : e.message || String(err);
    throw new PreflightError(`DATABASE_URL ${redactUrl(databaseUrl)}: cannot use the database: ${why}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<void> {
  const redis = createRedis({ redisUrl, failFast: true, connectTimeout: timeoutMs, lazyConnect: true });
  let lastError: (Error & { code?: string }) | undefined;
  redis.on("error", (err: Error) => (lastError = err)); // reported below, not as an unhandled event
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    // ioredis rejects with "Connection is closed"; the socket error says why.
    const e = lastError ?? (err as Error & { code?: string });
    const why = e.code === "ECONNREFUSED" ? "connection refused" : e.message || String(err);
    throw new PreflightError(`REDIS_URL ${redactUrl(redisUrl)}: cannot reach Redis: ${why}`);
  } finally {
    redis.disconnect();
  }
}

export async function preflight(cfg: AppConfig): Promise<void> {
  await Promise.all([checkDatabase(cfg.DATABASE_URL), checkRedis(cfg.REDIS_URL)]);
}
