import type { TaskSnapshot } from "../../engine/index.ts";

/** A task row as the executor reads it. */
export interface TaskRow {
  id: string;
  process_id: number;
  version_id: number;
  ref: string | null;
  node_id: string;
  prev_node_id: string | null;
  status: string;
  final_kind: string | null;
  data: Record<string, unknown>;
  state: Partial<TaskState>;
  seq: number;
  /** Unix seconds (the engine's create_time / change_time): numbers, not timestamps, spare parsing a Date per row. */
  create_s: number;
  change_s: number;
}

export const TASK_COLUMNS = "id, process_id, version_id, ref, node_id, prev_node_id, status, final_kind, data, state, seq, floor(extract(epoch FROM created_at))::float8 AS create_s, floor(extract(epoch FROM changed_at))::float8 AS change_s";

/** Engine bookkeeping kept in task.state: everything of the snapshot that has no column. */
export type TaskState = Pick<TaskSnapshot, "visits" | "loopVisits" | "waiting" | "timer" | "endTime" | "parent" | "userId">;

export function toSnapshot(row: TaskRow): TaskSnapshot {
  const state = row.state ?? {};
  const snap: TaskSnapshot = {
    id: row.id,
    ref: row.ref,
    processId: String(row.process_id),
    nodeId: row.node_id,
    prevNodeId: row.prev_node_id,
    data: row.data as TaskSnapshot["data"],
    createTime: row.create_s,
    changeTime: row.change_s,
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

export function stateOf(t: TaskSnapshot): TaskState {
  const s: TaskState = { visits: t.visits, loopVisits: t.loopVisits };
  if (t.waiting) s.waiting = t.waiting;
  if (t.timer) s.timer = t.timer;
  if (t.endTime !== undefined) s.endTime = t.endTime;
  if (t.parent) s.parent = t.parent;
  if (t.userId !== undefined) s.userId = t.userId;
  return s;
}
