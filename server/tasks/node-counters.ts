import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";

/**
 * Node counters live in Redis, one hash per process: field = node id, value =
 * tasks in the node. Tasks never leave a final node, so a final node's value
 * is its running total, as in Corezoid. Postgres is the truth: `rebuildAllNodeCounts`
 * recomputes the hashes from the task table (after Redis lost them): tasks count once
 * a worker has stepped them (seq > 0), as the executor counts them, plus the
 * tasks retention deleted from each node (`node_purged_total`), so a final
 * node's total survives the purge of its tasks.
 */
export const countersKey = (prefix: string, processId: number) => `${prefix}:counts:${processId}`;

export type NodeCounts = Record<string, number>;

export async function readNodeCounts({ redis, prefix, processId }: { redis: Redis; prefix: string; processId: number }): Promise<NodeCounts> {
  const raw = await redis.hgetall(countersKey(prefix, processId));
  return Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "__rebuilt").map(([k, v]) => [k, Number(v)]));
}

export interface CounterDelta {
  processId: number;
  nodeId: string;
  delta: number;
}

const appliedKey = (prefix: string, rowId: number | string) => `${prefix}:counters:applied:${rowId}`;
/** Set while `rebuildAllNodeCounts` replaces every hash from one PostgreSQL snapshot: counter moves wait. */
export const countersFenceKey = (prefix: string) => `${prefix}:counters:rebuilding`;
const APPLIED_TTL_SEC = 86_400;
const FENCE_TTL_MS = 60_000;

// Applies a unit's deltas once: a marker per outbox row makes a replay (after
// a crash between commit and apply) a no-op. Returns the new values, nil
// when the row was applied before, or -1 (nothing done) while a rebuild holds
// the fence.
const APPLY_ONCE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local out = {}
  for i = 2, #ARGV, 3 do out[#out + 1] = redis.call('HINCRBY', ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
  return out
end
return nil`;

/**
 * Applies the counter deltas of one committed unit of work (its `counters`
 * outbox row) exactly once and returns the new values (for task-counter
 * semaphors), null when that row had been applied already, or "fenced" when a
 * rebuild kept it out for longer than `waitMs` (the row stays for the
 * reconciler, which applies it — or finds it counted by the rebuild — later).
 */
export async function applyCounterDeltasOnce({ redis, prefix, rowId, deltas, waitMs = 5_000 }: {
  redis: Redis;
  prefix: string;
  rowId: number | string;
  deltas: CounterDelta[];
  waitMs?: number;
}): Promise<number[] | null | "fenced"> {
  if (deltas.length === 0) return [];
  const args = deltas.flatMap((d) => [countersKey(prefix, d.processId), d.nodeId, String(d.delta)]);
  const t0 = Date.now();
  for (;;) {
    const res = (await redis.eval(APPLY_ONCE, 2, appliedKey(prefix, rowId), countersFenceKey(prefix), String(APPLIED_TTL_SEC), ...args)) as number[] | number | null;
    if (res === null) return null;
    if (Array.isArray(res)) return res.map(Number);
    if (Date.now() - t0 >= waitMs) return "fenced";
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * After Redis lost its data: replaces the counters of every process with
 * PostgreSQL's, exactly, while workers keep moving tasks. A fence key holds
 * counter moves off; one statement (one snapshot) reads the counts and the
 * counters outbox rows not yet marked applied; one MULTI writes the hashes and
 * marks those rows applied (their moves are in the snapshot), then lifts the
 * fence. A move committed after the snapshot is applied afterwards, on top;
 * one applied to the half-empty hashes before the fence is in the snapshot.
 */
export async function rebuildAllNodeCounts({ pool, redis, prefix }: { pool: Pool; redis: Redis; prefix: string }): Promise<{ processes: number }> {
  await redis.set(countersFenceKey(prefix), "1", "PX", FENCE_TTL_MS);
  try {
    const { rows } = await pool.query<{ kind: "count" | "process" | "pending"; process_id: number | null; node_id: string | null; n: string | null; row_id: string | null }>(
      `SELECT 'count' AS kind, process_id, node_id, sum(n)::bigint AS n, NULL::bigint AS row_id FROM (
         SELECT process_id, node_id, count(*) AS n FROM task WHERE seq > 0 GROUP BY process_id, node_id
         UNION ALL
         SELECT process_id, node_id, total AS n FROM node_purged_total
       ) c GROUP BY process_id, node_id
       UNION ALL SELECT 'process', id, NULL, NULL, NULL FROM process
       UNION ALL SELECT 'pending', NULL, NULL, NULL, id FROM outbox WHERE kind = 'counters' AND dispatched_at IS NULL`,
    );
    const counts = new Map<number, NodeCounts>();
    const pending: string[] = [];
    for (const r of rows) {
      if (r.kind === "process") counts.set(r.process_id!, counts.get(r.process_id!) ?? {});
      else if (r.kind === "count") counts.set(r.process_id!, { ...counts.get(r.process_id!), [r.node_id!]: Number(r.n) });
      else pending.push(r.row_id!);
    }
    const m = redis.multi();
    for (const [processId, nodes] of counts) {
      const key = countersKey(prefix, processId);
      m.del(key);
      m.hset(key, { ...nodes, __rebuilt: Date.now() });
    }
    for (const id of pending) m.set(appliedKey(prefix, id), "1", "EX", APPLIED_TTL_SEC, "NX");
    m.del(countersFenceKey(prefix));
    await m.exec();
    return { processes: counts.size };
  } finally {
    await redis.del(countersFenceKey(prefix)).catch(() => {});
  }
}
