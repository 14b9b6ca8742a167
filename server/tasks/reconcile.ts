import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Pool } from "../db/pool.ts";
import type { Dispatcher } from "../execution/executor.ts";
import { countersKey, rebuildAllNodeCounts, type CounterDelta } from "./node-counters.ts";

type OutboxRow = { id: number; key: string; kind: string; payload: unknown };

export const epochKey = (prefix: string) => `${prefix}:epoch`;
const lockKey = (prefix: string) => `${prefix}:reconcile:lock`;

/** The pass stopped because its lock expired or Redis lost it (a flush): another pass, or the next one, carries on. */
export class ReconcileLockLost extends Error {
  constructor() {
    super("reconcile lock lost (Redis was reset or the pass outlived its lease); the next pass carries on");
  }
}

/** How long the reconcile lock lives without being renewed: a worker killed mid-pass blocks the others at most this long. */
export const RECONCILE_LOCK_TTL_MS = 15_000;
// Renew / release the lock only while it is still ours (a pass outliving its lease must not free another worker's).
const RENEW_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`;
const RELEASE_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;
// Marks Redis as reconciled since its last reset, only while the pass still holds the lock (a flush since then took it).
const SET_EPOCH_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[2], ARGV[2]) return 1 end return 0`;

export interface ReconcileResult {
  redisWasReset: boolean;
  requeued: number;
  redispatched: number;
  timersRestored: number;
  rebuiltCounters: number;
}

/**
 * Restores work Redis lost. PostgreSQL holds everything needed:
 * - active tasks carry their next event (state.pendingEvent, else `enter`):
 *   those that have not moved for `staleAfterMs` get their step job again;
 * - outbox rows never marked dispatched (a crash right after a commit) are
 *   dispatched again;
 * - when Redis itself was reset (the epoch key is gone: FLUSHALL, a restart
 *   without persistence), the pending work of every waiting task — its timer,
 *   its HTTP call, code run, modify or queue request, a reply to it — is
 *   dispatched again from its outbox row, and all node counters are rebuilt
 *   (fenced: exact even while workers keep moving tasks).
 * Every dispatch uses the command's key as job id and the engine ignores
 * events for another visit, so restoring twice does no harm. One worker at a
 * time runs it (a Redis lock with a short lease, renewed as the pass goes, so
 * a worker killed in the middle of a pass holds the others up for seconds).
 */
export async function reconcile({ pool, redis, prefix, dispatcher, applyCounters, dispatchedKinds, staleAfterMs = 10_000, limit = 10_000 }: {
  pool: Pool;
  redis: Redis;
  prefix: string;
  dispatcher: Pick<Dispatcher, "dispatch" | "enqueueSteps">;
  /** The executor's idempotent counter application (counters outbox rows). */
  applyCounters: (rowId: number, deltas: CounterDelta[]) => Promise<void>;
  dispatchedKinds: ReadonlySet<string>;
  staleAfterMs?: number;
  limit?: number;
}): Promise<ReconcileResult> {
  const result: ReconcileResult = { redisWasReset: false, requeued: 0, redispatched: 0, timersRestored: 0, rebuiltCounters: 0 };
  const token = randomUUID();
  const got = await redis.set(lockKey(prefix), token, "PX", RECONCILE_LOCK_TTL_MS, "NX");
  if (!got) return result;
  const renew = async () => {
    if (Number(await redis.eval(RENEW_IF_OWNER, 1, lockKey(prefix), token, String(RECONCILE_LOCK_TTL_MS))) !== 1) throw new ReconcileLockLost();
  };
  /**
   * Processes whose counter hash is missing from Redis (a reset rebuilds all of them instead). A
   * process with nothing counted yet is left alone: its first move creates the hash. Otherwise all
   * counters are rebuilt behind the fence, as after a reset: a per-process rebuild without it
   * counted a unit committed just before its snapshot twice, once in the snapshot and once when
   * the unit's own move was applied after it (seen with a new process's first tasks).
   */
  const rebuildMissingCounters = async () => {
    const { rows: processes } = await pool.query<{ process_id: number }>("SELECT id AS process_id FROM process");
    if (processes.length === 0) return;
    const p = redis.pipeline();
    for (const { process_id } of processes) p.exists(countersKey(prefix, process_id));
    const exists = (await p.exec()) ?? [];
    const missing = processes.filter((_, i) => Number(exists[i]?.[1]) === 0).map((r) => r.process_id);
    if (missing.length === 0) return;
    const { rows: counted } = await pool.query(
      `SELECT m FROM unnest($1::int[]) AS m
       WHERE EXISTS (SELECT 1 FROM task t WHERE t.process_id = m AND t.seq > 0) OR EXISTS (SELECT 1 FROM node_purged_total n WHERE n.process_id = m)
       LIMIT 1`,
      [missing],
    );
    if (counted.length === 0) return;
    await renew();
    result.rebuiltCounters = (await rebuildAllNodeCounts({ pool, redis, prefix })).processes;
  };
  try {
    // The epoch key is written only once a reset pass has done all its work (end of the pass): a
    // pass that fails half-way (lock lost, an error) leaves it missing, so the next pass redoes it.
    result.redisWasReset = (await redis.exists(epochKey(prefix))) === 0;
    const stale = result.redisWasReset ? 0 : staleAfterMs;
    const kinds = [...dispatchedKinds];

    // 1. Active tasks without work.
    const { rows: active } = await pool.query<{ id: string; seq: number; pending: { type: string } | null }>(
      `SELECT id, seq, state->'pendingEvent' AS pending FROM task
       WHERE status = 'active' AND changed_at < now() - make_interval(secs => $1::float8) ORDER BY changed_at LIMIT $2`,
      [stale / 1000, limit],
    );
    if (active.length) await dispatcher.enqueueSteps(active.map((t) => ({ taskId: t.id, seq: t.seq, event: (t.pending ?? { type: "enter" }) as never })));
    result.requeued = active.length;

    // 2. Outbox rows never dispatched (counter moves included: applying one twice is a no-op).
    const { rows: pendingRows } = await pool.query<OutboxRow>(
      `SELECT id, job_key AS key, kind, payload FROM outbox
       WHERE dispatched_at IS NULL AND (kind = ANY($1::text[]) OR kind = 'counters') AND created_at < now() - make_interval(secs => $2::float8) ORDER BY id LIMIT $3`,
      [kinds, stale / 1000, limit],
    );
    await renew();
    const toMark: number[] = [];
    for (const row of pendingRows.filter((r) => r.kind === "counters")) {
      await applyCounters(row.id, (row.payload as { deltas: CounterDelta[] }).deltas);
      toMark.push(row.id);
    }
    const undispatched = pendingRows.filter((r) => r.kind !== "counters");
    if (undispatched.length) toMark.push(...(await dispatcher.dispatch(undispatched)));

    // 3. After a Redis reset: the pending work of waiting tasks.
    await renew();
    if (result.redisWasReset) {
      const { rows: own } = await pool.query<OutboxRow>(
        `SELECT o.id, o.job_key AS key, o.kind, o.payload FROM outbox o JOIN task t ON t.id = o.task_id
         WHERE t.status = 'waiting' AND o.kind = ANY($1::text[]) AND o.kind <> 'rpcReply' AND o.kind <> 'cancelTimer'
           AND o.payload->>'nodeId' = t.node_id AND (o.payload->>'visit')::int = (t.state->'visits'->>t.node_id)::int`,
        [kinds],
      );
      const { rows: replies } = await pool.query<OutboxRow>(
        `SELECT o.id, o.job_key AS key, o.kind, o.payload FROM outbox o JOIN task p ON p.id = (o.payload->'to'->>'taskId')::uuid
         WHERE o.kind = 'rpcReply' AND p.status = 'waiting' AND p.node_id = o.payload->'to'->>'nodeId'
           AND (p.state->'visits'->>p.node_id)::int = (o.payload->'to'->>'visit')::int`,
      );
      const restore = [...own, ...replies];
      if (restore.length) await dispatcher.dispatch(restore);
      result.timersRestored = own.filter((r) => r.kind === "scheduleTimer").length;
      result.redispatched = restore.length;
    }
    if (toMark.length) await pool.query("UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])", [toMark]);
    result.redispatched += pendingRows.length;

    // 4. Node counters: all of them after a reset (workers may have written half-empty hashes
    // since the flush, so "missing" is not enough), else those missing from Redis.
    await renew();
    if (result.redisWasReset) result.rebuiltCounters = (await rebuildAllNodeCounts({ pool, redis, prefix })).processes;
    else await rebuildMissingCounters();
    if (result.redisWasReset && Number(await redis.eval(SET_EPOCH_IF_OWNER, 2, lockKey(prefix), epochKey(prefix), token, new Date().toISOString())) !== 1) {
      throw new ReconcileLockLost();
    }
    return result;
  } finally {
    await redis.eval(RELEASE_IF_OWNER, 1, lockKey(prefix), token).catch(() => {});
  }
}
