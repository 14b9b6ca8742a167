import type { Db, Prisma } from "../db/client.ts";
import { step, type Command, type TaskEvent, type TaskSnapshot } from "../../engine/index.ts";
import type { SchemeCache } from "./scheme-cache.ts";

export interface StepJobInput {
  taskId: string;
  seq: number;
  event: { type: string } & Record<string, unknown>;
}

export interface StepOutcome {
  fromNodeId: string;
  toNodeId: string;
  status: string;
  counterDeltas: Array<{ processId: number; nodeId: string; delta: number }>;
  followUps: StepJobInput[];
  commands: Command[];
}

interface TaskRow {
  id: string;
  process_id: number;
  version_id: number;
  ref: string | null;
  node_id: string;
  prev_node_id: string | null;
  status: string;
  final_kind: string | null;
  data: Record<string, unknown>;
  state: Record<string, unknown>;
  seq: number;
  created_at: Date;
  changed_at: Date;
}

/**
 * One step of one task, persisted atomically. Returns null when the job is
 * stale (the task is gone or has moved on: its seq differs), so a duplicated
 * or replayed job changes nothing.
 */
export async function executeStep({ db, schemes, job, taskSizeLimit, now }: {
  db: Db;
  schemes: SchemeCache;
  job: StepJobInput;
  taskSizeLimit: number;
  now: () => number;
}): Promise<StepOutcome | null> {
  const rows = await db.$queryRaw<TaskRow[]>`
    SELECT id, process_id, version_id, ref, node_id, prev_node_id, status, final_kind, data, state, seq, created_at, changed_at
    FROM task WHERE id = ${job.taskId}::uuid`;
  const row = rows[0];
  if (!row || row.seq !== job.seq || row.status === "finished") return null;
  const scheme = await schemes.get(row.version_id);
  const before = toSnapshot(row);
  const result = step({ scheme, task: before, event: job.event as TaskEvent, clock: { now, random: Math.random }, options: { taskSizeLimit } });
  const after = result.task;
  const state: TaskState = { visits: after.visits, loopVisits: after.loopVisits, waiting: after.waiting, timer: after.timer, endTime: after.endTime, parent: after.parent, userId: after.userId };

  const moved = await db.$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE task SET node_id = ${after.nodeId}, prev_node_id = ${after.prevNodeId ?? null}, status = ${after.status},
        final_kind = ${after.finalKind ?? null}, data = ${JSON.stringify(after.data)}::jsonb, state = ${JSON.stringify(state)}::jsonb,
        seq = seq + 1, changed_at = now(), finished_at = ${after.status === "finished" ? new Date(now()) : null}
      WHERE id = ${row.id}::uuid AND seq = ${row.seq}`;
    if (updated !== 1) return false;
    if (result.trail.length > 0) {
      await tx.taskHistory.createMany({
        data: result.trail.map((t) => ({
          taskId: row.id,
          processId: row.process_id,
          nodeId: t.nodeId,
          event: job.event.type,
          at: new Date(t.at),
          data: { via: t.via, outcome: t.outcome, visit: t.visit, ...(t.branch !== undefined ? { branch: t.branch } : {}), ...(t.waiting ? { waiting: t.waiting } : {}), ...(t.error ? { error: t.error } : {}) },
        })),
      });
    }
    if (result.commands.length > 0) {
      await tx.outbox.createMany({
        data: result.commands.map((c) => ({ jobKey: c.key, kind: c.type, taskId: row.id, payload: c as unknown as Prisma.InputJsonValue })),
        skipDuplicates: true,
      });
    }
    return true;
  });
  if (!moved) return null;

  const counterDeltas: StepOutcome["counterDeltas"] = [];
  if (before.nodeId !== after.nodeId || row.seq === 0) {
    if (row.seq > 0) counterDeltas.push({ processId: row.process_id, nodeId: before.nodeId, delta: -1 });
    counterDeltas.push({ processId: row.process_id, nodeId: after.nodeId, delta: 1 });
  }
  return { fromNodeId: before.nodeId, toNodeId: after.nodeId, status: after.status, counterDeltas, followUps: [], commands: result.commands };
}

/** Engine bookkeeping kept in task.state (everything of the snapshot that has no column). */
type TaskState = Pick<TaskSnapshot, "visits" | "loopVisits" | "waiting" | "timer" | "endTime" | "parent" | "userId"> & { pendingEvent?: unknown };

function toSnapshot(row: TaskRow): TaskSnapshot {
  const state = (row.state ?? {}) as Partial<TaskState>;
  const snap: TaskSnapshot = {
    id: row.id,
    ref: row.ref,
    processId: String(row.process_id),
    nodeId: row.node_id,
    prevNodeId: row.prev_node_id,
    data: row.data as TaskSnapshot["data"],
    createTime: Math.floor(row.created_at.getTime() / 1000),
    changeTime: Math.floor(row.changed_at.getTime() / 1000),
    status: row.status as TaskSnapshot["status"],
    visits: state.visits ?? {},
    loopVisits: state.loopVisits ?? {},
  };
  if (row.final_kind) snap.finalKind = row.final_kind as TaskSnapshot["finalKind"];
  if (state.waiting) snap.waiting = state.waiting;
  if (state.timer) snap.timer = state.timer;
  if (state.endTime !== undefined) snap.endTime = state.endTime;
  if (state.parent) snap.parent = state.parent;
  if (state.userId !== undefined) snap.userId = state.userId;
  return snap;
}
