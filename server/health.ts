import type { Redis } from "ioredis";
import type { Db } from "./db/client.ts";

/** Workers write a heartbeat key with a TTL; a worker is live while its key exists. */
export const heartbeatPattern = (prefix: string) => `${prefix}:worker:heartbeat:*`;
export const heartbeatKey = (prefix: string, workerId: string) => `${prefix}:worker:heartbeat:${workerId}`;
export const HEARTBEAT_TTL_SECONDS = 15;

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  database: { ok: boolean; latencyMs?: number; error?: string };
  redis: { ok: boolean; latencyMs?: number; error?: string };
  workers: { ok: boolean; live: number };
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; latencyMs?: number; error?: string }> {
  const t0 = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
    return { ok: true, latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split("\n")[0] };
  }
}

/** The heartbeat keys of the live workers (SCAN, never KEYS: Redis stays responsive with many keys). */
export async function liveWorkerKeys({ redis, prefix }: { redis: Redis; prefix: string }): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", heartbeatPattern(prefix), "COUNT", 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  return keys;
}

/**
 * What anyone may see of a report (GET /api/health is public): up or down and
 * latencies, never the error text, which names hosts, ports and users.
 */
export interface PublicHealth {
  status: HealthReport["status"];
  database: { ok: boolean; latencyMs?: number };
  redis: { ok: boolean; latencyMs?: number };
  workers: { ok: boolean; live: number };
}

export function publicHealth(report: HealthReport): PublicHealth {
  const part = ({ ok, latencyMs }: { ok: boolean; latencyMs?: number }) => (latencyMs === undefined ? { ok } : { ok, latencyMs });
  return { status: report.status, database: part(report.database), redis: part(report.redis), workers: { ok: report.workers.ok, live: report.workers.live } };
}

/** Database, Redis and worker liveness. `down` when the database or Redis fails; `degraded` when no worker is live. */
export async function checkHealth({ db, redis, prefix, timeoutMs = 2000 }: { db: Db; redis: Redis; prefix: string; timeoutMs?: number }): Promise<HealthReport> {
  const [database, redisRes] = await Promise.all([timed(() => db.$queryRaw`SELECT 1`, timeoutMs), timed(() => redis.ping(), timeoutMs)]);
  const live = redisRes.ok ? (await liveWorkerKeys({ redis, prefix })).length : 0;
  const status = !database.ok || !redisRes.ok ? "down" : live === 0 ? "degraded" : "ok";
  return { status, database, redis: redisRes, workers: { ok: live > 0, live } };
}
