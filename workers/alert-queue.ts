import { Queue } from "bullmq";
import { z } from "zod";
import type { Pool } from "../server/db/pool.ts";
import { recordNotifications, type AlertJobRef } from "../server/alerts/alert-store.ts";
import { bullConnection, jobIdOf } from "./queues.ts";

/**
 * The alert queue: one job per delivery round of an alert, its id derived
 * from the alert's dedup key (`alert:{task}:{node}:{visit}`), so dispatching
 * the same notify twice makes one job while the first exists — and the
 * alert row, unique by dedup key, makes it one alert even after that.
 * Retries and waits are the job moving itself to the delayed set; the alert
 * row holds the truth (status, attempts, next attempt).
 */
export const ALERT_QUEUE = "alerts";

export const alertJobSchema = z.object({ alertId: z.number().int().positive(), channelId: z.string().uuid().nullish() });
export type AlertJob = z.infer<typeof alertJobSchema>;

/** Completed jobs go (the alert row is the record); dead-lettered ones stay a week in BullMQ's failed set. */
const JOB_OPTS = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 7 * 86_400, count: 10_000 } } as const;

export interface AlertQueue {
  /** Enqueues alert jobs (deterministic ids: an existing job is left as it is). */
  add(refs: AlertJobRef[]): Promise<void>;
  /** Notify outbox rows → alert rows → jobs. */
  dispatchNotifications(pool: Pool, rows: Array<{ id: number; payload: unknown }>): Promise<void>;
  queue: Queue;
  close(): Promise<void>;
}

export function createAlertQueue({ redisUrl, prefix }: { redisUrl: string; prefix: string }): AlertQueue {
  const queue = new Queue(ALERT_QUEUE, { connection: bullConnection(redisUrl), prefix });
  const add = async (refs: AlertJobRef[]) => {
    const now = Date.now();
    for (let i = 0; i < refs.length; i += 1000) {
      await queue.addBulk(refs.slice(i, i + 1000).map((r) => ({
        name: "deliver",
        data: alertJobSchema.parse({ alertId: r.alertId, channelId: r.channelId ?? null }),
        opts: { ...JOB_OPTS, jobId: jobIdOf(r.jobKey), ...(r.runAt && r.runAt > now ? { delay: r.runAt - now } : {}) },
      })));
    }
  };
  return {
    add,
    async dispatchNotifications(pool, rows) {
      await add(await recordNotifications(pool, rows));
    },
    queue,
    close: () => queue.close(),
  };
}
