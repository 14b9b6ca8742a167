import { randomUUID } from "node:crypto";
import type { Command } from "../../engine/index.ts";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";

/**
 * The alert table's state machine, in SQL. One row per dedup key: a notify
 * command replayed (a retried step, a re-dispatched outbox row) finds its row
 * and never becomes a second alert. Every transition is a conditional UPDATE,
 * so two workers holding the same job cannot both send.
 *
 *   queued ─claim─▶ sending ─▶ sent
 *                      ├────▶ retrying ─claim─▶ sending …
 *                      └────▶ failed (dead-letter) ─resend─▶ queued
 *   sending whose lease ran out (its worker died) ─claim─▶ sending
 */
export type AlertStatus = "queued" | "sending" | "retrying" | "sent" | "failed";
export const ALERT_STATUSES: readonly AlertStatus[] = ["queued", "sending", "retrying", "sent", "failed"];

/** The queue job that carries an alert: the first send, then one per resend. */
export const alertJobKey = (dedupKey: string, resend = 0) => (resend === 0 ? `alert:${dedupKey}` : `alert:${dedupKey}:resend:${resend}`);

export interface AlertJobRef {
  alertId: number;
  jobKey: string;
  /** Lets the worker apply the channel's pacing before it claims the alert (null: no such channel). */
  channelId?: string | null;
  /** When the job should run (retrying alerts); absent: now. */
  runAt?: number;
  /** A place under the channel's rate limit is kept for the alert at this time (ms). */
  placeAt?: number;
}

type NotifyCommand = Extract<Command, { type: "notify" }>;

/** An alert row's columns from its notify command (process ids that are not ours' numbers stay null). */
function alertFields(c: NotifyCommand) {
  return {
    dedup_key: c.dedupKey, channel: c.channel, process_id: /^\d{1,9}$/.test(String(c.processId)) ? Number(c.processId) : null, task_id: c.taskId, node_id: c.nodeId,
    severity: c.severity, title: c.title, message: c.message, fields: c.fields ?? {}, job_id: alertJobKey(c.dedupKey),
  };
}

/**
 * Turns notify outbox rows into alerts (status queued), resolving the channel
 * by name (or id). Such rows come from earlier versions, which wrote notify
 * commands to the outbox (now a step writes its alert rows itself, see
 * insertNotifications); the reconciler dispatches any left over. Returns the jobs to enqueue: new alerts and existing ones
 * still waiting to be delivered (their job may have been lost); alerts
 * already sent or dead-lettered are left alone.
 */
export async function recordNotifications(pool: Pool, rows: Array<{ id: number; payload: unknown }>): Promise<AlertJobRef[]> {
  if (rows.length === 0) return [];
  const items = rows.map((r) => ({ ...alertFields(r.payload as NotifyCommand), outbox_id: r.id }));
  const { rows: out } = await pool.query<{ id: number; job_id: string; channel_id: string | null; next_attempt_at: Date | null }>(
    `WITH ins AS (
       INSERT INTO alert (dedup_key, kind, outbox_id, channel_id, channel_name, process_id, task_id, node_id, severity, title, message, fields, status, job_id, notified_at, updated_at)
       SELECT u.dedup_key, 'notify', u.outbox_id, ch.id, u.channel, u.process_id, u.task_id, u.node_id, u.severity, u.title, u.message, u.fields, 'queued', u.job_id,
              coalesce(o.created_at, now()), now()
       FROM jsonb_to_recordset($1::jsonb) AS u(dedup_key text, outbox_id bigint, channel text, process_id int, task_id uuid, node_id text, severity text, title text, message text, fields jsonb, job_id text)
       LEFT JOIN outbox o ON o.id = u.outbox_id
       LEFT JOIN LATERAL (SELECT c.id FROM channel c WHERE c.name = u.channel OR c.id::text = u.channel ORDER BY (c.name = u.channel) DESC LIMIT 1) ch ON true
       ON CONFLICT (dedup_key) DO NOTHING
       RETURNING id, job_id, channel_id, next_attempt_at
     )
     SELECT id, job_id, channel_id, next_attempt_at FROM ins
     UNION ALL
     SELECT id, job_id, channel_id, next_attempt_at FROM alert WHERE dedup_key = ANY($2::text[]) AND status IN ('queued', 'retrying', 'sending')`,
    [JSON.stringify(items), items.map((i) => i.dedup_key)],
  );
  const seen = new Set<number>();
  return out.filter((r) => !seen.has(r.id) && seen.add(r.id)).map((r) => ({ alertId: r.id, jobKey: r.job_id, channelId: r.channel_id, ...(r.next_attempt_at ? { runAt: r.next_attempt_at.getTime() } : {}) }));
}

/**
 * Writes the alerts of notify commands inside a step's transaction (the
 * alert row is the notify's outbox: it commits with the step or not at all),
 * resolving the channel by name (or id; `channelIds` when the caller has read
 * them). One alert per dedup key: a key already taken makes nothing. Returns the jobs to enqueue after the commit;
 * if that enqueue is lost, the alert worker's sweep finds the queued alert.
 */
export async function insertNotifications(client: Pick<Pool, "query">, commands: NotifyCommand[], now: Date, channelIds?: ReadonlyMap<string, string>): Promise<AlertJobRef[]> {
  if (commands.length === 0) return [];
  const items = commands.map((c) => ({ ...alertFields(c), channel_id: channelIds?.get(c.channel) ?? null }));
  const { rows } = await client.query<{ id: number; job_id: string; channel_id: string | null }>(
    `INSERT INTO alert (dedup_key, kind, channel_id, channel_name, process_id, task_id, node_id, severity, title, message, fields, status, job_id, notified_at, updated_at)
     SELECT u.dedup_key, 'notify',
            -- Resolved by the caller where it could (one read of the channels per unit of work), else here.
            coalesce(u.channel_id, (SELECT c.id FROM channel c WHERE c.name = u.channel OR c.id::text = u.channel ORDER BY (c.name = u.channel) DESC LIMIT 1)),
            u.channel, u.process_id, u.task_id, u.node_id, u.severity, u.title, u.message, u.fields, 'queued', u.job_id, $2, $2
     FROM jsonb_to_recordset($1::jsonb) AS u(dedup_key text, channel text, channel_id uuid, process_id int, task_id uuid, node_id text, severity text, title text, message text, fields jsonb, job_id text)
     -- Keys in one order in every step: two steps sharing "send once per" keys wait for each other, never deadlock.
     ORDER BY u.dedup_key
     ON CONFLICT (dedup_key) DO NOTHING
     RETURNING id, job_id, channel_id`,
    [JSON.stringify(items), now],
  );
  return rows.map((r) => ({ alertId: r.id, jobKey: r.job_id, channelId: r.channel_id }));
}

/** A one-off alert through a channel ("send test"): one attempt, no retries, visible in the log. */
export async function createTestAlert(pool: Pool, input: { channelId: string; channelName: string; title: string; message: string; severity: string; fields: Record<string, string> }): Promise<AlertJobRef> {
  const dedupKey = `test:${randomUUID()}`;
  const { rows } = await pool.query<{ id: number; job_id: string }>(
    `INSERT INTO alert (dedup_key, kind, channel_id, channel_name, severity, title, message, fields, status, job_id, notified_at, updated_at)
     VALUES ($1, 'test', $2, $3, $4, $5, $6, $7, 'queued', $8, now(), now()) RETURNING id, job_id`,
    [dedupKey, input.channelId, input.channelName, input.severity, input.title, input.message, JSON.stringify(input.fields), alertJobKey(dedupKey)],
  );
  return { alertId: rows[0].id, jobKey: rows[0].job_id, channelId: input.channelId };
}

/**
 * Sends a dead-lettered alert again: a fresh round of attempts under a new
 * job. Only failed alerts: a sent one would be a duplicate, a live one is
 * still being tried. Re-resolves the channel by name, so fixing or
 * re-creating a channel is enough.
 */
export async function requeueAlert(pool: Pool, id: number): Promise<AlertJobRef> {
  const { rows } = await pool.query<{ id: number; job_id: string; channel_id: string | null }>(
    `UPDATE alert a SET status = 'queued', resends = a.resends + 1, round_start = a.attempts, next_attempt_at = NULL, lease_until = NULL, updated_at = now(),
            job_id = 'alert:' || a.dedup_key || ':resend:' || (a.resends + 1),
            channel_id = coalesce((SELECT c.id FROM channel c WHERE c.name = a.channel_name LIMIT 1), a.channel_id)
     WHERE a.id = $1 AND a.status = 'failed' RETURNING a.id, a.job_id, a.channel_id`,
    [id],
  );
  if (rows[0]) return { alertId: rows[0].id, jobKey: rows[0].job_id, channelId: rows[0].channel_id };
  const { rows: cur } = await pool.query<{ status: string }>("SELECT status FROM alert WHERE id = $1", [id]);
  if (!cur[0]) throw new AppError("not_found", "no such alert");
  throw new AppError("conflict", `only a failed alert can be resent; this one is ${cur[0].status}`);
}

export interface AlertForDelivery {
  id: number;
  dedup_key: string;
  kind: string;
  status: AlertStatus;
  attempts: number;
  round_start: number;
  lease_until: Date | null;
  next_attempt_at: Date | null;
  channel_name: string;
  process_id: number | null;
  task_id: string | null;
  node_id: string | null;
  severity: string;
  title: string;
  message: string;
  fields: Record<string, string>;
  notified_at: Date;
  /** The channel (null when it was deleted). */
  ch_id: string | null;
  ch_type: string | null;
  ch_settings: unknown;
  ch_secret_enc: string | null;
}

const ALERT_COLUMNS = `a.id, a.dedup_key, a.kind, a.status, a.attempts, a.round_start, a.lease_until, a.next_attempt_at, a.channel_name, a.process_id, a.task_id, a.node_id,
  a.severity, a.title, a.message, a.fields, a.notified_at, c.id AS ch_id, c.type AS ch_type, c.settings AS ch_settings, c.secret_enc AS ch_secret_enc`;

export type ClaimResult =
  | { claimed: true; attempt: number; alert: AlertForDelivery }
  /** Not taken: `alert` as it stands (null: gone), to tell why (final, leased, not due). */
  | { claimed: false; alert: AlertForDelivery | null };

/**
 * Takes alerts for one attempt each, in one statement for a whole batch:
 * queued ones, retrying ones whose time has come, and sending ones whose
 * lease ran out (their worker died; that attempt is logged as abandoned).
 * The others come back unclaimed with their current row.
 */
export async function claimAlerts(pool: Pool, ids: number[], leaseMs: number): Promise<ClaimResult[]> {
  const { rows } = await pool.query<AlertForDelivery & { old_status: string; old_lease: Date | null }>(
    `WITH o AS (SELECT id, status AS old_status, lease_until AS old_lease FROM alert WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE),
     taken AS (
       UPDATE alert a SET status = 'sending', attempts = a.attempts + 1, lease_until = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
       FROM o WHERE a.id = o.id
         AND (a.status = 'queued'
           OR (a.status = 'retrying' AND (a.next_attempt_at IS NULL OR a.next_attempt_at <= now() + interval '20 milliseconds'))
           OR (a.status = 'sending' AND a.lease_until < now()))
       RETURNING a.*, o.old_status, o.old_lease
     )
     SELECT ${ALERT_COLUMNS}, a.old_status, a.old_lease FROM taken a LEFT JOIN channel c ON c.id = a.channel_id`,
    [ids, leaseMs],
  );
  const claimed = new Map(rows.map((r) => [r.id, r]));
  const abandoned = rows.filter((r) => r.old_status === "sending");
  if (abandoned.length > 0) {
    await pool.query(
      `INSERT INTO alert_attempt (alert_id, attempt, started_at, duration_ms, outcome, error)
       SELECT u.id, u.attempt, coalesce(u.at, now()), 0, 'abandoned', $2 FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, attempt int, at timestamptz)`,
      [JSON.stringify(abandoned.map((r) => ({ id: r.id, attempt: r.attempts - 1, at: r.old_lease }))), "the worker delivering it stopped before the outcome was recorded; the receiver may or may not have it"],
    );
  }
  const others = ids.filter((id) => !claimed.has(id));
  const current = new Map<number, AlertForDelivery>();
  if (others.length > 0) {
    const { rows: cur } = await pool.query<AlertForDelivery>(`SELECT ${ALERT_COLUMNS} FROM alert a LEFT JOIN channel c ON c.id = a.channel_id WHERE a.id = ANY($1::bigint[])`, [others]);
    for (const r of cur) current.set(r.id, r);
  }
  // The same alert twice in one batch (two jobs for it): only the first holds the claim.
  const handedOut = new Set<number>();
  return ids.map((id) => {
    const r = claimed.get(id);
    if (r && !handedOut.has(id)) {
      handedOut.add(id);
      return { claimed: true, attempt: r.attempts, alert: r };
    }
    return { claimed: false, alert: r ?? current.get(id) ?? null };
  });
}

export interface AttemptRecord {
  id: number;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  /** When the receiver's answer came: sent_at, and the latency from the notify. */
  endedAt: Date;
  next: { status: "sent" } | { status: "retrying"; error: string; nextAttemptAt: Date } | { status: "failed"; error: string };
  httpStatus?: number;
}

/**
 * Records the outcomes of a batch of attempts in one statement: each alert
 * moves on only if that attempt still holds it (same attempt number, still
 * sending); every attempt row is written either way. Returns, per record,
 * whether the alert moved.
 */
export async function recordAttempts(pool: Pool, records: AttemptRecord[]): Promise<boolean[]> {
  const items = records.map((r) => ({
    id: r.id, attempt: r.attempt, status: r.next.status, error: r.next.status === "sent" ? null : r.next.error,
    next_at: r.next.status === "retrying" ? r.next.nextAttemptAt.toISOString() : null,
    started_at: r.startedAt.toISOString(), ended_at: r.endedAt.toISOString(), duration_ms: r.durationMs, http_status: r.httpStatus ?? null,
  }));
  const { rows } = await pool.query<{ id: number; attempt: number }>(
    `WITH u AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, attempt int, status text, error text, next_at timestamptz, started_at timestamptz, ended_at timestamptz, duration_ms int, http_status int)
     ), upd AS (
       UPDATE alert a SET status = u.status, last_error = coalesce(u.error, a.last_error), lease_until = NULL, next_attempt_at = u.next_at, updated_at = now(),
              sent_at = CASE WHEN u.status = 'sent' THEN u.ended_at ELSE a.sent_at END,
              latency_ms = CASE WHEN u.status = 'sent' THEN greatest(0, (EXTRACT(EPOCH FROM (u.ended_at - a.notified_at)) * 1000)::int) ELSE a.latency_ms END
       FROM u WHERE a.id = u.id AND a.attempts = u.attempt AND a.status = 'sending'
       RETURNING a.id, u.attempt
     ), ins AS (
       INSERT INTO alert_attempt (alert_id, attempt, started_at, duration_ms, outcome, http_status, error)
       SELECT u.id, u.attempt, u.started_at, u.duration_ms, CASE WHEN u.status = 'sent' THEN 'sent' ELSE 'error' END, u.http_status, u.error FROM u
     )
     SELECT id, attempt FROM upd`,
    [JSON.stringify(items)],
  );
  const moved = new Set(rows.map((r) => `${r.id}:${r.attempt}`));
  return records.map((r) => moved.has(`${r.id}:${r.attempt}`));
}

/** Alerts that should be moving but may have lost their job (Redis flushed, a worker died): for the sweep. */
export async function findStuckAlerts(pool: Pool, olderThanMs: number, limit = 1000): Promise<Array<{ id: number; job_id: string; channel_id: string | null; status: AlertStatus; next_attempt_at: Date | null }>> {
  const { rows } = await pool.query(
    `SELECT id, job_id, channel_id, status, next_attempt_at FROM alert
     WHERE status IN ('queued', 'retrying', 'sending') AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
       AND (status <> 'sending' OR lease_until < now())
     ORDER BY id LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}
