import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db/client";
import { createLogger } from "@/server/logger";
import { createRedis } from "@/server/redis";
import { testEnv } from "@/server/testing/test-env";
import { createHarness, type Harness } from "@/server/testing/worker-harness";

/**
 * GET /api/health against the real PostgreSQL and Redis and a real worker
 * (the harness's, which beats its heartbeat): `ok` with a live worker,
 * `degraded` (still 200) without one, `down` (503) when Redis or the database
 * cannot be reached — checked with clients pointed at hosts that do not
 * exist, through the same handler the route uses. The answer is public: it
 * never carries host names, users or error text.
 *
 * A prefix of its own, so that workers of other test runs on the same Redis
 * never count as this file's live worker.
 */
const PREFIX = `conveyor-test-health-${process.pid}`;
Object.assign(process.env, testEnv(), { QUEUE_PREFIX: PREFIX });
const health = await import("@/app/api/health/route");
const { healthHandler } = await import("@/app/_lib/health");
const { webContext } = await import("@/app/_lib/context");

type Body = Record<string, unknown> & { status: string; database: { ok: boolean }; redis: { ok: boolean }; workers: { ok: boolean; live: number } };

let h: Harness;

async function get(handler: () => Promise<Response>): Promise<{ status: number; text: string; body: Body; cache: string | null }> {
  const res = await handler();
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Body, cache: res.headers.get("cache-control") };
}

/** Only these keys, at any depth: status, latencies, ok flags and the number of live workers. */
function expectNoDetails(r: { text: string; body: Body }, secrets: string[] = []) {
  expect(Object.keys(r.body).sort()).toEqual(["database", "redis", "status", "workers"]);
  for (const part of ["database", "redis"] as const) for (const k of Object.keys(r.body[part])) expect(["ok", "latencyMs"], `${part}.${k}`).toContain(k);
  expect(Object.keys(r.body.workers).sort()).toEqual(["live", "ok"]);
  for (const s of [...secrets, "error", "ECONN", "ENOTFOUND", "EAI_AGAIN", "timed out", "127.0.0.1", "localhost", "postgres", "conveyor_test", PREFIX]) {
    expect(r.text.toLowerCase(), `the answer mentions ${s}`).not.toContain(s.toLowerCase());
  }
}

beforeAll(async () => {
  h = await createHarness({ flush: false, env: { QUEUE_PREFIX: PREFIX } });
});
afterAll(async () => {
  await h?.close();
  const { redis } = webContext();
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
});

describe("GET /api/health", () => {
  it("is ok with the database, Redis and a live worker heartbeat", async () => {
    const r = await get(() => health.GET());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "ok", database: { ok: true }, redis: { ok: true }, workers: { ok: true, live: 1 } });
    expect(r.body.database).toHaveProperty("latencyMs");
    expect(r.cache).toBe("no-store");
    expectNoDetails(r);
  });

  it("is degraded (still 200) when no worker heartbeat exists", async () => {
    await h.worker!.stop(); // a stopping worker removes its heartbeat key
    h.worker = null;
    const r = await get(() => health.GET());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "degraded", database: { ok: true }, redis: { ok: true }, workers: { ok: false, live: 0 } });
    expectNoDetails(r);

    // A worker starting again makes it ok.
    await h.startWorker();
    expect((await get(() => health.GET())).body.status).toBe("ok");
  });

  it("is down (503) when Redis cannot be reached, and says nothing about why", async () => {
    const { db } = webContext();
    const redis = createRedis({ redisUrl: "redis://:redis-secret-pw@redis-internal.invalid:6390/1" });
    redis.on("error", () => {});
    const messages: string[] = [];
    const log = createLogger({ name: "health-test", level: "silent" });
    log.warn = ((obj: unknown, msg?: string) => void messages.push(JSON.stringify(obj) + (msg ?? ""))) as typeof log.warn;
    try {
      const r = await get(healthHandler(() => ({ db, redis, prefix: PREFIX, log })));
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: "down", database: { ok: true }, redis: { ok: false }, workers: { ok: false, live: 0 } });
      expectNoDetails(r, ["redis-internal", "invalid", "redis-secret-pw", "6390"]);
      // The reason goes to the server log instead.
      expect(messages.join("\n")).toMatch(/health check: down/);
      expect(messages.join("\n")).toMatch(/"redis":"(?!ok)/);
    } finally {
      redis.disconnect();
    }
  });

  it("is down (503) when the database cannot be reached, and says nothing about why", async () => {
    const { redis } = webContext();
    const db = createDb({ databaseUrl: "postgresql://db-user:db-secret-pw@db-internal.invalid:5439/private_db", poolSize: 1 });
    const log = createLogger({ name: "health-test", level: "silent" });
    try {
      const r = await get(healthHandler(() => ({ db, redis, prefix: PREFIX, log })));
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: "down", database: { ok: false }, redis: { ok: true } });
      expect(r.body.database).not.toHaveProperty("latencyMs");
      expectNoDetails(r, ["db-internal", "invalid", "db-user", "db-secret-pw", "5439", "private_db"]);
    } finally {
      await db.$disconnect();
    }
  });
});
