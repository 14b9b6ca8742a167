import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";

/** DTOs for the live view: plain objects, times as ISO text. */
export interface TaskListItem {
  id: string;
  ref: string | null;
  status: string;
  finalKind: string | null;
  waiting: string | null;
  createdAt: string;
  changedAt: string;
  /** The start of the data as JSON text, for the list. */
  preview: string;
}

export interface TaskPage {
  tasks: TaskListItem[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Tasks in the node matching the filters (all pages). */
  total: number;
}

const PREVIEW_CHARS = 160;

/** `a.b=value` compares one data value (path by dots); any other text searches the whole data. */
export function parseDataQuery(q: string): { path: string[]; value: string } | { text: string } {
  const m = /^\s*([^=\s][^=]*?)\s*=\s*(.*)$/.exec(q);
  if (m) return { path: m[1].split(".").filter(Boolean), value: m[2] };
  return { text: q.trim() };
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The tasks in one node of a process, newest change first, a page at a time
 * (keyset pagination on change time and id, so paging stays correct while
 * tasks move). `ref` matches part of the ref; `q` is a data search.
 */
export async function listNodeTasks({ pool, processId, nodeId, ref, q, cursor, limit = 25 }: {
  pool: Pool;
  processId: number;
  nodeId: string;
  ref?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}): Promise<TaskPage> {
  const where = ["process_id = $1", "node_id = $2"];
  const args: unknown[] = [processId, nodeId];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (ref?.trim()) where.push(`ref ILIKE ${arg(`%${likeEscape(ref.trim())}%`)}`);
  if (q?.trim()) {
    const dq = parseDataQuery(q);
    if ("path" in dq) where.push(`data #>> ${arg(dq.path)}::text[] = ${arg(dq.value)}`);
    else where.push(`data::text ILIKE ${arg(`%${likeEscape(dq.text)}%`)}`);
  }
  const filters = where.join(" AND ");
  const countArgs = [...args];
  let after = "true";
  if (cursor) {
    const m = /^(\d+):([0-9a-f-]{36})$/.exec(cursor);
    if (!m) throw new AppError("bad_request", "cursor is not one this server gave");
    after = `(changed_us, id) < (${arg(Number(m[1]))}::bigint, ${arg(m[2])}::uuid)`;
  }
  const { rows } = await pool.query<{
    id: string; ref: string | null; status: string; final_kind: string | null; waiting: string | null;
    created_at: Date; changed_at: Date; changed_us: number; preview: string;
  }>(
    `SELECT * FROM (
       SELECT id, ref, status, final_kind, state->'waiting'->>'kind' AS waiting, created_at, changed_at,
              (extract(epoch FROM changed_at) * 1000000)::bigint AS changed_us, left(data::text, ${PREVIEW_CHARS}) AS preview
       FROM task WHERE ${filters}
     ) t WHERE ${after}
     ORDER BY changed_us DESC, id DESC LIMIT ${arg(limit + 1)}`,
    args,
  );
  const { rows: counted } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM task WHERE ${filters}`, countArgs);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map((r) => ({
      id: r.id, ref: r.ref, status: r.status, finalKind: r.final_kind, waiting: r.waiting,
      createdAt: r.created_at.toISOString(), changedAt: r.changed_at.toISOString(), preview: r.preview,
    })),
    nextCursor: rows.length > limit && last ? `${last.changed_us}:${last.id}` : null,
    total: counted[0]?.n ?? 0,
  };
}

/** One node a task passed (from its history), in order. */
export interface PathStep {
  nodeId: string;
  title: string;
  /** Unix ms. */
  at: number;
  via: string;
  outcome: string;
  visit: number;
  branch?: number;
  waiting?: string;
  error?: { prefix: string; tag: string };
  /** What moved the task in this step (enter, timer, callback, ...). */
  event: string;
}

export interface TaskDetail {
  id: string;
  ref: string | null;
  processId: number;
  version: number;
  nodeId: string;
  nodeTitle: string;
  status: string;
  finalKind: string | null;
  waiting: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  changedAt: string;
  path: PathStep[];
}

/** A task with its data and the nodes it passed, with times (titles from the version it runs on). */
export async function getTaskDetail({ pool, taskId }: { pool: Pool; taskId: string }): Promise<TaskDetail> {
  if (!/^[0-9a-f-]{36}$/i.test(taskId)) throw new AppError("bad_request", "task id must be a UUID");
  const { rows } = await pool.query<{
    id: string; ref: string | null; process_id: number; version: number; scheme: { nodes?: Array<{ id: string; title?: string | null }> };
    node_id: string; status: string; final_kind: string | null; waiting: string | null; data: Record<string, unknown>; created_at: Date; changed_at: Date;
  }>(
    `SELECT t.id, t.ref, t.process_id, v.version, v.scheme, t.node_id, t.status, t.final_kind, t.state->'waiting'->>'kind' AS waiting, t.data, t.created_at, t.changed_at
     FROM task t JOIN process_version v ON v.id = t.version_id WHERE t.id = $1::uuid`,
    [taskId],
  );
  const t = rows[0];
  if (!t) throw new AppError("not_found", `task ${taskId} does not exist`);
  const titles = new Map((t.scheme.nodes ?? []).map((n) => [n.id, n.title ?? ""]));
  const { rows: history } = await pool.query<{ event: string; data: { path?: Array<Omit<PathStep, "title" | "event" | "waiting"> & { event?: string; waiting?: { kind?: string } }> } | null }>(
    "SELECT event, data FROM task_history WHERE task_id = $1::uuid ORDER BY id",
    [taskId],
  );
  const path: PathStep[] = history.flatMap((h) =>
    (h.data?.path ?? []).map((p) => ({
      nodeId: p.nodeId, title: titles.get(p.nodeId) ?? "", at: p.at, via: p.via, outcome: p.outcome, visit: p.visit, event: p.event ?? h.event,
      ...(p.branch !== undefined ? { branch: p.branch } : {}), ...(p.waiting?.kind ? { waiting: p.waiting.kind } : {}), ...(p.error ? { error: p.error } : {}),
    })),
  );
  return {
    id: t.id, ref: t.ref, processId: t.process_id, version: t.version, nodeId: t.node_id, nodeTitle: titles.get(t.node_id) ?? "",
    status: t.status, finalKind: t.final_kind, waiting: t.waiting, data: t.data,
    createdAt: t.created_at.toISOString(), changedAt: t.changed_at.toISOString(), path,
  };
}
