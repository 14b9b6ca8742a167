import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";
import type { NodeCounts } from "../tasks/node-counters.ts";
import { bucketStart, readCounterSeries, readLiveCounts, seriesValues, type Bucket, type CounterSeries, type Measure } from "../observability/counter-history.ts";
import { isFinal, loadProcessNodes, type NodeInfo, type ProcessNodes } from "../observability/process-nodes.ts";
import { SPAN_LIMITS, widgetProcessIds, type Widget } from "./widgets.ts";
import type { StoredWidget } from "./dashboard-service.ts";

/**
 * The numbers behind a dashboard's widgets, computed in one request (the
 * page polls it every second): live counters from Redis, history from the
 * counter snapshots, recent alerts from PostgreSQL.
 */

export interface NodeLabel {
  id: string;
  title: string;
  kind: NodeInfo["kind"] | "missing";
}

export interface AlertRowDto {
  id: number;
  at: string;
  severity: string;
  title: string;
  channel: string;
  status: string;
  processId: number | null;
  process: string | null;
}

export type WidgetData =
  | { type: "count"; node: NodeLabel; value: number }
  | { type: "chart"; bucket: Bucket; times: number[]; series: Array<{ node: NodeLabel; measure: Measure; values: number[] }> }
  | { type: "funnel"; period: string; stages: Array<{ node: NodeLabel; value: number }> }
  | { type: "sum"; node: NodeLabel; sums: Array<{ id: string; name: string; value: number }> }
  | { type: "alerts"; alerts: AlertRowDto[] }
  | { type: "error"; message: string };

export interface DashboardData {
  at: number;
  processes: Record<number, { title: string }>;
  widgets: Record<string, WidgetData>;
}

const PERIOD_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
/** Hour and day charts reread their (unchanging) history at most this often; the current bucket is always live. */
const HISTORY_CACHE_MS = 30_000;
const historyCache = new Map<string, { expires: number; series: Promise<CounterSeries> }>();

function label(proc: ProcessNodes, nodeId: string): NodeLabel {
  const n = proc.nodes.find((x) => x.id === nodeId);
  return n ? { id: n.id, title: n.title, kind: n.kind } : { id: nodeId, title: `${nodeId} (not in the process)`, kind: "missing" };
}

export async function computeDashboardData({ pool, redis, prefix, widgets, now = Date.now() }: { pool: Pool; redis: Redis; prefix: string; widgets: StoredWidget[]; now?: number }): Promise<DashboardData> {
  const valid = widgets.filter((w): w is Widget => w.type !== "invalid");
  const processIds = widgetProcessIds(valid);
  const [procs, live] = await Promise.all([loadProcessNodes({ pool, processIds }), readLiveCounts({ redis, prefix, processIds })]);
  const latest = new Map<number, Promise<NodeCounts>>();
  /** Counters now: live, else (Redis lost them, the reconciler is rebuilding) the latest snapshot. */
  const countsNow = (processId: number): Promise<NodeCounts> => {
    const l = live.get(processId);
    if (l) return Promise.resolve(l.counts);
    if (!latest.has(processId)) latest.set(processId, countsAt({ pool, processId, at: now }));
    return latest.get(processId)!;
  };

  const out: Record<string, WidgetData> = {};
  await Promise.all(
    widgets.map(async (w) => {
      try {
        out[w.id] = await widgetData(w);
      } catch (err) {
        out[w.id] = { type: "error", message: (err as Error).message };
      }
    }),
  );
  return { at: now, processes: Object.fromEntries([...procs].map(([id, p]) => [id, { title: p.title }])), widgets: out };

  async function widgetData(w: StoredWidget): Promise<WidgetData> {
    if (w.type === "invalid") return { type: "error", message: `this widget no longer fits the dashboard format (${w.problem}); edit or remove it` };
    if (w.type === "alerts") return { type: "alerts", alerts: await recentAlerts({ pool, processId: w.processId, limit: w.limit }) };
    const proc = procs.get(w.processId);
    if (!proc) return { type: "error", message: `process ${w.processId} does not exist any more; edit or remove this widget` };
    switch (w.type) {
      case "count":
        return { type: "count", node: label(proc, w.nodeId), value: (await countsNow(w.processId))[w.nodeId] ?? 0 };
      case "sum": {
        const sums = live.get(w.processId)?.sums ?? {};
        const node = proc.nodes.find((n) => n.id === w.nodeId);
        const declared = node?.sums ?? [];
        const ids = w.sumId ? [w.sumId] : declared.length ? declared.map((s) => s.id) : Object.keys(sums).filter((k) => k.startsWith(`${w.nodeId}:`)).map((k) => k.slice(w.nodeId.length + 1));
        return { type: "sum", node: label(proc, w.nodeId), sums: ids.map((id) => ({ id, name: declared.find((s) => s.id === id)?.name ?? id, value: sums[`${w.nodeId}:${id}`] ?? 0 })) };
      }
      case "funnel": {
        const current = await countsNow(w.processId);
        const base = w.period === "total" ? {} : await countsAt({ pool, processId: w.processId, at: now - PERIOD_MS[w.period] });
        return { type: "funnel", period: w.period, stages: w.nodeIds.map((id) => ({ node: label(proc, id), value: Math.max(0, (current[id] ?? 0) - (base[id] ?? 0)) })) };
      }
      case "chart": {
        const span = w.span ?? SPAN_LIMITS[w.bucket].default;
        const series = withLive(await history({ pool, processId: w.processId, bucket: w.bucket, span, now }), live.get(w.processId)?.counts ?? null);
        return {
          type: "chart",
          bucket: w.bucket,
          times: series.points.map((p) => p.t),
          series: w.nodeIds.map((id) => {
            const node = label(proc, id);
            const measure: Measure = w.measure === "auto" ? (node.kind !== "missing" && isFinal(node.kind) ? "increase" : "level") : w.measure;
            return { node, measure, values: seriesValues(series, id, measure) };
          }),
        };
      }
    }
  }
}

function history({ pool, processId, bucket, span, now }: { pool: Pool; processId: number; bucket: Bucket; span: number; now: number }): Promise<CounterSeries> {
  if (bucket === "minute") return readCounterSeries({ pool, processId, bucket, span, now, live: null });
  const key = `${processId}:${bucket}:${span}:${bucketStart(now, bucket)}`;
  const hit = historyCache.get(key);
  if (hit && hit.expires > now) return hit.series;
  const series = readCounterSeries({ pool, processId, bucket, span, now, live: null });
  historyCache.set(key, { expires: now + HISTORY_CACHE_MS, series });
  series.catch(() => historyCache.delete(key));
  for (const [k, v] of historyCache) if (v.expires <= now) historyCache.delete(k);
  return series;
}

function withLive(series: CounterSeries, live: NodeCounts | null): CounterSeries {
  if (!live || series.points.length === 0) return series;
  const points = series.points.slice();
  points[points.length - 1] = { ...points[points.length - 1], counts: live };
  return { ...series, points };
}

/** The counters as of `at`: the latest snapshot at or before it ({} when none). */
export async function countsAt({ pool, processId, at }: { pool: Pool; processId: number; at: number }): Promise<NodeCounts> {
  const { rows } = await pool.query<{ counts: NodeCounts }>(
    "SELECT counts FROM counter_snapshot WHERE process_id = $1 AND minute <= $2::timestamptz ORDER BY minute DESC LIMIT 1",
    [processId, new Date(at)],
  );
  return rows[0]?.counts ?? {};
}

export async function recentAlerts({ pool, processId, limit }: { pool: Pool; processId: number | null; limit: number }): Promise<AlertRowDto[]> {
  const { rows } = await pool.query<{ id: number; at: Date; severity: string; title: string; channel: string; status: string; process_id: number | null; process: string | null }>(
    `SELECT a.id, a.notified_at AT TIME ZONE 'UTC' AS at, a.severity, a.title, a.channel_name AS channel, a.status, a.process_id, p.title AS process
     FROM alert a LEFT JOIN process p ON p.id = a.process_id
     WHERE a.kind = 'notify' AND ($1::int IS NULL OR a.process_id = $1)
     ORDER BY a.id DESC LIMIT $2`,
    [processId, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), severity: r.severity, title: r.title, channel: r.channel, status: r.status, processId: r.process_id, process: r.process }));
}

