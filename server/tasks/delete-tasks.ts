import { randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { Executor } from "../execution/executor.ts";
import type { CounterDelta } from "./node-counters.ts";

/**
 * Deletes tasks from one node of a process (the given ids, or all of them),
 * with their history. A task a worker holds is waited for; one that moved
 * on meanwhile is no longer in the node and stays. Live tasks leave their
 * node's counter: the counter move is an outbox row written in the same
 * transaction and applied once after the commit (the reconciler applies it
 * if this process dies in between), like the executor's own moves, so a
 * count semaphor sees the drop. A final node's counter is a running total
 * and keeps counting tasks deleted from its archive.
 */
export async function deleteTasks({ db, executor, processId, nodeId, taskIds }: {
  db: Db;
  executor: Pick<Executor, "applyCounters">;
  processId: number;
  nodeId: string;
  /** Omitted: every task in the node. */
  taskIds?: string[];
}): Promise<{ deleted: string[] }> {
  const { deleted, counters } = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<Array<{ id: string; live: boolean; counted: boolean }>>(
      `DELETE FROM task WHERE process_id = $1 AND node_id = $2 ${taskIds ? "AND id = ANY($3::uuid[])" : ""}
       RETURNING id, status <> 'finished' AS live, coalesce(state->'visits', '{}'::jsonb) <> '{}'::jsonb AS counted`,
      ...(taskIds ? [processId, nodeId, taskIds] : [processId, nodeId]),
    );
    // History has no foreign key to cascade (docs/performance.md); this statement sees rows of a step that committed while the delete waited for it.
    if (rows.length > 0) await tx.$executeRawUnsafe("DELETE FROM task_history WHERE task_id = ANY($1::uuid[])", rows.map((r) => r.id));
    const leaving = rows.filter((r) => r.live && r.counted).length;
    if (leaving === 0) return { deleted: rows.map((r) => r.id), counters: null };
    const deltas: CounterDelta[] = [{ processId, nodeId, delta: -leaving }];
    const row = await tx.outbox.create({ data: { jobKey: `counters:${randomUUID()}`, kind: "counters", payload: { deltas } as never }, select: { id: true } });
    return { deleted: rows.map((r) => r.id), counters: { id: Number(row.id), deltas } };
  });
  if (counters) {
    await executor.applyCounters(counters.id, counters.deltas);
    await db.outbox.update({ where: { id: BigInt(counters.id) }, data: { dispatchedAt: new Date() } });
  }
  return { deleted };
}
