import { z } from "zod";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import { ALERT_STATUSES } from "./alert-store.ts";
import { sortedFields } from "./deliver-alert.ts";
import { taskPath } from "./links.ts";

/** One line of the delivery log. */
export interface AlertDto {
  id: string;
  kind: "notify" | "test";
  status: string;
  channelName: string;
  channelId: string | null;
  severity: string;
  title: string;
  message: string;
  fields: Record<string, string>;
  processId: number | null;
  processTitle: string | null;
  taskId: string | null;
  nodeId: string | null;
  /** In-app link to the task (null for tests). */
  taskPath: string | null;
  attempts: number;
  lastError: string | null;
  notifiedAt: string;
  sentAt: string | null;
  latencyMs: number | null;
  nextAttemptAt: string | null;
  resends: number;
}

export interface AlertAttemptDto {
  attempt: number;
  startedAt: string;
  durationMs: number;
  outcome: string;
  httpStatus: number | null;
  error: string | null;
}

export const alertFilterSchema = z.object({
  processId: z.coerce.number().int().positive().optional(),
  channel: z.string().trim().min(1).max(80).optional(),
  status: z.enum(ALERT_STATUSES as [string, ...string[]]).optional(),
  /** Keyset pagination: alerts older than this id. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AlertFilter = z.infer<typeof alertFilterSchema>;

type Row = {
  id: number; kind: string; status: string; channel_name: string; channel_id: string | null; severity: string; title: string; message: string; fields: Record<string, string>;
  process_id: number | null; process_title: string | null; task_id: string | null; node_id: string | null; attempts: number; last_error: string | null;
  notified_at: Date; sent_at: Date | null; latency_ms: number | null; next_attempt_at: Date | null; resends: number;
};

const SELECT = `SELECT a.id, a.kind, a.status, a.channel_name, a.channel_id, a.severity, a.title, a.message, a.fields, a.process_id, p.title AS process_title, a.task_id, a.node_id,
  a.attempts, a.last_error, a.notified_at, a.sent_at, a.latency_ms, a.next_attempt_at, a.resends
  FROM alert a LEFT JOIN process p ON p.id = a.process_id`;

function toDto(r: Row): AlertDto {
  return {
    id: String(r.id), kind: r.kind === "test" ? "test" : "notify", status: r.status, channelName: r.channel_name, channelId: r.channel_id, severity: r.severity, title: r.title,
    message: r.message, fields: sortedFields(r.fields), processId: r.process_id, processTitle: r.process_title, taskId: r.task_id, nodeId: r.node_id,
    taskPath: r.task_id && r.process_id !== null ? taskPath(r.process_id, r.task_id) : null,
    attempts: r.attempts, lastError: r.last_error, notifiedAt: r.notified_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null, latencyMs: r.latency_ms,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null, resends: r.resends,
  };
}

/** The delivery log, newest first, filtered by process, channel (name) and status. */
export async function listAlerts({ pool, filter }: { pool: Pool; filter: AlertFilter }): Promise<{ alerts: AlertDto[]; nextBefore: string | null }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace("?", `$${args.length}`));
  };
  if (filter.processId) add("a.process_id = ?", filter.processId);
  if (filter.channel) add("a.channel_name = ?", filter.channel);
  if (filter.status) add("a.status = ?", filter.status);
  if (filter.before) add("a.id < ?", filter.before);
  args.push(filter.limit + 1);
  const { rows } = await pool.query<Row>(`${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY a.id DESC LIMIT $${args.length}`, args);
  const page = rows.slice(0, filter.limit);
  return { alerts: page.map(toDto), nextBefore: rows.length > filter.limit ? String(page[page.length - 1].id) : null };
}

export async function getAlert({ pool, id }: { pool: Pool; id: number }): Promise<{ alert: AlertDto; attempts: AlertAttemptDto[] }> {
  const { rows } = await pool.query<Row>(`${SELECT} WHERE a.id = $1`, [id]);
  if (!rows[0]) throw new AppError("not_found", "no such alert");
  const { rows: attempts } = await pool.query<{ attempt: number; started_at: Date; duration_ms: number; outcome: string; http_status: number | null; error: string | null }>(
    "SELECT attempt, started_at, duration_ms, outcome, http_status, error FROM alert_attempt WHERE alert_id = $1 ORDER BY id", [id],
  );
  return {
    alert: toDto(rows[0]),
    attempts: attempts.map((a) => ({ attempt: a.attempt, startedAt: a.started_at.toISOString(), durationMs: a.duration_ms, outcome: a.outcome, httpStatus: a.http_status, error: a.error })),
  };
}
