import { Queue } from "bullmq";
import { z } from "zod";
import type { Pool } from "../server/db/pool.ts";
import { recordNotifications, type AlertJobRef } from "../server/alerts/alert-store.ts";
import { bullConnection, jobIdOf } from "./queues.ts";

/**
 * The alert queue: the first delivery of the alerts a step raised runs as
 * one batch job; after that, one job per delivery round of an alert, its id derived
 * from the alert's dedup key (`alert:{task}:{node}:{visit}`), so dispatching
 * the same notify twice makes one job while the first exists — and the
 * alert row, unique by dedup key, makes it one alert even after that.
 * Retries and waits are the job moving itself to the delayed set; the alert
 * row holds the truth (status, attempts, next attempt).
 */
export const ALERT_QUEUE = "alerts";

export const alertJobSchema = z.object({
  alertId: z.number().int().positive(),
  channelId: z.string().uuid().nullish(),
  /** Set when a batch dead-lettered the alert: the job only records that in BullMQ's failed set. */
  deadLetter: z.string().optional(),
  /** The job runs at the place the channel's rate limit kept for it (ms): it goes without asking for another. */
  placeAt: z.number().int().positive().optional(),
});
export type AlertJob = z.infer<typeof alertJobSchema>;

/**
 * The first delivery of the alerts one step wrote, as one job (a job per alert cost more than the
 * step that raised it). An alert that must wait or retry, or that is dead-lettered, continues
 * under its own job (its `jobKey`).
 */
export const ALERT_BATCH = "deliverBatch";
export const ALERTS_PER_BATCH = 100;
export const alertBatchJobSchema = z.object({
  alerts: z.array(z.object({ alertId: z.number().int().positive(), channelId: z.string().uuid().nullish(), jobKey: z.string().min(1) })).min(1).max(ALERTS_PER_BATCH),
});
export type AlertBatchJob = z.infer<typeof alertBatchJobSchema>;

/** Completed jobs go (the alert row is the record); dead-lettered ones stay a week in BullMQ's failed set. */
const JOB_OPTS = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 7 * 86_400, count: 10_000 } } as const;

export interface AlertQueue {
  /** Enqueues alert jobs (deterministic ids: an existing job is left as it is). */
  add(refs: Array<AlertJobRef & { deadLetter?: string }>): Promise<void>;
  /** Enqueues the first delivery of new alerts, up to ALERTS_PER_BATCH per job (ids from the alerts: a replay makes no second job while the first exists). */
  addBatches(refs: AlertJobRef[]): Promise<void>;
  /** Notify outbox rows → alert rows → jobs. */
  dispatchNotifications(pool: Pool, rows: Array<{ id: number; payload: unknown }>): Promise<void>;
  queue: Queue;
  close(): Promise<void>;
}

export function createAlertQueue({ redisUrl, prefix }: { redisUrl: string; prefix: string }): AlertQueue {
  const queue = new Queue(ALERT_QUEUE, { connection: bullConnection(redisUrl), prefix });
  const add = async (refs: Array<AlertJobRef & { deadLetter?: string }>) => {
    const now = Date.now();
    for (let i = 0; i < refs.length; i += 1000) {
      await queue.addBulk(refs.slice(i, i + 1000).map((r) => ({
        name: "deliver",
        data: alertJobSchema.parse({ alertId: r.alertId, channelId: r.channelId ?? null, ...(r.deadLetter !== undefined ? { deadLetter: r.deadLetter } : {}), ...(r.placeAt !== undefined ? { placeAt: r.placeAt } : {}) }),
        opts: { ...JOB_OPTS, jobId: jobIdOf(r.jobKey), ...(r.runAt && r.runAt > now ? { delay: r.runAt - now } : {}) },
      })));
    }
  };
  return {
    add,
    async addBatches(refs) {
      const jobs = [];
      for (let i = 0; i < refs.length; i += ALERTS_PER_BATCH) {
        const chunk = refs.slice(i, i + ALERTS_PER_BATCH);
        const data: AlertBatchJob = { alerts: chunk.map((r) => ({ alertId: r.alertId, channelId: r.channelId ?? null, jobKey: r.jobKey })) };
        jobs.push({ name: ALERT_BATCH, data, opts: { ...JOB_OPTS, jobId: jobIdOf(`alertbatch:${chunk[0].alertId}:${chunk.length}`) } });
      }
      for (let i = 0; i < jobs.length; i += 100) await queue.addBulk(jobs.slice(i, i + 100));
    },
    async dispatchNotifications(pool, rows) {
      await add(await recordNotifications(pool, rows));
    },
    queue,
    close: () => queue.close(),
  };
}
