import { randomUUID } from "node:crypto";
import type { PoolClient } from "../db/pool.ts";
import { jsonText, type TrailEntry } from "../../engine/index.ts";
import { insertNotifications, type AlertJobRef } from "../alerts/alert-store.ts";
import { lockProcessesForInsert } from "../tasks/process-lock.ts";
import { stateOf } from "./task-row.ts";
import type { UnitOfWork } from "./unit-of-work.ts";

export interface PersistResult {
  /** Outbox rows actually inserted (a replayed command's row already exists). */
  outbox: Array<{ id: number; key: string; kind: string; payload: unknown }>;
  /** New tasks that must wait for their own step job (past the inline limit). */
  deferred: Array<{ taskId: string; seq: number }>;
  /** Alerts written by notify blocks, whose delivery jobs are enqueued after the commit. */
  alerts: AlertJobRef[];
}

/** What a history row keeps of each node a task passed (the data itself stays on the task). */
export function pathEntry(e: TrailEntry, event?: string) {
  return {
    nodeId: e.nodeId, at: e.at, via: e.via, outcome: e.outcome, visit: e.visit, ...(event !== undefined ? { event } : {}),
    ...(e.branch !== undefined ? { branch: e.branch } : {}), ...(e.waiting ? { waiting: e.waiting } : {}), ...(e.error ? { error: e.error } : {}),
  };
}

/** A unit of work lost a race for a ref (see persistUnit): it rolls back and its job is retried. */
export class RefRaceError extends Error {
  constructor(skipped: number) {
    super(`${skipped} task(s) this step created have a ref that another task took meanwhile; the step is retried`);
    this.name = "RefRaceError";
  }
}

/** A row's JSON object with a `data` member added: the data's memoised JSON text, or null. */
function withData(rowJson: string, data: object | null): string {
  return `${rowJson.slice(0, -1)},"data":${data === null ? "null" : jsonText(data)}}`;
}

/**
 * Writes a unit of work with one statement per table: multi-row UPDATE of the
 * tasks it moved, INSERT of the tasks it created, of one history row per step
 * (the path of nodes), of the outbox and of the alerts. Rows travel as one JSON document per
 * statement (jsonb_to_recordset): cheaper than pg's array-literal escaping.
 * Runs inside the caller's transaction.
 */
export async function persistUnit(client: PoolClient, unit: UnitOfWork, now: Date): Promise<PersistResult> {
  // Row documents as JSON text; each task's data goes in as its memoised text (jsonText), which
  // the engine's size check of a new task's data already made.
  const updates: string[] = [];
  const inserts: string[] = [];
  const insertProcesses = new Set<number>();
  const finishedAt = now.toISOString();
  for (const [id, e] of unit.entries) {
    if (!e.touched) continue;
    const t = e.task;
    const stepped = Object.keys(t.visits).length > 0;
    const state = stateOf(t);
    const row = {
      id,
      node_id: t.nodeId,
      prev_node_id: t.prevNodeId,
      status: t.status,
      final_kind: t.finalKind ?? null,
      state: stepped ? state : { ...state, pendingEvent: { type: "enter" } },
      finished_at: t.status === "finished" ? finishedAt : null,
    };
    if (e.isNew) {
      insertProcesses.add(e.processId);
      inserts.push(withData(JSON.stringify({ ...row, process_id: e.processId, version_id: e.versionId, ref: t.ref, seq: stepped ? 1 : 0 }), t.data));
    } else {
      // Unchanged data (the engine replaces, never mutates it) is not sent back: PostgreSQL keeps its own.
      updates.push(withData(JSON.stringify(row), t.data === e.loadedData ? null : t.data));
    }
  }

  if (updates.length > 0) {
    await client.query(
      `UPDATE task AS t SET node_id = u.node_id, prev_node_id = u.prev_node_id, status = u.status, final_kind = u.final_kind,
         data = coalesce(u.data, t.data), state = u.state, seq = t.seq + 1, changed_at = $2, finished_at = u.finished_at
       FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, node_id text, prev_node_id text, status text, final_kind text, data jsonb, state jsonb, finished_at timestamptz)
       WHERE t.id = u.id`,
      [`[${updates.join(",")}]`, now],
    );
  }

  const deferred: PersistResult["deferred"] = [];
  if (inserts.length > 0) {
    // In place of foreign keys: the new tasks' processes may not be deleted under them (server/tasks/process-lock.ts).
    await lockProcessesForInsert(client, insertProcesses);
    const { rows } = await client.query<{ id: string; seq: number }>(
      `INSERT INTO task (id, process_id, version_id, ref, node_id, prev_node_id, status, final_kind, data, state, seq, created_at, changed_at, finished_at)
       SELECT u.id, u.process_id, u.version_id, u.ref, u.node_id, u.prev_node_id, u.status, u.final_kind, u.data, u.state, u.seq, $2, $2, u.finished_at
       FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, process_id int, version_id int, ref text, node_id text, prev_node_id text, status text, final_kind text, data jsonb, state jsonb, seq int, finished_at timestamptz)
       ORDER BY u.process_id, u.ref -- refs in one order in every step: steps racing for refs wait, never deadlock
       ON CONFLICT (process_id, ref) WHERE ref IS NOT NULL AND status <> 'finished' DO NOTHING
       RETURNING id, seq`,
      [`[${inserts.join(",")}]`, now],
    );
    // A task the unit created was skipped: another transaction committed a live task with its ref
    // after this unit's ref check (createChildren). The unit already answered the copy or call as
    // done, so it must not commit: it is rolled back and its job retried, and the retry's ref check
    // sees the other task (not_unical_ref, as Corezoid answers).
    if (rows.length !== inserts.length) throw new RefRaceError(inserts.length - rows.length);
    for (const r of rows) if (r.seq === 0) deferred.push({ taskId: r.id, seq: 0 });
  }

  if (unit.history.length > 0) {
    const rows = unit.history.map((h) => ({
      task_id: h.taskId, process_id: h.processId, node_id: h.trail[h.trail.length - 1].nodeId, event: h.events[0],
      at: new Date(h.trail[0].at).toISOString(),
      // The row's event is the first; an entry moved by a later event of the same unit names its own.
      data: { path: h.trail.map((entry, i) => pathEntry(entry, h.events[i] === h.events[0] ? undefined : h.events[i])) },
    }));
    await client.query(
      `INSERT INTO task_history (task_id, process_id, node_id, event, at, data)
       SELECT u.task_id, u.process_id, u.node_id, u.event, u.at, u.data
       FROM jsonb_to_recordset($1::jsonb) AS u(task_id uuid, process_id int, node_id text, event text, at timestamptz, data jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  let outbox: PersistResult["outbox"] = [];
  // Counter moves travel through the outbox too, so a crash after the commit cannot lose them.
  const deltas = unit.counterDeltas();
  const rows: Array<{ job_key: string; kind: string; task_id: string | null; payload: unknown }> = unit.outbox.map((c) => ({ job_key: c.key, kind: c.type, task_id: c.taskId, payload: c }));
  if (deltas.length > 0) rows.push({ job_key: `counters:${randomUUID()}`, kind: "counters", task_id: null, payload: { deltas } });
  if (rows.length > 0) {
    const res = await client.query<{ id: number; job_key: string; kind: string; payload: unknown }>(
      `INSERT INTO outbox (job_key, kind, task_id, payload, created_at)
       SELECT u.job_key, u.kind, u.task_id, u.payload, $2 FROM jsonb_to_recordset($1::jsonb) AS u(job_key text, kind text, task_id uuid, payload jsonb)
       ON CONFLICT (job_key) DO NOTHING
       RETURNING id, job_key, kind, payload`,
      [JSON.stringify(rows), now],
    );
    outbox = res.rows.map((r) => ({ id: r.id, key: r.job_key, kind: r.kind, payload: r.payload }));
  }
  const alerts = await insertNotifications(client, unit.notifications, now, await unit.channelIds());
  return { outbox, deferred, alerts };
}
