import { Queue } from "bullmq";
import type { Command } from "../engine/index.ts";
import type { Pool } from "../server/db/pool.ts";
import type { Dispatcher } from "../server/execution/executor.ts";
import { createAlertQueue } from "./alert-queue.ts";
import { bullConnection, createProducer, jobIdOf, QUEUE } from "./queues.ts";

/** Outbox kinds carried out by the effects worker. */
export const EFFECT_KINDS = new Set(["httpCall", "runCode", "modifyTask", "getFromQueue"]);
/** Outbox kinds this dispatcher handles; the reconciler re-dispatches any of them left undispatched by a crash. */
export const DISPATCHED_KINDS = new Set([...EFFECT_KINDS, "scheduleTimer", "cancelTimer", "rpcReply", "notify"]);

/**
 * Turns outbox rows into queue work. Every job id is the command's key, so a
 * row dispatched twice (crash before it was marked, reconciler replay) makes
 * one job while the first still exists; the executor ignores stale events.
 */
export function createDispatcher({ redisUrl, prefix, pool }: {
  redisUrl: string;
  prefix: string;
  /** For notify outbox rows of earlier versions (alert rows are written before their jobs); without it they stay for a dispatcher that has one. */
  pool?: Pool;
}): Dispatcher & { close(): Promise<void> } {
  const connection = bullConnection(redisUrl);
  const alerts = createAlertQueue({ redisUrl, prefix });
  const steps = new Queue(QUEUE.steps, { connection, prefix });
  const effects = new Queue(QUEUE.effects, { connection, prefix });
  const producer = createProducer({ redisUrl, prefix });
  return {
    enqueueSteps: (items) => producer.enqueueSteps(items),
    enqueueAlerts: (refs) => alerts.addBatches(refs),
    async dispatch(rows) {
      const done: number[] = [];
      const effectJobs = [];
      const stepJobs = [];
      const notifyRows: typeof rows = [];
      for (const row of rows) {
        const c = row.payload as Command;
        switch (c.type) {
          case "httpCall":
          case "runCode":
          case "modifyTask":
          case "getFromQueue":
            effectJobs.push({ name: c.type, data: c, opts: { jobId: jobIdOf(c.key), removeOnComplete: { age: 3600, count: 50_000 }, removeOnFail: 5000, attempts: 5, backoff: { type: "exponential", delay: 500 } } });
            done.push(row.id);
            break;
          case "scheduleTimer":
            stepJobs.push({ taskId: c.taskId, event: { type: "timer", nodeId: c.nodeId, visit: c.visit }, jobId: jobIdOf(c.key), delayMs: Math.max(0, c.fireAt - Date.now()) });
            done.push(row.id);
            break;
          case "rpcReply":
            stepJobs.push({ taskId: c.to.taskId, event: { type: "rpcReply", nodeId: c.to.nodeId, visit: c.to.visit, data: c.data, ...(c.exception ? { exception: c.exception } : {}) }, jobId: jobIdOf(c.key) });
            done.push(row.id);
            break;
          case "cancelTimer":
            // Best effort: a timer that still fires is ignored by the engine (another visit).
            await steps.remove(jobIdOf(c.timerKey)).catch(() => 0);
            done.push(row.id);
            break;
          case "notify":
            if (pool) notifyRows.push(row);
            break;
          case "sumAdd":
          case "createTask":
            break; // not dispatched: sums are applied by the executor after the commit, children are created inside the step
          default: {
            const never: never = c;
            throw new Error(`unknown command ${JSON.stringify(never)}`);
          }
        }
      }
      // Alerts go out alongside the other work, not after it: they are on the path from notify to receipt.
      await Promise.all([
        effectJobs.length ? effects.addBulk(effectJobs) : null,
        stepJobs.length ? producer.enqueueSteps(stepJobs) : null,
        pool && notifyRows.length ? alerts.dispatchNotifications(pool, notifyRows).then(() => done.push(...notifyRows.map((r) => r.id))) : null,
      ]);
      return done;
    },
    async close() {
      await Promise.all([steps.close(), effects.close(), producer.close(), alerts.close()]);
    },
  };
}
