import path from "node:path";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { AppConfig } from "../server/config.ts";
import type { Pool } from "../server/db/pool.ts";
import type { Logger } from "../server/logger.ts";
import { takeCounterSnapshot } from "../server/observability/counter-history.ts";
import { runRetention } from "../server/observability/retention.ts";
import { bullConnection } from "./queues.ts";

/**
 * Periodic housekeeping, as BullMQ job schedulers: every worker upserts the
 * same schedulers (same ids), BullMQ keeps one job per iteration, and one
 * worker at a time runs it — however many workers there are, and none when
 * all are down (no backlog builds up). Two queues, so that a long retention
 * run never delays the counter snapshots.
 *
 * - counter snapshots every COUNTER_SNAPSHOT_INTERVAL_SEC (charts' history);
 * - retention every RETENTION_INTERVAL_SEC (policies, history pruning).
 */
export const MAINTENANCE_QUEUES = { snapshots: "counter-snapshots", retention: "retention" } as const;

export interface Maintenance {
  /**
   * Puts the schedulers back if Redis lost them (a flush, a restart without
   * persistence); a no-op while they exist. The worker calls it with every
   * reconcile pass, so housekeeping resumes without restarting any worker.
   */
  ensureSchedules(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startMaintenance({ config, pool, redis, log }: { config: AppConfig; pool: Pool; redis: Redis; log: Logger }): Promise<Maintenance> {
  const connection = bullConnection(config.REDIS_URL);
  const prefix = config.QUEUE_PREFIX;
  const snapshots = new Queue(MAINTENANCE_QUEUES.snapshots, { connection, prefix });
  const retention = new Queue(MAINTENANCE_QUEUES.retention, { connection, prefix });
  const jobOpts = { removeOnComplete: true, removeOnFail: 100 };
  const schedules = [
    { queue: snapshots, id: "counter-snapshot", every: config.COUNTER_SNAPSHOT_INTERVAL_SEC * 1000, name: "snapshot" },
    { queue: retention, id: "retention", every: config.RETENTION_INTERVAL_SEC * 1000, name: "retention" },
  ];
  for (const s of schedules) await s.queue.upsertJobScheduler(s.id, { every: s.every }, { name: s.name, opts: jobOpts });
  // Only missing schedulers are upserted: upserting a live one on every pass could keep pushing its next run back.
  const ensureSchedules = async () => {
    let restored = false;
    for (const s of schedules) {
      if (await s.queue.getJobScheduler(s.id)) continue;
      await s.queue.upsertJobScheduler(s.id, { every: s.every }, { name: s.name, opts: jobOpts });
      restored = true;
    }
    if (restored) log.info("maintenance schedules restored (Redis had lost them)");
    return restored;
  };

  const settings = {
    defaultKeepSec: config.TASK_RETENTION_DEFAULT_DAYS * 86_400,
    counterHistoryDays: config.COUNTER_HISTORY_DAYS,
    archiveDir: path.resolve(config.RETENTION_ARCHIVE_DIR),
  };
  const workers = [
    new Worker(MAINTENANCE_QUEUES.snapshots, async () => {
      const r = await takeCounterSnapshot({ pool, redis, prefix });
      return `${r.written} of ${r.processes} processes written`;
    }, { connection, prefix, concurrency: 1 }),
    new Worker(MAINTENANCE_QUEUES.retention, async () => {
      const r = await runRetention({ pool, settings, log });
      if (r.purged || r.snapshotsPruned || r.outboxPurged) log.info({ purged: r.purged, snapshotsPruned: r.snapshotsPruned, signalsPruned: r.signalsPruned, outboxPurged: r.outboxPurged }, "retention run");
      return `${r.purged} tasks purged`;
    }, { connection, prefix, concurrency: 1 }),
  ];
  for (const w of workers) {
    w.on("failed", (job, err) => log.error({ queue: w.name, jobId: job?.id, err: err.message }, "maintenance job failed"));
    w.on("error", (err) => log.error({ queue: w.name, err: err.message }, "maintenance worker error"));
  }
  return {
    ensureSchedules,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([snapshots.close(), retention.close()]);
    },
  };
}

/**
 * Asks the workers to run retention now (the admin's "Run now"), without
 * waiting for the schedule. One pending request at a time: asking again
 * while one waits changes nothing.
 */
export async function requestRetentionRun({ redisUrl, prefix }: { redisUrl: string; prefix: string }): Promise<void> {
  const queue = new Queue(MAINTENANCE_QUEUES.retention, { connection: bullConnection(redisUrl), prefix });
  try {
    await queue.add("retention", {}, { jobId: "retention-now", removeOnComplete: true, removeOnFail: 100 });
  } finally {
    await queue.close();
  }
}
