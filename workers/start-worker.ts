import os from "node:os";
import { Worker } from "bullmq";
import type { AppConfig } from "../server/config.ts";
import { createPool } from "../server/db/pool.ts";
import { createDb } from "../server/db/client.ts";
import { createRedis } from "../server/redis.ts";
import { createLogger, type Logger } from "../server/logger.ts";
import { HEARTBEAT_TTL_SECONDS, heartbeatKey } from "../server/health.ts";
import { ProcessCatalog } from "../server/execution/catalog.ts";
import { createExecutor, type ExecuteResult } from "../server/execution/executor.ts";
import type { StepItem } from "../server/execution/unit-of-work.ts";
import { ReconcileLockLost, reconcile } from "../server/tasks/reconcile.ts";
import { startAlertWorker } from "./alert-worker.ts";
import { createBatcher } from "./batcher.ts";
import { createDispatcher, DISPATCHED_KINDS } from "./dispatcher.ts";
import { processEffect } from "./effects.ts";
import { createEffectRunners } from "./effect-runners.ts";
import { startMaintenance } from "./maintenance.ts";
import { bullConnection, ENTER_BATCH, enterBatchJobSchema, QUEUE, stepJobSchema } from "./queues.ts";
import { createSemaphore } from "../server/semaphore.ts";
import { RefRaceError } from "../server/execution/persist.ts";

export interface RunningWorker {
  log: Logger;
  stop(): Promise<void>;
}

/** A step job whose task another worker holds right now: BullMQ retries it with backoff. */
class TaskBusyError extends Error {}

/**
 * Starts one worker: the consumer of step jobs (batched into one transaction
 * per batch), the consumer of effect jobs (HTTP, code, modify, queue), alert
 * delivery, housekeeping — those of them WORKER_QUEUES names (all by default) —
 * plus a heartbeat that /api/health reads, and the reconciler.
 */
export async function startWorker({ config, workerId, reconcileEveryMs = 15_000 }: { config: AppConfig; workerId: string; reconcileEveryMs?: number }): Promise<RunningWorker> {
  const log = createLogger({ name: "worker", level: config.LOG_LEVEL });
  const pool = createPool({ databaseUrl: config.DATABASE_URL, max: 12 });
  const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: 4 });
  const redis = createRedis({ redisUrl: config.REDIS_URL });
  redis.on("error", (err) => log.warn({ err: err.message }, "redis connection error"));
  const prefix = config.QUEUE_PREFIX;
  const catalog = new ProcessCatalog(pool);
  const dispatcher = createDispatcher({ redisUrl: config.REDIS_URL, prefix, pool });
  const executor = createExecutor({ pool, redis, prefix, catalog, dispatcher, options: { taskSizeLimit: config.TASK_SIZE_LIMIT_BYTES }, log });
  const runners = createEffectRunners(config);

  // Step transactions in flight: jobs past the limit wait (single step jobs meanwhile gather into bigger batches).
  const transactions = createSemaphore(config.WORKER_STEP_TRANSACTIONS || Math.max(2, os.availableParallelism()));
  const runBatch = createBatcher<StepItem, ExecuteResult["outcomes"] extends Map<string, infer V> ? V : never>({
    maxBatch: 64,
    gate: transactions,
    flush: async (items) => {
      const { outcomes } = await executor.run(items);
      return items.map((i) => outcomes.get(i.taskId) ?? { outcome: "stale" as const });
    },
  });

  const connection = bullConnection(config.REDIS_URL);
  const consumes = new Set(config.WORKER_QUEUES);
  const steps = !consumes.has("steps") ? null : new Worker(
    QUEUE.steps,
    async (job) => {
      if (job.name === ENTER_BATCH) {
        const { batch } = enterBatchJobSchema.parse(job.data);
        const { outcomes } = await transactions.run(() => executor.run(batch.map((b) => ({ ...b, event: { type: "enter" as const } }))));
        // Tasks another worker holds are retried one by one.
        const busy = batch.filter((b) => outcomes.get(b.taskId)?.outcome === "busy");
        if (busy.length) await dispatcher.enqueueSteps(busy.map((b) => ({ ...b, event: { type: "enter" } })));
        return `${batch.length - busy.length} moved`;
      }
      const data = stepJobSchema.parse(job.data);
      const res = await runBatch({ taskId: data.taskId, seq: data.seq, event: data.event as StepItem["event"] });
      if (res.outcome === "busy") throw new TaskBusyError(`task ${data.taskId} is locked by another worker`);
      return res.outcome;
    },
    // A shorter lock than BullMQ's 30 s: a killed worker's jobs are back in the queue within ~15 s.
    { connection, prefix, concurrency: config.WORKER_CONCURRENCY, lockDuration: 15_000, stalledInterval: 5_000 },
  );
  const effects = !consumes.has("effects") ? null : new Worker(QUEUE.effects, (job, token) => processEffect(job, token, { pool, redis, prefix, catalog, executor, http: runners.http, code: runners.code }), {
    connection,
    prefix,
    concurrency: Math.max(8, config.WORKER_CONCURRENCY),
    lockDuration: 90_000, // an API call may take its whole timeout (60 s by default)
    stalledInterval: 15_000,
  });
  for (const w of [steps, effects]) {
    if (!w) continue;
    w.on("failed", (job, err) => {
      // Contention, retried by BullMQ: a task another worker holds, a ref another step took meanwhile.
      if (err instanceof TaskBusyError || err instanceof RefRaceError) log.debug({ queue: w.name, jobId: job?.id, err: err.message }, "job retried");
      else log.error({ queue: w.name, jobId: job?.id, taskId: job?.data?.taskId, processId: job?.data?.processId, err: err.message }, "job failed");
    });
    w.on("error", (err) => log.error({ queue: w.name, err: err.message }, "worker error"));
  }

  // Alert delivery (the alerts notify blocks write, "send test", resends); its sweep runs at the reconciler's pace.
  // Its own small pool: an alert's claim and record never queue behind a batch of step transactions.
  const alertPool = createPool({ databaseUrl: config.DATABASE_URL, max: 4 });
  const alerts = !consumes.has("alerts") ? null : await startAlertWorker({ config, pool: alertPool, redis, log, sweepEveryMs: reconcileEveryMs, stuckAfterMs: Math.max(2 * reconcileEveryMs, 1_000) });
  // Counter snapshots and retention (one worker at a time runs each scheduled job).
  const maintenance = !consumes.has("maintenance") ? null : await startMaintenance({ config, pool, redis, log });

  const beat = () => redis.set(heartbeatKey(prefix, workerId), new Date().toISOString(), "EX", HEARTBEAT_TTL_SECONDS).catch(() => {});
  await beat();
  const beatTimer = setInterval(beat, 5_000);

  let reconciling = false;
  const runReconcile = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      const r = await reconcile({ pool, redis, prefix, dispatcher, applyCounters: executor.applyCounters, dispatchedKinds: DISPATCHED_KINDS });
      await maintenance?.ensureSchedules();
      if (r.requeued || r.rebuiltCounters || r.redispatched || r.timersRestored) log.info(r, "reconciled");
    } catch (err) {
      if (err instanceof ReconcileLockLost) log.warn({ err: err.message }, "reconcile pass stopped");
      else log.error({ err: (err as Error).message }, "reconcile failed");
    } finally {
      reconciling = false;
    }
  };
  void runReconcile();
  const reconcileTimer = setInterval(runReconcile, reconcileEveryMs);

  log.info({ workerId, concurrency: config.WORKER_CONCURRENCY, queues: [...consumes] }, "worker started");
  return {
    log,
    async stop() {
      clearInterval(beatTimer);
      clearInterval(reconcileTimer);
      await Promise.all([steps?.close(), effects?.close(), alerts?.close(), maintenance?.close()]);
      await dispatcher.close();
      await runners.close();
      await redis.del(heartbeatKey(prefix, workerId)).catch(() => {});
      redis.disconnect();
      await Promise.all([db.$disconnect(), pool.end(), alertPool.end()]);
    },
  };
}
