import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { applyCounterDeltas } from "./node-counters.ts";
import { SchemeCache } from "./scheme-cache.ts";
import { executeStep, type StepJobInput } from "./execute-step.ts";

export interface StepRunner {
  run(job: StepJobInput): Promise<"moved" | "stale">;
}

/**
 * Runs step jobs: the engine moves the task through its instant nodes in
 * memory; the result (task, history, outbox) is persisted in one transaction
 * guarded by the task's seq; then counters are updated and follow-up work is
 * enqueued.
 */
export function createStepRunner({ db, redis, prefix, enqueueSteps, taskSizeLimit, log }: {
  db: Db;
  redis: Redis;
  prefix: string;
  enqueueSteps: (jobs: StepJobInput[]) => Promise<void>;
  taskSizeLimit: number;
  log: Logger;
}): StepRunner {
  const schemes = new SchemeCache(db);
  return {
    async run(job) {
      const res = await executeStep({ db, schemes, job, taskSizeLimit, now: () => Date.now() });
      if (res === null) return "stale";
      if (res.counterDeltas.length) await applyCounterDeltas({ redis, prefix, deltas: res.counterDeltas });
      if (res.followUps.length) await enqueueSteps(res.followUps);
      log.debug({ taskId: job.taskId, from: res.fromNodeId, to: res.toNodeId, status: res.status }, "step");
      return "moved";
    },
  };
}
