import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { purgeDispatchedOutbox, purgeFinishedTasks } from "../tasks/purge-finished-tasks.ts";
import { pruneCounterSnapshots } from "./counter-history.ts";

/**
 * Retention: each process may have a policy an admin sets — keep finished
 * tasks for so long, optionally archiving them to files first. The worker's
 * maintenance job applies every policy on a schedule (RETENTION_INTERVAL_SEC),
 * and with it prunes the counter history (COUNTER_HISTORY_DAYS), old
 * task-counter signals and dispatched outbox rows nobody reads again.
 */

export const MIN_KEEP_SEC = 60;
export const MAX_KEEP_SEC = 3650 * 86_400;

export const retentionInputSchema = z.object({
  keepFinishedSec: z.number().int().min(MIN_KEEP_SEC, `must be at least ${MIN_KEEP_SEC} seconds`).max(MAX_KEEP_SEC, "must be at most 10 years"),
  archive: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type RetentionInput = z.infer<typeof retentionInputSchema>;

export interface RetentionRow {
  processId: number;
  title: string;
  folder: string | null;
  /** null: no policy (finished tasks are kept unless the installation default applies). */
  policy: { keepFinishedSec: number; archive: boolean; enabled: boolean; updatedAt: string; lastRunAt: string | null; lastPurged: number; purgedTotal: number } | null;
  finishedTasks: number;
  liveTasks: number;
}

/** Every process with its policy and how many tasks it holds (for the admin page). */
export async function listRetention({ db, pool }: { db: Db; pool: Pool }): Promise<RetentionRow[]> {
  const [processes, { rows: counts }] = await Promise.all([
    db.process.findMany({
      orderBy: { id: "asc" },
      select: { id: true, title: true, folder: { select: { name: true } }, retentionPolicy: true },
    }),
    pool.query<{ process_id: number; finished: number; live: number }>(
      `SELECT process_id, count(*) FILTER (WHERE status = 'finished')::int AS finished, count(*) FILTER (WHERE status <> 'finished')::int AS live FROM task GROUP BY process_id`,
    ),
  ]);
  const byProcess = new Map(counts.map((c) => [c.process_id, c]));
  return processes.map((p) => {
    const r = p.retentionPolicy;
    return {
      processId: p.id,
      title: p.title,
      folder: p.folder?.name ?? null,
      policy: r
        ? { keepFinishedSec: r.keepFinishedSec, archive: r.archive, enabled: r.enabled, updatedAt: r.updatedAt.toISOString(), lastRunAt: r.lastRunAt?.toISOString() ?? null, lastPurged: r.lastPurged, purgedTotal: Number(r.purgedTotal) }
        : null,
      finishedTasks: byProcess.get(p.id)?.finished ?? 0,
      liveTasks: byProcess.get(p.id)?.live ?? 0,
    };
  });
}

export async function setRetentionPolicy({ db, processId, input, actorId }: { db: Db; processId: number; input: RetentionInput; actorId: string | null }): Promise<{ before: RetentionInput | null }> {
  const proc = await db.process.findUnique({ where: { id: processId }, select: { retentionPolicy: true } });
  if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
  const prev = proc.retentionPolicy;
  const data = { keepFinishedSec: input.keepFinishedSec, archive: input.archive, enabled: input.enabled, updatedById: actorId, updatedAt: new Date() };
  await db.retentionPolicy.upsert({ where: { processId }, create: { processId, ...data }, update: data });
  return { before: prev ? { keepFinishedSec: prev.keepFinishedSec, archive: prev.archive, enabled: prev.enabled } : null };
}

export async function removeRetentionPolicy({ db, processId }: { db: Db; processId: number }): Promise<{ removed: boolean }> {
  const { count } = await db.retentionPolicy.deleteMany({ where: { processId } });
  return { removed: count > 0 };
}

export interface RetentionSettings {
  /** Applies to processes without a policy; 0: keep their finished tasks. */
  defaultKeepSec: number;
  /** Counter snapshots older than this are pruned. */
  counterHistoryDays: number;
  /** Where archiving policies write their files. */
  archiveDir: string;
  /** Dispatched outbox rows of finished tasks older than this go. */
  outboxKeepSec?: number;
}

export interface RetentionRunResult {
  processes: Array<{ processId: number; purged: number; ingestEvents: number; files: number }>;
  purged: number;
  snapshotsPruned: number;
  signalsPruned: number;
  outboxPurged: number;
}

/** Applies every retention policy once (the maintenance job calls this on its schedule). */
export async function runRetention({ pool, settings, now = new Date(), log }: { pool: Pool; settings: RetentionSettings; now?: Date; log?: Logger }): Promise<RetentionRunResult> {
  const { rows: policies } = await pool.query<{ id: number; keep_finished_sec: number | null; archive: boolean | null }>(
    `SELECT p.id, coalesce(r.keep_finished_sec, NULLIF($1::int, 0)) AS keep_finished_sec, r.archive
     FROM process p LEFT JOIN retention_policy r ON r.process_id = p.id
     WHERE (r.process_id IS NOT NULL AND r.enabled) OR (r.process_id IS NULL AND $1::int > 0)
     ORDER BY p.id`,
    [settings.defaultKeepSec],
  );
  const result: RetentionRunResult = { processes: [], purged: 0, snapshotsPruned: 0, signalsPruned: 0, outboxPurged: 0 };
  for (const p of policies) {
    if (!p.keep_finished_sec) continue;
    const before = new Date(now.getTime() - p.keep_finished_sec * 1000);
    try {
      const r = await purgeFinishedTasks({ pool, processId: p.id, before, archiveDir: p.archive ? settings.archiveDir : undefined, now });
      await pool.query(
        `UPDATE retention_policy SET last_run_at = $2::timestamptz, last_purged = $3::int, purged_total = purged_total + $3::int WHERE process_id = $1`,
        [p.id, now, r.purged],
      );
      result.processes.push({ processId: p.id, purged: r.purged, ingestEvents: r.ingestEvents, files: r.files.length });
      result.purged += r.purged;
      if (r.purged > 0 || r.ingestEvents > 0) log?.info({ processId: p.id, purged: r.purged, ingestEvents: r.ingestEvents, archiveFiles: r.files }, "retention purged finished tasks");
    } catch (err) {
      // One process failing (an unwritable archive directory) must not stop the others.
      log?.error({ processId: p.id, err: (err as Error).message }, "retention failed for a process; its tasks are kept");
    }
  }
  const historyBefore = new Date(now.getTime() - settings.counterHistoryDays * 86_400_000);
  result.snapshotsPruned = await pruneCounterSnapshots({ pool, before: historyBefore });
  // A node's latest signal says whether its escalation is active: older ones only matter as history.
  const { rowCount } = await pool.query(
    `DELETE FROM count_signal s WHERE s.at < $1::timestamptz
       AND EXISTS (SELECT 1 FROM count_signal n WHERE n.process_id = s.process_id AND n.node_id = s.node_id AND n.id > s.id)`,
    [historyBefore],
  );
  result.signalsPruned = rowCount ?? 0;
  result.outboxPurged = await purgeDispatchedOutbox({ pool, before: new Date(now.getTime() - (settings.outboxKeepSec ?? 86_400) * 1000) });
  return result;
}
