import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";
import { sumsKey } from "../execution/lookups.ts";
import { countersKey, type NodeCounts } from "../tasks/node-counters.ts";

/**
 * Counter history: what a process's node counters (and Sum totals) stood at,
 * minute by minute, kept in PostgreSQL so charts survive restarts and cover
 * days. A snapshot writes a row for the current minute only when the
 * counters differ from the process's latest row (an idle process costs
 * nothing); a later snapshot in the same minute replaces it, so a minute's row
 * is the level at the last snapshot taken in it. Readers carry the last row
 * forward over minutes without one.
 */

export type Bucket = "minute" | "hour" | "day";
export const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The start of the bucket holding `t` (UTC: hours and days begin at UTC boundaries). */
export const bucketStart = (t: number, bucket: Bucket) => Math.floor(t / BUCKET_MS[bucket]) * BUCKET_MS[bucket];

function parseHash(raw: Record<string, string>): NodeCounts {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("__")).map(([k, v]) => [k, Number(v)]));
}

/** Live counters of several processes, from Redis; a process whose hash is missing (never counted, or lost) is absent. */
export async function readLiveCounts({ redis, prefix, processIds }: { redis: Redis; prefix: string; processIds: number[] }): Promise<Map<number, { counts: NodeCounts; sums: Record<string, number> }>> {
  const out = new Map<number, { counts: NodeCounts; sums: Record<string, number> }>();
  if (processIds.length === 0) return out;
  const p = redis.pipeline();
  for (const id of processIds) p.hgetall(countersKey(prefix, id)).hgetall(sumsKey(prefix, id));
  const res = (await p.exec()) ?? [];
  processIds.forEach((id, i) => {
    const counts = (res[2 * i]?.[1] ?? {}) as Record<string, string>;
    const sums = (res[2 * i + 1]?.[1] ?? {}) as Record<string, string>;
    if (Object.keys(counts).length > 0) out.set(id, { counts: parseHash(counts), sums: parseHash(sums) });
  });
  return out;
}

/**
 * Takes one snapshot of every process's counters, labelled with the minute
 * `now` falls in. A process whose counters are missing from Redis is skipped
 * (the reconciler rebuilds them): writing nothing is right, writing zeros
 * would chart a drop that never happened. Idempotent within a minute.
 */
export async function takeCounterSnapshot({ pool, redis, prefix, now = new Date() }: { pool: Pool; redis: Redis; prefix: string; now?: Date }): Promise<{ processes: number; written: number }> {
  const { rows: processes } = await pool.query<{ id: number }>("SELECT id FROM process ORDER BY id");
  const live = await readLiveCounts({ redis, prefix, processIds: processes.map((p) => p.id) });
  if (live.size === 0) return { processes: processes.length, written: 0 };
  const minute = new Date(bucketStart(now.getTime(), "minute"));
  const items = [...live].map(([processId, v]) => ({ process_id: processId, counts: v.counts, sums: Object.keys(v.sums).length ? v.sums : null }));
  const { rowCount } = await pool.query(
    `INSERT INTO counter_snapshot (process_id, minute, counts, sums)
     SELECT u.process_id, $2::timestamptz, u.counts, u.sums FROM jsonb_to_recordset($1::jsonb) AS u(process_id int, counts jsonb, sums jsonb)
     JOIN process p ON p.id = u.process_id
     WHERE NOT EXISTS (
       SELECT 1 FROM (SELECT s.counts, s.sums FROM counter_snapshot s WHERE s.process_id = u.process_id ORDER BY s.minute DESC LIMIT 1) last
       WHERE last.counts = u.counts AND last.sums IS NOT DISTINCT FROM u.sums)
     ON CONFLICT (process_id, minute) DO UPDATE SET counts = excluded.counts, sums = excluded.sums`,
    [JSON.stringify(items), minute],
  );
  return { processes: processes.length, written: rowCount ?? 0 };
}

/**
 * Deletes snapshots older than `before`, except each process's latest row
 * before it: that row is the level the next minutes carry forward from.
 */
export async function pruneCounterSnapshots({ pool, before }: { pool: Pool; before: Date }): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM counter_snapshot s WHERE s.minute < $1::timestamptz
       AND EXISTS (SELECT 1 FROM counter_snapshot n WHERE n.process_id = s.process_id AND n.minute > s.minute AND n.minute < $1::timestamptz)`,
    [before],
  );
  return rowCount ?? 0;
}

export interface CounterSeries {
  bucket: Bucket;
  /** The counters at the end of the bucket before the first one (the base for increases). */
  baseline: NodeCounts;
  /** One point per bucket, oldest first: the counters at the bucket's end (the live ones for the bucket holding now). */
  points: Array<{ t: number; counts: NodeCounts }>;
}

/**
 * A process's counters at the end of each of the `span` buckets up to and
 * including the one holding `now`. History comes from the snapshots; the
 * current bucket from the live counters, so a chart moves as tasks do.
 */
export async function readCounterSeries({ pool, processId, bucket, span, now, live }: {
  pool: Pool;
  processId: number;
  bucket: Bucket;
  span: number;
  now: number;
  /** The process's live counters (null: not in Redis; the latest snapshot stands in). */
  live: NodeCounts | null;
}): Promise<CounterSeries> {
  const size = BUCKET_MS[bucket];
  const first = bucketStart(now, bucket) - (span - 1) * size;
  const [{ rows: base }, { rows }] = await Promise.all([
    pool.query<{ counts: NodeCounts }>(`SELECT counts FROM counter_snapshot WHERE process_id = $1 AND minute < $2::timestamptz ORDER BY minute DESC LIMIT 1`, [processId, new Date(first)]),
    // The last row of each bucket is all a bucket needs. Minutes are UTC; epoch milliseconds avoid the driver's local-time parsing.
    pool.query<{ t: number; counts: NodeCounts }>(
      `SELECT DISTINCT ON (b) (extract(epoch FROM b) * 1000)::float8 AS t, counts FROM (
         SELECT date_bin(make_interval(secs => $4), minute, TIMESTAMP '1970-01-01') AS b, minute, counts
         FROM counter_snapshot WHERE process_id = $1 AND minute >= $2::timestamptz AND minute <= $3::timestamptz) x
       ORDER BY b, minute DESC`,
      [processId, new Date(first), new Date(now), size / 1000],
    ),
  ]);
  return buildSeries({ bucket, first, span, baseline: base[0]?.counts ?? {}, rows, live });
}

/** Pure part of readCounterSeries: carry the last known counters forward, the live ones into the last bucket. */
export function buildSeries({ bucket, first, span, baseline, rows, live }: {
  bucket: Bucket;
  first: number;
  span: number;
  baseline: NodeCounts;
  /** The last snapshot of each bucket that has one (t = bucket start), any order. */
  rows: Array<{ t: number; counts: NodeCounts }>;
  live: NodeCounts | null;
}): CounterSeries {
  const size = BUCKET_MS[bucket];
  const byBucket = new Map(rows.map((r) => [r.t, r.counts]));
  const points: CounterSeries["points"] = [];
  let carried = baseline;
  for (let i = 0; i < span; i++) {
    const t = first + i * size;
    carried = byBucket.get(t) ?? carried;
    points.push({ t, counts: i === span - 1 && live ? live : carried });
  }
  return { bucket, baseline, points };
}

/**
 * What a chart plots for a node: its `level` (tasks in the node at the end of
 * each bucket; a final node's running total) or its `increase` per bucket
 * (tasks that arrived: how a final node's total grew). A total that fell (a
 * counter reset by hand) counts as no increase, not a negative one.
 */
export type Measure = "level" | "increase";

export function seriesValues(series: CounterSeries, nodeId: string, measure: Measure): number[] {
  const level = series.points.map((p) => p.counts[nodeId] ?? 0);
  if (measure === "level") return level;
  let prev = series.baseline[nodeId] ?? 0;
  return level.map((v) => {
    const d = Math.max(0, v - prev);
    prev = v;
    return d;
  });
}
