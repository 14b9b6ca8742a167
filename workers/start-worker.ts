import { Worker } from "bullmq";
import type { AppConfig } from "../server/config.ts";
import { createDb } from "../server/db/client.ts";
import { createRedis } from "../server/redis.ts";
import { createLogger, type Logger } from "../server/logger.ts";
import { HEARTBEAT_TTL_SECONDS, heartbeatKey } from "../server/health.ts";
import { createStepRunner } from "../server/tasks/run-step.ts";
import { reconcile } from "../server/tasks/reconcile.ts";
import { bullConnection, createProducer, QUEUE, stepJobSchema } from "./queues.ts";

export interface RunningWorker {
  log: Logger;
  stop(): Promise<void>;
}

/**
 * Starts one worker: the BullMQ consumer of step jobs, a heartbeat that
 * /api/health reads, and the reconciler that restores lost queue work.
 */
export async function startWorker({ config, workerId, reconcileEveryMs = 15_000 }: { config: AppConfig; workerId: string; reconcileEveryMs?: number }): Promise<RunningWorker> {
  const log = createLogger({ name: "worker", level: config.LOG_LEVEL });
  const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: Math.min(20, config.WORKER_CONCURRENCY + 2) });
  const redis = createRedis({ redisUrl: config.REDIS_URL });
  redis.on("error", (err) => log.warn({ err: err.message }, "redis connection error"));
  const producer = createProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const runner = createStepRunner({
    db,
    redis,
    prefix: config.QUEUE_PREFIX,
    enqueueSteps: (jobs) => producer.enqueueSteps(jobs),
    taskSizeLimit: config.TASK_SIZE_LIMIT_BYTES,
    log,
  });

  const worker = new Worker(
    QUEUE.steps,
    async (job) => {
      const data = stepJobSchema.parse(job.data);
      await runner.run(data);
    },
    { connection: bullConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
  );
  worker.on("failed", (job, err) => log.error({ jobId: job?.id, err: err.message }, "step job failed"));
  worker.on("error", (err) => log.error({ err: err.message }, "worker error"));

  const beat = () => redis.set(heartbeatKey(config.QUEUE_PREFIX, workerId), new Date().toISOString(), "EX", HEARTBEAT_TTL_SECONDS).catch(() => {});
  await beat();
  const beatTimer = setInterval(beat, 5_000);

  let reconciling = false;
  const runReconcile = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      const r = await reconcile({ db, redis, prefix: config.QUEUE_PREFIX, enqueueSteps: (jobs) => producer.enqueueSteps(jobs) });
      if (r.requeued || r.rebuiltCounters) log.info(r, "reconciled");
    } catch (err) {
      log.error({ err: (err as Error).message }, "reconcile failed");
    } finally {
      reconciling = false;
    }
  };
  void runReconcile();
  const reconcileTimer = setInterval(runReconcile, reconcileEveryMs);

  log.info({ workerId, concurrency: config.WORKER_CONCURRENCY }, "worker started");
  return {
    log,
    async stop() {
      clearInterval(beatTimer);
      clearInterval(reconcileTimer);
      await worker.close();
      await producer.close();
      await redis.del(heartbeatKey(config.QUEUE_PREFIX, workerId)).catch(() => {});
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
