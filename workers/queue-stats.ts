import { Queue } from "bullmq";
import { ALERT_QUEUE } from "./alert-queue.ts";
import { MAINTENANCE_QUEUES } from "./maintenance.ts";
import { bullConnection, QUEUE } from "./queues.ts";

/** Every queue Conveyor runs, for /api/metrics. */
export const ALL_QUEUES = [QUEUE.steps, QUEUE.effects, ALERT_QUEUE, MAINTENANCE_QUEUES.snapshots, MAINTENANCE_QUEUES.retention] as const;

export const JOB_STATES = ["waiting", "active", "delayed", "prioritized", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueStat {
  queue: string;
  jobs: Record<JobState, number>;
  /** Seconds the oldest waiting job has been due (0 when none waits). */
  oldestWaitingAgeSec: number;
}

export interface QueueInspector {
  stats(): Promise<QueueStat[]>;
  close(): Promise<void>;
}

/**
 * Reads queue depths and ages for the web's /api/metrics, which may not
 * import BullMQ itself (only workers/ does). A waiting job's age counts from
 * when it became due (added, plus its delay), so a timer that fired on time
 * is not old.
 */
export function createQueueInspector({ redisUrl, prefix, now = () => Date.now() }: { redisUrl: string; prefix: string; now?: () => number }): QueueInspector {
  const connection = bullConnection(redisUrl);
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix }));
  return {
    async stats() {
      return Promise.all(
        queues.map(async (q) => {
          const [counts, oldest] = await Promise.all([q.getJobCounts(...JOB_STATES), q.getWaiting(0, 0)]);
          const job = oldest[0];
          const due = job ? job.timestamp + (job.delay ?? 0) : null;
          return {
            queue: q.name,
            jobs: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>,
            oldestWaitingAgeSec: due === null ? 0 : Math.max(0, (now() - due) / 1000),
          };
        }),
      );
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
