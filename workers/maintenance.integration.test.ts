import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "../engine/testing/builders.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { MAINTENANCE_QUEUES } from "./maintenance.ts";
import { bullConnection } from "./queues.ts";

/**
 * Housekeeping (counter snapshots, retention) runs as BullMQ job schedulers,
 * which live in Redis. Redis runs without persistence: when it loses them, the
 * running workers put them back, so charts keep their history without anyone
 * restarting a worker.
 */
let h: Harness;
let snapshots: Queue;
let retention: Queue;

beforeAll(async () => {
  h = await createHarness({ startWorker: false, env: { COUNTER_SNAPSHOT_INTERVAL_SEC: "1" } });
  snapshots = new Queue(MAINTENANCE_QUEUES.snapshots, { connection: bullConnection(h.config.REDIS_URL), prefix: h.config.QUEUE_PREFIX });
  retention = new Queue(MAINTENANCE_QUEUES.retention, { connection: bullConnection(h.config.REDIS_URL), prefix: h.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await snapshots?.close();
  await retention?.close();
  await h?.close();
});

describe("maintenance schedules", () => {
  it("come back after Redis loses them, and counter snapshots carry on", async () => {
    const pid = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "maintenance: flush" });
    await h.startWorker();
    await h.submit(pid, [{ data: {} }]);
    const snapshotDone = async () => {
      const { rows } = await h.pool.query<{ n: number }>("SELECT coalesce(max((counts->>'done')::int), 0) AS n FROM counter_snapshot WHERE process_id = $1", [pid]);
      return rows[0].n;
    };
    await h.waitFor("first snapshot", snapshotDone, (n) => n === 1, 20_000);

    await h.redis.flushdb();
    expect(await snapshots.getJobScheduler("counter-snapshot")).toBeFalsy();
    await h.waitFor("schedulers restored", async () => Boolean((await snapshots.getJobScheduler("counter-snapshot")) && (await retention.getJobScheduler("retention"))), (ok) => ok, 20_000);
    const every = (await snapshots.getJobScheduler("counter-snapshot"))?.every;
    expect(Number(every)).toBe(1000);

    await h.submit(pid, [{ data: {} }, { data: {} }]);
    await h.waitFor("a snapshot taken after the flush", snapshotDone, (n) => n === 3, 20_000);
  }, 60_000);
});
