import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";

/**
 * Node counters live in Redis, one hash per process: field = node id, value =
 * tasks in the node. Tasks never leave a final node, so a final node's value
 * is its running total, as in Corezoid. Postgres is the truth: `rebuild`
 * recomputes a hash from the task table (after Redis lost it): tasks count once
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

// Applies a unit's deltas once: a marker per outbox row makes a replay (after
// a crash between commit and apply) a no-op. Returns the new values, or nil
// when the row was applied before.
const APPLY_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local out = {}
  for i = 2, #ARGV, 3 do out[#out + 1] = redis.call('HINCRBY', ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
  return out
end
return nil`;

/**
 * Applies the counter deltas of one committed unit of work (its `counters`
 * outbox row) exactly once and returns the new values (for task-counter
 * semaphors), or null when that row had been applied already.
 */
export async function applyCounterDeltasOnce({ redis, prefix, rowId, deltas }: { redis: Redis; prefix: string; rowId: number | string; deltas: CounterDelta[] }): Promise<number[] | null> {
  if (deltas.length === 0) return [];
  const args = deltas.flatMap((d) => [countersKey(prefix, d.processId), d.nodeId, String(d.delta)]);
  const res = (await redis.eval(APPLY_ONCE, 1, `${prefix}:counters:applied:${rowId}`, "86400", ...args)) as number[] | null;
  return res === null ? null : res.map(Number);
}

/** Recomputes a process's counters from Postgres and replaces the hash atomically. */
export async function rebuildNodeCounts({ db, redis, prefix, processId }: { db: Db; redis: Redis; prefix: string; processId: number }): Promise<NodeCounts> {
  // One statement, one snapshot: a purge committing meanwhile moves tasks into the purged totals, never counted twice or lost.
  const rows = await db.$queryRaw<Array<{ node_id: string; n: bigint }>>`
    SELECT node_id, sum(n)::bigint AS n FROM (
      SELECT node_id, count(*) AS n FROM task WHERE process_id = ${processId} AND seq > 0 GROUP BY node_id
      UNION ALL
      SELECT node_id, total AS n FROM node_purged_total WHERE process_id = ${processId}
    ) c GROUP BY node_id`;
  const counts: NodeCounts = Object.fromEntries(rows.map((r) => [r.node_id, Number(r.n)]));
  const key = countersKey(prefix, processId);
  const m = redis.multi().del(key);
  if (rows.length > 0) m.hset(key, counts);
  m.hset(key, "__rebuilt", Date.now());
  await m.exec();
  return counts;
}
