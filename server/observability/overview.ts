import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";
import { BUCKET_MS, bucketStart, buildSeries, readLiveCounts, seriesValues } from "./counter-history.ts";
import { isFinal, loadProcessNodes, type ProcessNodes } from "./process-nodes.ts";

/**
 * The built-in overview: how every process is doing (tasks in, finished, in
 * error per minute over the last hour or the last day), where tasks pile up, which
 * task-counter escalations are active, how alert delivery goes, and for the
 * AWS security pack, alerts per rule and per account.
 *
 * Per-minute figures come from the counter history: "in" is how much the sum
 * of a process's counters grew (every task counts once, in the node it is in
 * or the final it reached), "finished" how much its success finals grew,
 * "errors" its error finals. The current minute uses the live counters.
 */

export type OverviewWindow = "hour" | "day";
const WINDOW_MINUTES: Record<OverviewWindow, number> = { hour: 60, day: 1440 };

export interface ProcessOverview {
  id: number;
  title: string;
  /** Tasks in non-final nodes now. */
  live: number;
  totals: { in: number; finished: number; errors: number };
  /** Per minute, aligned with `Overview.times`; absent for a process idle in the window (all zeros). */
  perMinute?: { in: number[]; finished: number[]; errors: number[] };
}

export interface Overview {
  at: number;
  window: OverviewWindow;
  /** The minutes of the window, oldest first (the last one is the current, live minute). */
  times: number[];
  processes: ProcessOverview[];
  busiestNodes: Array<{ processId: number; process: string; nodeId: string; node: string; count: number }>;
  escalations: Array<{ processId: number; process: string; nodeId: string; node: string; escNodeId: string; since: string; countAtStart: number; threshold: number; current: number }>;
  alerts: {
    hour: DeliveryStats;
    day: DeliveryStats;
    byChannel: Array<{ channel: string } & DeliveryStats>;
  };
  awsPack: { byRule: Array<{ rule: string; count: number }>; byAccount: Array<{ account: string; count: number }> };
}

export interface DeliveryStats {
  sent: number;
  failed: number;
  pending: number;
  /** sent / (sent + failed); null when nothing was decided yet. */
  successRate: number | null;
}

const stats = (sent: number, failed: number, pending: number): DeliveryStats => ({ sent, failed, pending, successRate: sent + failed > 0 ? sent / (sent + failed) : null });

type Totals = { in: number; finished: number; errors: number };

function totalsOf(counts: Record<string, number>, proc: ProcessNodes): Totals {
  const kind = new Map(proc.nodes.map((n) => [n.id, n.kind]));
  let all = 0, ok = 0, err = 0;
  for (const [id, v] of Object.entries(counts)) {
    all += v;
    if (kind.get(id) === "final-success") ok += v;
    else if (kind.get(id) === "final-error") err += v;
  }
  return { in: all, finished: ok, errors: err };
}

export async function computeOverview({ pool, redis, prefix, window = "hour", now = Date.now(), topNodes = 10 }: {
  pool: Pool;
  redis: Redis;
  prefix: string;
  window?: OverviewWindow;
  now?: number;
  topNodes?: number;
}): Promise<Overview> {
  const procs = await loadProcessNodes({ pool });
  const ids = [...procs.keys()];
  const span = WINDOW_MINUTES[window];
  const first = bucketStart(now, "minute") - (span - 1) * BUCKET_MS.minute;
  const kinds = [...procs.values()].map((p) => ({
    process_id: p.id,
    ok: p.nodes.filter((n) => n.kind === "final-success").map((n) => n.id),
    err: p.nodes.filter((n) => n.kind === "final-error").map((n) => n.id),
  }));
  const [live, { rows: levels }, { rows: signals }, { rows: delivery }, { rows: rules }, { rows: accounts }] = await Promise.all([
    readLiveCounts({ redis, prefix, processIds: ids }),
    // Per snapshot row: the three sums, computed in SQL so only numbers travel; plus each process's row before the day (its baseline).
    pool.query<{ process_id: number; t: number; total: number; ok: number; err: number }>(
      `WITH k AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(process_id int, ok text[], err text[])),
       rows AS (
         SELECT s.process_id, s.minute, s.counts FROM counter_snapshot s WHERE s.minute >= $2::timestamptz
         UNION ALL
         (SELECT DISTINCT ON (s.process_id) s.process_id, s.minute, s.counts FROM counter_snapshot s WHERE s.minute < $2::timestamptz ORDER BY s.process_id, s.minute DESC)
       )
       SELECT r.process_id, (extract(epoch FROM r.minute) * 1000)::float8 AS t,
         (SELECT coalesce(sum(e.value::numeric), 0) FROM jsonb_each_text(r.counts) e)::float8 AS total,
         (SELECT coalesce(sum(e.value::numeric), 0) FROM jsonb_each_text(r.counts) e WHERE e.key = ANY(k.ok))::float8 AS ok,
         (SELECT coalesce(sum(e.value::numeric), 0) FROM jsonb_each_text(r.counts) e WHERE e.key = ANY(k.err))::float8 AS err
       FROM rows r JOIN k ON k.process_id = r.process_id ORDER BY r.process_id, r.minute`,
      [JSON.stringify(kinds), new Date(first)],
    ),
    pool.query<{ process_id: number; node_id: string; esc_node_id: string; count: number; threshold: number; at: Date }>(
      `SELECT process_id, node_id, esc_node_id, count, threshold, at FROM (
         SELECT DISTINCT ON (process_id, node_id) process_id, node_id, esc_node_id, start, count, threshold, at AT TIME ZONE 'UTC' AS at
         FROM count_signal ORDER BY process_id, node_id, id DESC) s
       WHERE s.start ORDER BY at`,
    ),
    pool.query<{ channel: string; status: string; hour: number; day: number }>(
      `SELECT channel_name AS channel, status,
         count(*) FILTER (WHERE notified_at >= now() - interval '1 hour')::int AS hour, count(*)::int AS day
       FROM alert WHERE notified_at >= now() - interval '24 hours' GROUP BY 1, 2`,
    ),
    pool.query<{ rule: string; count: number }>(
      `SELECT fields->>'Rule' AS rule, count(*)::int AS count FROM alert
       WHERE kind = 'notify' AND notified_at >= now() - interval '24 hours' AND coalesce(fields->>'Rule', '') <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 25`,
    ),
    pool.query<{ account: string; count: number }>(
      `SELECT fields->>'Account' AS account, count(*)::int AS count FROM alert
       WHERE kind = 'notify' AND notified_at >= now() - interval '24 hours' AND coalesce(fields->>'Account', '') <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 25`,
    ),
  ]);

  const rowsByProcess = new Map<number, Array<{ t: number; counts: Record<string, number> }>>();
  for (const r of levels) {
    const list = rowsByProcess.get(r.process_id) ?? [];
    list.push({ t: r.t, counts: { in: r.total, finished: r.ok, errors: r.err } });
    rowsByProcess.set(r.process_id, list);
  }

  const times = Array.from({ length: span }, (_, i) => first + i * BUCKET_MS.minute);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const processes: ProcessOverview[] = [...procs.values()].map((p) => {
    const rows = rowsByProcess.get(p.id) ?? [];
    const liveCounts = live.get(p.id)?.counts ?? null;
    const baselineRow = rows.filter((r) => r.t < first).at(-1);
    const s = buildSeries({ bucket: "minute", first, span, baseline: baselineRow?.counts ?? {}, rows: rows.filter((r) => r.t >= first), live: liveCounts ? totalsOf(liveCounts, p) : null });
    const perMinute = { in: seriesValues(s, "in", "increase"), finished: seriesValues(s, "finished", "increase"), errors: seriesValues(s, "errors", "increase") };
    const totals = { in: sum(perMinute.in), finished: sum(perMinute.finished), errors: sum(perMinute.errors) };
    const kind = new Map(p.nodes.map((n) => [n.id, n.kind]));
    const liveTasks = Object.entries(liveCounts ?? {}).reduce((n, [id, v]) => n + (isFinal(kind.get(id) ?? "normal") ? 0 : v), 0);
    // An idle process sends no arrays of zeros: with many processes and a day of minutes, that is most of the answer.
    const idle = totals.in === 0 && totals.finished === 0 && totals.errors === 0;
    return { id: p.id, title: p.title, live: liveTasks, totals, ...(idle ? {} : { perMinute }) };
  });

  const busiestNodes = [...procs.values()]
    .flatMap((p) => p.nodes.filter((n) => !isFinal(n.kind)).map((n) => ({ processId: p.id, process: p.title, nodeId: n.id, node: n.title, count: live.get(p.id)?.counts[n.id] ?? 0 })))
    .filter((n) => n.count > 0)
    .sort((a, b) => b.count - a.count || a.process.localeCompare(b.process))
    .slice(0, topNodes);

  const escalations = signals.map((s) => {
    const p = procs.get(s.process_id);
    return {
      processId: s.process_id, process: p?.title ?? `process ${s.process_id}`, nodeId: s.node_id, node: p?.nodes.find((n) => n.id === s.node_id)?.title ?? s.node_id,
      escNodeId: s.esc_node_id, since: s.at.toISOString(), countAtStart: s.count, threshold: s.threshold, current: live.get(s.process_id)?.counts[s.node_id] ?? 0,
    };
  });

  const tally = (pick: (r: { hour: number; day: number }) => number, channel?: string) => {
    const rows = delivery.filter((r) => channel === undefined || r.channel === channel);
    const n = (status: string[]) => rows.filter((r) => status.includes(r.status)).reduce((s, r) => s + pick(r), 0);
    return stats(n(["sent"]), n(["failed"]), n(["queued", "sending", "retrying"]));
  };
  const channels = [...new Set(delivery.map((r) => r.channel))].sort();
  return {
    at: now,
    window,
    times,
    processes,
    busiestNodes,
    escalations,
    alerts: { hour: tally((r) => r.hour), day: tally((r) => r.day), byChannel: channels.map((channel) => ({ channel, ...tally((r) => r.day, channel) })) },
    awsPack: { byRule: rules, byAccount: accounts },
  };
}
