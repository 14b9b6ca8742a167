import { DelayedError, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { AppConfig } from "../server/config.ts";
import type { Pool } from "../server/db/pool.ts";
import type { Logger } from "../server/logger.ts";
import { createSecretBox } from "../server/crypto/secret-box.ts";
import { claimAlerts, findStuckAlerts, recordAttempts, type AlertJobRef, type AttemptRecord, type ClaimResult } from "../server/alerts/alert-store.ts";
import { createChannelGate } from "../server/alerts/channel-gate.ts";
import { channelRates } from "../server/alerts/channel-service.ts";
import { deliverAlert, leaseMs, type DeliveryDeps, type RetryPolicy } from "../server/alerts/deliver-alert.ts";
import { createAlertHttp } from "../server/alerts/alert-http.ts";
import type { HttpSend, MailSend } from "../server/alerts/senders.ts";
import { createSmtpMail } from "../server/alerts/smtp-mail.ts";
import { assertNever } from "../server/errors.ts";
import { ALERT_BATCH, ALERT_QUEUE, alertBatchJobSchema, alertJobSchema, createAlertQueue, type AlertBatchJob } from "./alert-queue.ts";
import { createBatcher } from "./batcher.ts";
import { bullConnection, jobIdOf } from "./queues.ts";
import { createSemaphore } from "../server/semaphore.ts";

export function retryPolicy(config: AppConfig): RetryPolicy {
  return { maxAttempts: config.ALERT_MAX_ATTEMPTS, baseDelayMs: config.ALERT_RETRY_BASE_MS, maxDelayMs: config.ALERT_RETRY_MAX_MS, timeoutMs: config.ALERT_TIMEOUT_MS };
}

/**
 * The consumer of the alert queue. Each job runs one delivery step
 * (server/alerts/deliver-alert.ts) and then: completes (sent, or nothing left
 * to do), moves itself to the delayed set (a retry after backoff or
 * Retry-After, a rate-limit or lease wait — none of which BullMQ counts as a
 * failure), or fails for good (dead-letter: BullMQ's failed set and the
 * alert row's `failed` status with the error). A sweep re-enqueues alerts
 * whose job Redis lost.
 */
export async function startAlertWorker({ config, pool, redis, log, http, mail, sweepEveryMs = 15_000, stuckAfterMs = 30_000 }: {
  config: AppConfig;
  pool: Pool;
  redis: Redis;
  log: Logger;
  /** Transports; by default the SSRF-guarded HTTP client and nodemailer. */
  http?: HttpSend;
  mail?: MailSend;
  sweepEveryMs?: number;
  stuckAfterMs?: number;
}): Promise<{ close(): Promise<void> }> {
  const prefix = config.QUEUE_PREFIX;
  const policy = retryPolicy(config);
  const ssrf = { allowPrivate: config.HTTP_ALLOW_PRIVATE };
  const ownHttp = http ? null : createAlertHttp({ policy: ssrf });
  const ownMail = mail ? null : createSmtpMail({ policy: ssrf });
  const gate = createChannelGate({ redis, prefix, rates: (ids) => channelRates(pool, ids) });
  // Concurrent deliveries share their claim and their record statements: two commits per batch, not per alert.
  const claim = createBatcher<number, ClaimResult>({ flush: (ids) => claimAlerts(pool, ids, leaseMs(policy)), maxBatch: 64, lingerMs: 1 });
  const record = createBatcher<AttemptRecord, boolean>({ flush: (records) => recordAttempts(pool, records), maxBatch: 64, lingerMs: 1 });
  const deps: DeliveryDeps = {
    box: createSecretBox(config.ENCRYPTION_KEY), http: http ?? ownHttp!, mail: mail ?? ownMail!, policy, appUrl: config.APP_URL,
    claim, record, gate: (channelId, placeAt) => gate.wait(channelId, { placeAt }), cooldown: (id, ms) => gate.cooldown(id, ms),
  };
  const alerts = createAlertQueue({ redisUrl: config.REDIS_URL, prefix });
  // ALERT_CONCURRENCY deliveries in flight per worker, batch lanes and single jobs together.
  const deliveries = createSemaphore(config.ALERT_CONCURRENCY);

  /**
   * A batch: each alert's first delivery, within the worker's ALERT_CONCURRENCY. Whatever is not finished
   * continues under the alert's own job: a wait or retry as a delayed job, a dead letter as a job
   * that fails at once (so BullMQ's failed set shows it as for any other alert), an error (the
   * database unreachable, say) as a job a second later.
   */
  async function deliverBatch({ alerts: batch }: AlertBatchJob): Promise<string> {
    const handover: Array<AlertJobRef & { deadLetter?: string }> = [];
    let sent = 0;
    await Promise.all(batch.map(async (a) => {
      const ref = { alertId: a.alertId, jobKey: a.jobKey, channelId: a.channelId };
      try {
        const step = await deliveries.run(() => deliverAlert(a, deps));
        if (step.kind === "done") sent += step.status === "sent" ? 1 : 0;
        else if (step.kind === "dead") handover.push({ ...ref, deadLetter: step.error });
        else handover.push({ ...ref, runAt: step.untilMs, placeAt: step.kind === "wait" ? step.placeAt : undefined });
      } catch (err) {
        log.error({ alertId: a.alertId, err: (err as Error).message }, "alert delivery failed; trying again under its own job");
        handover.push({ ...ref, runAt: Date.now() + 1000 });
      }
    }));
    if (handover.length > 0) await alerts.add(handover);
    return `${sent} of ${batch.length} sent`;
  }

  const worker = new Worker(
    ALERT_QUEUE,
    async (job, token) => {
      if (job.name === ALERT_BATCH) return deliverBatch(alertBatchJobSchema.parse(job.data));
      const data = alertJobSchema.parse(job.data);
      if (data.deadLetter !== undefined) throw new UnrecoverableError(data.deadLetter);
      const step = await deliveries.run(() => deliverAlert(data, deps));
      switch (step.kind) {
        case "done":
          return step.reason ? `${step.status}: ${step.reason}` : step.status;
        case "wait":
        case "retry": {
          // The job's data says whether it comes back to a place kept for it under the channel's rate limit.
          const placeAt = step.kind === "wait" ? step.placeAt : undefined;
          if (placeAt !== data.placeAt) await job.updateData({ ...data, placeAt });
          await job.moveToDelayed(Math.max(step.untilMs, Date.now() + 1), token);
          throw new DelayedError();
        }
        case "dead":
          throw new UnrecoverableError(step.error);
        default:
          return assertNever(step, "delivery step");
      }
    },
    // A killed worker's job returns after its lock expires; the alert's lease (same length) then lets another worker take over.
    { connection: bullConnection(config.REDIS_URL), prefix, concurrency: config.ALERT_CONCURRENCY, lockDuration: leaseMs(policy), stalledInterval: Math.min(5_000, leaseMs(policy)) },
  );
  worker.on("failed", (job, err) => {
    if (err instanceof DelayedError) return;
    if (err instanceof UnrecoverableError || err.name === "UnrecoverableError") log.warn({ jobId: job?.id, alertId: job?.data?.alertId, error: err.message }, "alert dead-lettered");
    else log.error({ jobId: job?.id, err: err.message }, "alert job failed");
  });
  worker.on("error", (err) => log.error({ queue: ALERT_QUEUE, err: err.message }, "alert worker error"));

  // The sweep: alerts that should be moving whose job is gone (Redis flushed or restarted without persistence).
  const lockKey = `${prefix}:alerts:sweep:lock`;
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      if (!(await redis.set(lockKey, "1", "PX", Math.max(1000, sweepEveryMs), "NX"))) return;
      const stuck = await findStuckAlerts(pool, stuckAfterMs);
      const lost = [];
      for (const a of stuck) {
        const job = await alerts.queue.getJob(jobIdOf(a.job_id));
        const state = job ? await job.getState() : "unknown";
        if (state === "completed" || state === "failed") await job!.remove();
        if (!job || state === "completed" || state === "failed" || state === "unknown") lost.push({ alertId: a.id, jobKey: a.job_id, channelId: a.channel_id, ...(a.next_attempt_at ? { runAt: a.next_attempt_at.getTime() } : {}) });
      }
      if (lost.length) {
        await alerts.add(lost);
        log.info({ requeued: lost.length }, "alerts whose job was lost were enqueued again");
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, "alert sweep failed");
    } finally {
      sweeping = false;
    }
  };
  const sweepTimer = setInterval(() => void sweep(), sweepEveryMs);

  return {
    async close() {
      clearInterval(sweepTimer);
      await worker.close();
      await alerts.close();
      await ownHttp?.close();
      await ownMail?.close();
    },
  };
}
