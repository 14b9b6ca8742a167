import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import { countersKey, rebuildNodeCounts } from "./node-counters.ts";

/**
 * Restores work that Redis lost (a flush, a restart without persistence, an
 * enqueue that failed after commit): every active task that has not moved for
 * `staleAfterMs` gets its step job again. The job id is deterministic
 * (task + seq), so a job that still exists is not duplicated, and a job that
 * runs late finds a different seq and does nothing. Node counters missing from
 * Redis are rebuilt from PostgreSQL.
 */
export async function reconcile({ db, redis, prefix, enqueueSteps, staleAfterMs = 10_000, limit = 10_000 }: {
  db: Db;
  redis: Redis;
  prefix: string;
  enqueueSteps: (jobs: Array<{ taskId: string; seq: number; event: { type: string } & Record<string, unknown> }>) => Promise<void>;
  staleAfterMs?: number;
  limit?: number;
}): Promise<{ requeued: number; rebuiltCounters: number }> {
  // An active task's next event is stored with it (state.pendingEvent), so it survives Redis.
  const stale = await db.$queryRaw<Array<{ id: string; seq: number; pending: ({ type: string } & Record<string, unknown>) | null }>>`
    SELECT id, seq, state->'pendingEvent' AS pending FROM task
    WHERE status = 'active' AND changed_at < now() - make_interval(secs => ${staleAfterMs / 1000})
    ORDER BY changed_at LIMIT ${limit}`;
  await enqueueSteps(stale.map((t) => ({ taskId: t.id, seq: t.seq, event: t.pending ?? { type: "enter" } })));

  const processes = await db.$queryRaw<Array<{ process_id: number }>>`SELECT DISTINCT process_id FROM task`;
  let rebuiltCounters = 0;
  if (processes.length > 0) {
    const p = redis.pipeline();
    for (const { process_id } of processes) p.exists(countersKey(prefix, process_id));
    const exists = (await p.exec()) ?? [];
    for (const [i, { process_id }] of processes.entries()) {
      if (Number(exists[i]?.[1]) === 0) {
        await rebuildNodeCounts({ db, redis, prefix, processId: process_id });
        rebuiltCounters++;
      }
    }
  }
  return { requeued: stale.length, rebuiltCounters };
}
