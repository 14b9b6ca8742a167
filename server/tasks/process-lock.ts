import type { PoolClient } from "../db/pool.ts";
import { AppError } from "../errors.ts";

/**
 * Tasks have no foreign keys to their process and version: a key check per task row locked
 * the same process row once per task, which cost about a tenth of the engine's PostgreSQL time
 * (docs/performance.md). What the keys guaranteed is kept with one lock per process per
 * statement instead:
 *
 * - whatever inserts tasks first takes the processes' rows FOR KEY SHARE (this function, or the
 *   same lock inside createTasks's statement), in its own transaction, and inserts nothing
 *   when a process is gone;
 * - deleteProcess takes the process row FOR UPDATE before it deletes the tasks, so it waits for
 *   inserts in flight and sees their tasks, and inserts after it find the process gone.
 *
 * A version is only ever deleted with its process.
 */
/** Locks the processes new tasks go into until the transaction ends; throws when one no longer exists. */
export async function lockProcessesForInsert(client: Pick<PoolClient, "query">, processIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(processIds)];
  if (ids.length === 0) return;
  const { rows } = await client.query<{ id: number }>("SELECT id FROM process WHERE id = ANY($1::int[]) FOR KEY SHARE", [ids]);
  if (rows.length === ids.length) return;
  const live = new Set(rows.map((r) => r.id));
  throw new AppError("not_found", `process ${ids.filter((id) => !live.has(id)).join(", ")} no longer exists`);
}
