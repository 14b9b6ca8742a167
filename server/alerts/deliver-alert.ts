import type { SecretBox } from "../crypto/secret-box.ts";
import { AppError } from "../errors.ts";
import type { GateAnswer } from "./channel-gate.ts";
import { resolveChannel } from "./channel-service.ts";
import type { AlertForDelivery, AttemptRecord, ClaimResult } from "./alert-store.ts";
import type { AlertContent } from "./formats.ts";
import { taskUrl } from "./links.ts";
import { sendAlert, type DeliveryResult, type HttpSend, type MailSend } from "./senders.ts";

/** How hard to try. Tests shrink the delays; production uses the environment's ALERT_* values. */
export interface RetryPolicy {
  /** Attempts per round before the alert is dead-lettered (a resend starts a new round). */
  maxAttempts: number;
  /** First retry after about this long; each next one doubles… */
  baseDelayMs: number;
  /** …up to this cap. A receiver's Retry-After is honoured up to MAX_RETRY_AFTER_MS. */
  maxDelayMs: number;
  /** Per request (HTTP or the whole SMTP exchange). */
  timeoutMs: number;
}

export const MAX_RETRY_AFTER_MS = 3_600_000;

/** A delivery holds its alert this long past its timeout; after that another worker may take it over. */
export const leaseMs = (p: Pick<RetryPolicy, "timeoutMs">) => p.timeoutMs + 5_000;

/**
 * The delay before retry number `n` (1 = the first retry): exponential from
 * `baseDelayMs`, capped, with "equal jitter" (between half and all of it), so
 * many alerts failing together do not come back together.
 */
export function backoffDelay(n: number, p: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number = Math.random): number {
  const full = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.max(0, n - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

/** What the queue should do with the alert's job after a delivery step. */
export type DeliveryStep =
  | { kind: "done"; status: "sent" | "skipped"; reason?: string }
  | { kind: "wait"; untilMs: number; reason: string; /** A place under the channel's rate limit is kept for the alert at `untilMs`. */ placeAt?: number }
  | { kind: "retry"; untilMs: number; error: string }
  | { kind: "dead"; error: string };

export interface DeliveryDeps {
  box: SecretBox;
  http: HttpSend;
  mail: MailSend;
  policy: RetryPolicy;
  appUrl: string;
  /** Takes the alert for one attempt (claimAlerts; the worker batches concurrent claims into one statement). */
  claim(alertId: number): Promise<ClaimResult>;
  /** Records an attempt's outcome (recordAttempts, batched likewise); false if the attempt no longer held the alert. */
  record(attempt: AttemptRecord): Promise<boolean>;
  /**
   * Channel-wide pacing (its rate limit, and a cooldown after a 429): how
   * many ms to wait before an alert may go through it (0 = now), and whether a
   * place is kept for it then. Waiting is not an attempt.
   */
  gate(channelId: string, placeAt: number | undefined): Promise<GateAnswer>;
  /** A receiver said "slow down": hold every alert of the channel this long. */
  cooldown(channelId: string, ms: number): Promise<void>;
  now?: () => number;
}

/**
 * Fields in name order. Their written order does not survive storage
 * (schemes and the outbox are jsonb, which orders keys by length), so a
 * stable, readable order is the best a message can keep.
 */
export function sortedFields(fields: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(fields ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

export function alertContent(a: Pick<AlertForDelivery, "dedup_key" | "kind" | "channel_name" | "severity" | "title" | "message" | "fields" | "process_id" | "task_id" | "node_id" | "notified_at">, appUrl: string): AlertContent {
  return {
    id: a.dedup_key, test: a.kind === "test", channelName: a.channel_name, severity: a.severity, title: a.title, message: a.message, fields: sortedFields(a.fields),
    processId: a.process_id, taskId: a.task_id, nodeId: a.node_id,
    taskUrl: a.task_id && a.process_id !== null ? taskUrl(appUrl, a.process_id, a.task_id) : null,
    notifiedAt: a.notified_at.toISOString(),
  };
}

/**
 * One delivery step for one alert (a queue job's work). Idempotent: an alert
 * that is sent or dead-lettered is never sent again, whoever runs its job and
 * however often; one that another worker is sending waits for that worker's
 * lease. The alert is marked sent right after the receiver's answer, before
 * the job is acknowledged, so a worker killed after that point cannot cause a
 * second delivery.
 */
export async function deliverAlert({ alertId, channelId, placeAt }: { alertId: number; channelId?: string | null; placeAt?: number }, deps: DeliveryDeps): Promise<DeliveryStep> {
  const now = deps.now ?? Date.now;
  // Pacing first: waiting for the channel costs no attempt and no write.
  if (channelId) {
    const gate = await deps.gate(channelId, placeAt);
    if (gate.waitMs > 0) {
      return gate.placeAt !== undefined
        ? { kind: "wait", untilMs: now() + gate.waitMs, reason: "its place under the channel's rate limit", placeAt: gate.placeAt }
        : { kind: "wait", untilMs: now() + gate.waitMs, reason: "the channel's cooldown" };
    }
  }
  const claim = await deps.claim(alertId);
  if (!claim.claimed) return whyNotClaimed(claim.alert, now());
  const a = claim.alert;
  const startedAt = now();
  const limit = a.kind === "test" ? 1 : deps.policy.maxAttempts;
  const inRound = claim.attempt - a.round_start;

  let result: DeliveryResult;
  if (!a.ch_id || !a.ch_type || !a.ch_secret_enc) {
    result = { ok: false, retryable: false, error: `there is no channel "${a.channel_name}" (deleted?); create it, then resend` };
  } else {
    try {
      const channel = resolveChannel({ id: a.ch_id, name: a.channel_name, type: a.ch_type, settings: a.ch_settings, secret_enc: a.ch_secret_enc }, deps.box);
      result = await sendAlert({ channel, alert: alertContent(a, deps.appUrl), http: deps.http, mail: deps.mail, timeoutMs: deps.policy.timeoutMs, appHost: new URL(deps.appUrl).host });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result = { ok: false, retryable: false, error: err.message };
    }
  }
  const endedAt = now();
  const base = { id: alertId, attempt: claim.attempt, startedAt: new Date(startedAt), endedAt: new Date(endedAt), durationMs: Math.max(0, endedAt - startedAt), httpStatus: result.httpStatus };

  if (result.ok) {
    await deps.record({ ...base, next: { status: "sent" } });
    return { kind: "done", status: "sent" };
  }
  if (result.retryAfterMs !== undefined && a.ch_id) await deps.cooldown(a.ch_id, Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS));
  if (!result.retryable || inRound >= limit) {
    const error = result.retryable ? `${result.error} (gave up after ${inRound} attempt${inRound === 1 ? "" : "s"})` : result.error;
    await deps.record({ ...base, next: { status: "failed", error } });
    return { kind: "dead", error };
  }
  const delay = result.retryAfterMs !== undefined ? Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS) : backoffDelay(inRound, deps.policy);
  const untilMs = now() + delay;
  await deps.record({ ...base, next: { status: "retrying", error: result.error, nextAttemptAt: new Date(untilMs) } });
  return { kind: "retry", untilMs, error: result.error };
}

function whyNotClaimed(a: AlertForDelivery | null, nowMs: number): DeliveryStep {
  if (!a) return { kind: "done", status: "skipped", reason: "the alert no longer exists" };
  if (a.status === "sent" || a.status === "failed") return { kind: "done", status: "skipped", reason: `already ${a.status}` };
  if (a.status === "sending" && a.lease_until) return { kind: "wait", untilMs: Math.max(a.lease_until.getTime() + 50, nowMs + 50), reason: "another worker is delivering it" };
  if (a.status === "retrying" && a.next_attempt_at) return { kind: "wait", untilMs: Math.max(a.next_attempt_at.getTime(), nowMs + 20), reason: "its next attempt is later" };
  return { kind: "done", status: "skipped", reason: "another worker took it" };
}
