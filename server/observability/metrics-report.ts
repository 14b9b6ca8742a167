import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";
import { heartbeatKey, liveWorkerKeys } from "../health.ts";
import { readRecordedMetrics } from "./metrics.ts";
import type { MetricFamily } from "./prometheus.ts";

/** Depth and age of one queue, as the queue layer (workers/queue-stats.ts) reports it. */
export interface QueueDepth {
  queue: string;
  jobs: Record<string, number>;
  oldestWaitingAgeSec: number;
}

/**
 * Everything /api/metrics exposes, as metric families. The series and their
 * meaning are documented in docs/observability.md; a test scrapes them.
 */
export async function collectMetrics({ pool, redis, prefix, queues, now = Date.now() }: { pool: Pool; redis: Redis; prefix: string; queues: QueueDepth[]; now?: number }): Promise<MetricFamily[]> {
  const [recorded, workers, alerts, attempts, escalations] = await Promise.all([
    readRecordedMetrics({ redis, prefix, now }),
    readHeartbeats({ redis, prefix, now }),
    pool.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM alert GROUP BY status"),
    pool.query<{ outcome: string; n: number }>("SELECT outcome, count(*)::int AS n FROM alert_attempt GROUP BY outcome"),
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT ON (process_id, node_id) start FROM count_signal ORDER BY process_id, node_id, id DESC) s WHERE s.start`,
    ),
  ]);
  const alertStatuses = new Map(alerts.rows.map((r) => [r.status, r.n]));
  const attemptOutcomes = new Map(attempts.rows.map((r) => [r.outcome, r.n]));
  return [
    {
      name: "conveyor_queue_jobs", help: "Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, failed).", type: "gauge",
      samples: queues.flatMap((q) => Object.entries(q.jobs).map(([state, value]) => ({ labels: { queue: q.queue, state }, value }))),
    },
    {
      name: "conveyor_queue_oldest_waiting_seconds", help: "Seconds the oldest waiting job of each queue has been due (0: none waiting).", type: "gauge",
      samples: queues.map((q) => ({ labels: { queue: q.queue }, value: q.oldestWaitingAgeSec })),
    },
    { name: "conveyor_tasks_moved_total", help: "Task steps committed (one per task per unit of work: the nodes it passed until it parked or finished).", type: "counter", samples: [{ value: recorded.tasksMoved }] },
    { name: "conveyor_tasks_moved_per_second", help: "Task steps committed per second, averaged over the last minute.", type: "gauge", samples: [{ value: recorded.tasksMovedPerSecond }] },
    { name: "conveyor_step_duration_seconds", help: "Time to commit a task step: lock, run the engine, persist, dispatch (a batched step counts its batch's time).", type: "histogram", samples: [{ histogram: recorded.stepDuration }] },
    {
      name: "conveyor_alerts", help: "Alerts by delivery status (queued, sending, retrying, sent, failed = dead-lettered).", type: "gauge",
      samples: ["queued", "sending", "retrying", "sent", "failed"].map((status) => ({ labels: { status }, value: alertStatuses.get(status) ?? 0 })),
    },
    {
      name: "conveyor_alert_delivery_attempts_total", help: "Alert delivery attempts by outcome (sent, error, abandoned by a worker that stopped).", type: "counter",
      samples: ["sent", "error", "abandoned"].map((outcome) => ({ labels: { outcome }, value: attemptOutcomes.get(outcome) ?? 0 })),
    },
    {
      name: "conveyor_http_request_duration_seconds", help: "Time to answer API requests, by method, route pattern and status.", type: "histogram",
      samples: recorded.http.map((h) => ({ labels: { method: h.method, route: h.route, status: h.status }, histogram: h.histogram })),
    },
    { name: "conveyor_workers_live", help: "Worker processes whose heartbeat is current.", type: "gauge", samples: [{ value: workers.length }] },
    {
      name: "conveyor_worker_heartbeat_age_seconds", help: "Seconds since each live worker's last heartbeat (it beats every 5 s; it is gone after 15 s of silence).", type: "gauge",
      samples: workers.map((w) => ({ labels: { worker: w.worker }, value: w.ageSec })),
    },
    { name: "conveyor_escalations_active", help: "Task-counter escalations active (a node's latest signal is a start).", type: "gauge", samples: [{ value: escalations.rows[0]?.n ?? 0 }] },
  ];
}

async function readHeartbeats({ redis, prefix, now }: { redis: Redis; prefix: string; now: number }): Promise<Array<{ worker: string; ageSec: number }>> {
  const keys = await liveWorkerKeys({ redis, prefix });
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const stem = heartbeatKey(prefix, "");
  return keys
    .map((k, i) => ({ worker: k.slice(stem.length), at: Date.parse(values[i] ?? "") }))
    .filter((w) => Number.isFinite(w.at))
    .map((w) => ({ worker: w.worker, ageSec: Math.max(0, (now - w.at) / 1000) }))
    .sort((a, b) => a.worker.localeCompare(b.worker));
}
