import { Queue, type ConnectionOptions } from "bullmq";
import { z } from "zod";

/**
 * The queues and their payloads. This is the only module (with the workers
 * themselves) that knows about BullMQ: the web app enqueues through the
 * producer returned by `createProducer`.
 *
 * - `steps`: events for tasks (enter, timers as delayed jobs, replies). The
 *   worker batches them into one transaction per batch.
 * - `effects`: work outside the database (HTTP calls, code, modify-by-ref,
 *   get-from-queue), each ending with an event for the origin task.
 */
export const QUEUE = { steps: "steps", effects: "effects" } as const;

/** A step job moves one task. `seq`, when set, must match the task's: a stale or duplicated job does nothing. */
export const stepJobSchema = z.object({
  taskId: z.string().uuid(),
  seq: z.number().int().min(0).optional(),
  event: z.object({ type: z.string() }).passthrough(),
});
export type StepJob = z.infer<typeof stepJobSchema>;

/** Many new tasks entering at once (ingestion): one job, one transaction for the whole batch. */
export const enterBatchJobSchema = z.object({
  batch: z.array(z.object({ taskId: z.string().uuid(), seq: z.number().int().min(0) })).min(1).max(5000),
});
export type EnterBatchJob = z.infer<typeof enterBatchJobSchema>;
export const ENTER_BATCH = "enterBatch";

/** BullMQ job ids may not be integers nor hold ':' (except in its legacy 3-part form); ours are keys with ':'. */
export const jobIdOf = (key: string) => `k|${key.replaceAll(":", "|")}`;
export const stepJobId = (job: Pick<StepJob, "taskId" | "seq">) => jobIdOf(`step:${job.taskId}:${job.seq ?? "any"}`);

export interface Producer {
  /** New tasks (seq 0) entering at Start: one job per `chunk` tasks. */
  enqueueEnter(tasks: Array<{ taskId: string; seq: number }>, chunk?: number): Promise<void>;
  /** `jobId` defaults to the task + seq; events carry their command's key. */
  enqueueSteps(jobs: Array<{ taskId: string; seq?: number; event: { type: string }; jobId?: string; delayMs?: number }>): Promise<void>;
  close(): Promise<void>;
}

export function bullConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null } as ConnectionOptions;
}

export const STEP_JOB_OPTS = { removeOnComplete: true, removeOnFail: 5000, attempts: 8, backoff: { type: "exponential", delay: 200 } } as const;

export function createProducer({ redisUrl, prefix }: { redisUrl: string; prefix: string }): Producer {
  const steps = new Queue(QUEUE.steps, { connection: bullConnection(redisUrl), prefix });
  return {
    async enqueueEnter(tasks, chunk = 500) {
      const jobs = [];
      for (let i = 0; i < tasks.length; i += chunk) {
        const batch = tasks.slice(i, i + chunk);
        const data = enterBatchJobSchema.parse({ batch });
        // Deterministic: the same tasks make the same job id.
        jobs.push({ name: ENTER_BATCH, data, opts: { ...STEP_JOB_OPTS, jobId: jobIdOf(`enter:${batch[0].taskId}:${batch.length}`) } });
      }
      for (let i = 0; i < jobs.length; i += 500) await steps.addBulk(jobs.slice(i, i + 500));
    },
    async enqueueSteps(jobs) {
      for (let i = 0; i < jobs.length; i += 1000) {
        const chunk = jobs.slice(i, i + 1000);
        await steps.addBulk(
          chunk.map(({ jobId, delayMs, ...rest }) => {
            const data = stepJobSchema.parse(rest);
            return { name: data.event.type, data, opts: { ...STEP_JOB_OPTS, jobId: jobId ?? stepJobId(data), ...(delayMs ? { delay: delayMs } : {}) } };
          }),
        );
      }
    },
    async close() {
      await steps.close();
    },
  };
}
