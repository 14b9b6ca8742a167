import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";

/**
 * Node counters live in Redis, one hash per process: field = node id, value =
 * tasks in the node. Tasks never leave a final node, so a final node's value
 * is its running total, as in Corezoid. Postgres is the truth: `rebuild`
 * recomputes a hash from the task table (after Redis lost it).
 */
export const countersKey = (prefix: string, processId: number) => `${prefix}:counts:${processId}`;

export type NodeCounts = Record<string, number>;

export async function readNodeCounts({ redis, prefix, processId }: { redis: Redis; prefix: string; processId: number }): Promise<NodeCounts> {
  const raw = await redis.hgetall(countersKey(prefix, processId));
  return Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "__rebuilt").map(([k, v]) => [k, Number(v)]));
}

/** Applies per-node deltas (moves) in one pipeline and returns the new values, for task-counter semaphors. */
export async function applyCounterDeltas({ redis, prefix, deltas }: { redis: Redis; prefix: string; deltas: Array<{ processId: number; nodeId: string; delta: number }> }): Promise<number[]> {
  if (deltas.length === 0) return [];
  const p = redis.pipeline();
  for (const d of deltas) p.hincrby(countersKey(prefix, d.processId), d.nodeId, d.delta);
  const res = (await p.exec()) ?? [];
  return res.map(([err, v]) => {
    if (err) throw err;
    return Number(v);
  });
}

/** Recomputes a process's counters from Postgres and replaces the hash atomically. */
export async function rebuildNodeCounts({ db, redis, prefix, processId }: { db: Db; redis: Redis; prefix: string; processId: number }): Promise<NodeCounts> {
  const rows = await db.$queryRaw<Array<{ node_id: string; n: bigint }>>`
    SELECT node_id, count(*) AS n FROM task WHERE process_id = ${processId} GROUP BY node_id`;
  const counts: NodeCounts = Object.fromEntries(rows.map((r) => [r.node_id, Number(r.n)]));
  const key = countersKey(prefix, processId);
  const m = redis.multi().del(key);
  if (rows.length > 0) m.hset(key, counts);
  m.hset(key, "__rebuilt", Date.now());
  await m.exec();
  return counts;
}
