import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../../engine/testing/builders.ts";
import { countersKey } from "../tasks/node-counters.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";
import { pruneCounterSnapshots, readCounterSeries, seriesValues, takeCounterSnapshot } from "./counter-history.ts";

/**
 * Counter snapshots against the real PostgreSQL and Redis: a row only when
 * the counters changed, the minute's row replaced by a later snapshot in the
 * same minute, nothing written for a process whose counters Redis lost, and
 * pruning that keeps the row later minutes carry forward from.
 */
let h: Harness;
let pid: number;
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
const rows = () => h.pool.query<{ t: number; counts: Record<string, number> }>(
  "SELECT (extract(epoch FROM minute) * 1000)::float8 AS t, counts FROM counter_snapshot WHERE process_id = $1 ORDER BY minute", [pid],
).then((r) => r.rows);

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  pid = await h.publish(buildScheme(startNode("s", "a"), logicNode("a", [go("done")]), finalNode("done")), { title: "history" });
});
afterAll(async () => h?.close());

describe("counter snapshots", () => {
  const setCounts = (counts: Record<string, number>) => h.redis.del(countersKey(h.config.QUEUE_PREFIX, pid)).then(() => h.redis.hset(countersKey(h.config.QUEUE_PREFIX, pid), counts));
  const snap = (t: number) => takeCounterSnapshot({ pool: h.pool, redis: h.redis, prefix: h.config.QUEUE_PREFIX, now: new Date(t) });

  it("writes a row per changed minute only, and the last snapshot of a minute wins", async () => {
    await setCounts({ a: 1, done: 5 });
    await snap(T0 + 5_000);
    await snap(T0 + 20_000); // same counters, same minute: nothing
    await snap(T0 + MIN + 5_000); // same counters, next minute: nothing
    await setCounts({ a: 0, done: 6 });
    await snap(T0 + 2 * MIN + 1_000);
    await setCounts({ a: 2, done: 7 });
    await snap(T0 + 2 * MIN + 40_000); // replaces minute 2
    expect(await rows()).toEqual([{ t: T0, counts: { a: 1, done: 5 } }, { t: T0 + 2 * MIN, counts: { a: 2, done: 7 } }]);
  });

  it("writes nothing for a process whose counters are missing from Redis (no false drop to zero)", async () => {
    await h.redis.del(countersKey(h.config.QUEUE_PREFIX, pid));
    await snap(T0 + 3 * MIN);
    expect((await rows()).length).toBe(2);
  });

  it("reads a series: carried forward, live counters in the current bucket, by minute and by hour", async () => {
    const now = T0 + 4 * MIN + 30_000;
    const s = await readCounterSeries({ pool: h.pool, processId: pid, bucket: "minute", span: 6, now, live: { a: 1, done: 9 } });
    expect(s.points.map((p) => p.t)).toEqual([-1, 0, 1, 2, 3, 4].map((i) => T0 + i * MIN));
    expect(seriesValues(s, "done", "level")).toEqual([0, 5, 5, 7, 7, 9]);
    expect(seriesValues(s, "done", "increase")).toEqual([0, 5, 0, 2, 0, 2]);
    expect(seriesValues(s, "a", "level")).toEqual([0, 1, 1, 2, 2, 1]);
    const byHour = await readCounterSeries({ pool: h.pool, processId: pid, bucket: "hour", span: 2, now, live: null });
    expect(seriesValues(byHour, "done", "level")).toEqual([0, 7]);
  });

  it("prunes old rows but keeps the latest one before the cutoff", async () => {
    expect(await pruneCounterSnapshots({ pool: h.pool, before: new Date(T0 + 10 * MIN) })).toBe(1);
    expect(await rows()).toEqual([{ t: T0 + 2 * MIN, counts: { a: 2, done: 7 } }]);
    const s = await readCounterSeries({ pool: h.pool, processId: pid, bucket: "minute", span: 2, now: T0 + 20 * MIN, live: null });
    expect(seriesValues(s, "done", "level")).toEqual([7, 7]);
  });
});
