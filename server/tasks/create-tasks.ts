import { randomUUID } from "node:crypto";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import { loadRunnableProcess } from "../processes/runnable-process.ts";

export interface NewTask {
  ref?: string | null;
  data: Record<string, unknown>;
}

export interface CreateTasksResult {
  /** Created tasks, in input order (duplicates omitted). */
  created: Array<{ id: string; ref: string | null; index: number }>;
  /** Inputs whose ref belongs to a live task of the process already. */
  duplicates: Array<{ ref: string; index: number }>;
  /** Step jobs to enqueue after commit. */
  jobs: Array<{ taskId: string; seq: number; event: { type: "enter" } }>;
}

const MAX_REF = 255;

/**
 * Inserts tasks at the Start node of the process's published version with one
 * multi-row INSERT. A ref already held by a live task of the process (or
 * repeated inside the batch) makes that input a duplicate, not an error: this
 * is how a redelivered batch creates nothing twice. All inserts of one call
 * commit together or not at all. The caller enqueues `jobs` after the commit;
 * the reconciler re-enqueues them if that enqueue is lost.
 */
export async function createTasks({ pool, processId, tasks, taskSizeLimit, dedupeForever = false }: {
  /** The plain pg pool: a 1,000-record batch is one 1.3 MB parameter, which Prisma's raw queries cost twice as much CPU to pass. */
  pool: Pick<Pool, "query">;
  processId: number;
  tasks: NewTask[];
  taskSizeLimit: number;
  /**
   * Ingestion: a ref (eventID) the process has ever received is a duplicate,
   * even once its task finished (kept in ingest_event, in the same statement).
   */
  dedupeForever?: boolean;
}): Promise<CreateTasksResult> {
  const proc = await loadRunnableProcess({ pool, processId });
  const rows: Array<{ id: string; ref: string | null; data: string; index: number }> = [];
  const duplicates: CreateTasksResult["duplicates"] = [];
  const seen = new Set<string>();
  tasks.forEach((t, index) => {
    const ref = t.ref === undefined || t.ref === null || t.ref === "" ? null : String(t.ref);
    if (ref !== null && ref.length > MAX_REF) throw new AppError("bad_request", `task ${index}: ref is longer than ${MAX_REF} characters`);
    if (t.data === null || typeof t.data !== "object" || Array.isArray(t.data)) throw new AppError("bad_request", `task ${index}: data must be a JSON object`);
    const data = JSON.stringify(t.data);
    if (Buffer.byteLength(data) > taskSizeLimit) throw new AppError("payload_too_large", `task ${index}: data is larger than the task size limit of ${taskSizeLimit} bytes`);
    if (ref !== null) {
      if (seen.has(ref)) return void duplicates.push({ ref, index });
      seen.add(ref);
    }
    rows.push({ id: randomUUID(), ref, data, index });
  });
  if (rows.length === 0) return { created: [], duplicates, jobs: [] };

  // One JSON document for all rows (jsonb_to_recordset): the data strings are spliced in as they are.
  const records = `[${rows.map((r) => `{"id":"${r.id}","ref":${JSON.stringify(r.ref)},"data":${r.data}}`).join(",")}]`;
  // The process row FOR KEY SHARE, in place of a foreign key (server/tasks/process-lock.ts): nothing
  // is inserted, not even ingest_event rows, when it was deleted since loadRunnableProcess.
  // With dedupeForever both the ingest_event and the task insert read the batch: MATERIALIZED parses it once.
  const seenCte = dedupeForever
    ? `seen AS (
         INSERT INTO ingest_event (process_id, event_id, received_at)
         SELECT $1, u.ref, now() FROM rows u WHERE u.ref IS NOT NULL AND EXISTS (SELECT 1 FROM parent)
         ON CONFLICT DO NOTHING RETURNING event_id),`
    : "";
  const { rows: inserted } = await pool.query<{ id: string | null }>(
    `WITH parent AS (SELECT id FROM process WHERE id = $1 FOR KEY SHARE),
     rows AS ${dedupeForever ? "MATERIALIZED " : ""}(SELECT * FROM jsonb_to_recordset($4::jsonb) AS u(id uuid, ref text, data jsonb)),
     ${seenCte}
     ins AS (
       INSERT INTO task (id, process_id, version_id, ref, node_id, status, data, state, seq, created_at, changed_at)
       SELECT u.id, $1, $2, u.ref, $3, 'active', u.data, '{}'::jsonb, 0, now(), now()
       FROM rows u WHERE EXISTS (SELECT 1 FROM parent) ${dedupeForever ? "AND (u.ref IS NULL OR u.ref IN (SELECT event_id FROM seen))" : ""}
       ON CONFLICT (process_id, ref) WHERE ref IS NOT NULL AND status <> 'finished' DO NOTHING
       RETURNING id
     )
     SELECT id FROM ins UNION ALL SELECT NULL WHERE NOT EXISTS (SELECT 1 FROM parent)`,
    [processId, proc.versionId, proc.startNodeId, records],
  );
  if (inserted.some((r) => r.id === null)) throw new AppError("not_found", `process ${processId} does not exist`);
  const ok = new Set(inserted.map((r) => r.id));
  const created: CreateTasksResult["created"] = [];
  for (const r of rows) {
    if (ok.has(r.id)) created.push({ id: r.id, ref: r.ref, index: r.index });
    else duplicates.push({ ref: r.ref as string, index: r.index });
  }
  duplicates.sort((a, b) => a.index - b.index);
  return { created, duplicates, jobs: created.map((c) => ({ taskId: c.id, seq: 0, event: { type: "enter" as const } })) };
}
