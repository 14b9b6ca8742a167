import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Pool, PoolClient } from "../db/pool.ts";

const gzipAsync = promisify(gzip);

export interface PurgeResult {
  purged: number;
  ingestEvents: number;
  /** Archive files written (gzip JSON lines), when archiving. */
  files: string[];
}

/**
 * Deletes a process's tasks that finished before `before`, with their
 * history, in batches of `batchSize`, each batch one transaction that also
 * adds the deleted tasks to their nodes' purged totals (`node_purged_total`):
 * Redis counters are not touched (a final node's running total stays) and
 * `rebuildAllNodeCounts` adds the purged totals back, so counters agree before
 * and after. With `archiveDir` each batch is first written to a gzip JSON
 * lines file (one task with its history per line); if that write fails the
 * batch is rolled back and nothing is lost. The ingestion eventIDs the
 * process received before `before` go too: a redelivery of such an old event
 * is accepted again.
 *
 * Finished tasks are never stepped again, so deleting them races with no
 * worker; rows locked by someone else are skipped and taken next time.
 */
export async function purgeFinishedTasks({ pool, processId, before, archiveDir, batchSize = 2000, now = new Date() }: {
  pool: Pool;
  processId: number;
  before: Date;
  archiveDir?: string;
  batchSize?: number;
  now?: Date;
}): Promise<PurgeResult> {
  const result: PurgeResult = { purged: 0, ingestEvents: 0, files: [] };
  for (let batch = 0; ; batch++) {
    const n = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string; node_id: string; seq: number }>(
        `SELECT id, node_id, seq FROM task WHERE process_id = $1 AND status = 'finished' AND finished_at < $2::timestamptz
         ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [processId, before, batchSize],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      if (archiveDir) result.files.push(await archiveBatch({ client, processId, ids, archiveDir, stamp: `${now.toISOString().replace(/[:.]/g, "-")}-${batch}` }));
      await client.query("DELETE FROM task_history WHERE task_id = ANY($1::uuid[])", [ids]);
      await client.query("DELETE FROM task WHERE id = ANY($1::uuid[])", [ids]);
      const perNode = new Map<string, number>();
      // A task counts in its node once stepped (seq > 0), exactly as the executor and rebuildAllNodeCounts count it.
      for (const r of rows) if (r.seq > 0) perNode.set(r.node_id, (perNode.get(r.node_id) ?? 0) + 1);
      if (perNode.size > 0) {
        await client.query(
          `INSERT INTO node_purged_total (process_id, node_id, total)
           SELECT $1, u.node_id, u.n FROM jsonb_to_recordset($2::jsonb) AS u(node_id text, n bigint)
           ON CONFLICT (process_id, node_id) DO UPDATE SET total = node_purged_total.total + excluded.total`,
          [processId, JSON.stringify([...perNode].map(([node_id, n]) => ({ node_id, n })))],
        );
      }
      return rows.length;
    });
    result.purged += n;
    if (n < batchSize) break;
  }
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM ingest_event WHERE ctid = ANY(ARRAY(SELECT ctid FROM ingest_event WHERE process_id = $1 AND received_at < $2::timestamptz LIMIT $3))`,
      [processId, before, batchSize * 5],
    );
    result.ingestEvents += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize * 5) break;
  }
  return result;
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const out = await work(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function archiveBatch({ client, processId, ids, archiveDir, stamp }: { client: PoolClient; processId: number; ids: string[]; archiveDir: string; stamp: string }): Promise<string> {
  const { rows } = await client.query<{ line: string }>(
    `SELECT json_build_object(
       'task', to_jsonb(t) - 'state',
       'history', coalesce((SELECT json_agg(json_build_object('event', h.event, 'nodeId', h.node_id, 'at', h.at, 'data', h.data) ORDER BY h.id) FROM task_history h WHERE h.task_id = t.id), '[]'::json)
     )::text AS line
     FROM task t WHERE t.id = ANY($1::uuid[]) ORDER BY t.finished_at`,
    [ids],
  );
  const dir = path.join(archiveDir, `process-${processId}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${stamp}.jsonl.gz`);
  // 'wx': never overwrite an earlier archive.
  await writeFile(file, await gzipAsync(rows.map((r) => r.line).join("\n") + "\n"), { flag: "wx" });
  return file;
}

/**
 * Outbox rows nobody will read again: dispatched before `before`, and
 * belonging to no live task (counter moves, and commands of finished or
 * deleted tasks; a Call a Process reply is kept while its caller waits for
 * it). Rows of live tasks stay: after a Redis reset the reconciler restores
 * their timers and calls from them.
 */
export async function purgeDispatchedOutbox({ pool, before, batchSize = 10_000 }: { pool: Pool; before: Date; batchSize?: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM outbox WHERE id = ANY(ARRAY(
         SELECT o.id FROM outbox o
         LEFT JOIN task t ON t.id = o.task_id
         LEFT JOIN task caller ON o.kind = 'rpcReply' AND caller.id = (o.payload->'to'->>'taskId')::uuid
         WHERE o.dispatched_at < $1::timestamptz
           AND (o.task_id IS NULL OR t.id IS NULL OR t.status = 'finished')
           AND (o.kind <> 'rpcReply' OR caller.id IS NULL OR caller.status = 'finished')
         ORDER BY o.dispatched_at LIMIT $2))`,
      [before, batchSize],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}
