import { Queue, type ConnectionOptions } from "bullmq";
import { z } from "zod";

/**
 * The queues and their payloads. This is the only module (with the workers
 * themselves) that knows about BullMQ: the web app enqueues through the
 * producer returned by `createProducer`.
 */

export const QUEUE = { steps: "steps" } as const;

/** A step job moves one task. It names the task's `seq` it expects: a stale or duplicated job finds another seq and does nothing. */
export const stepJobSchema = z.object({
  taskId: z.string().uuid(),
  seq: z.number().int().min(0),
  event: z.object({ type: z.string() }).passthrough(),
});
export type StepJob = z.infer<typeof stepJobSchema>;

export const stepJobId = (job: Pick<StepJob, "taskId" | "seq">) => `step:${job.taskId}:${job.seq}`;

export interface Producer {
  enqueueSteps(jobs: StepJob[]): Promise<void>;
  close(): Promise<void>;
}

export function bullConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null } as ConnectionOptions;
}

export function createProducer({ redisUrl, prefix }: { redisUrl: string; prefix: string }): Producer {
  const steps = new Queue(QUEUE.steps, { connection: bullConnection(redisUrl), prefix });
  return {
    async enqueueSteps(jobs) {
      if (jobs.length === 0) return;
      for (let i = 0; i < jobs.length; i += 1000) {
        const chunk = jobs.slice(i, i + 1000).map((j) => stepJobSchema.parse(j));
        await steps.addBulk(
          chunk.map((data) => ({ name: "step", data, opts: { jobId: stepJobId(data), removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: "exponential", delay: 500 } } })),
        );
      }
    },
    async close() {
      await steps.close();
    },
  };
}
