import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";

export interface RunnableProcess {
  processId: number;
  versionId: number;
  startNodeId: string;
}

/**
 * The published version a new task of the process enters with; 404/409 when there is none or the
 * process is paused. Reads the Start node's id in SQL, not the whole scheme.
 */
export async function loadRunnableProcess({ pool, processId }: { pool: Pick<Pool, "query">; processId: number }): Promise<RunnableProcess> {
  const { rows: [proc] } = await pool.query<{ status: string; version_id: number | null; start_node_id: string | null }>(
    `SELECT p.status, v.id AS version_id,
            (SELECT n->>'id' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v.scheme->'nodes') = 'array' THEN v.scheme->'nodes' ELSE '[]'::jsonb END) n
              WHERE n->>'obj_type' = '1' LIMIT 1) AS start_node_id
       FROM process p LEFT JOIN process_version v ON v.id = p.published_version_id
      WHERE p.id = $1`,
    [processId],
  );
  if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
  if (proc.status !== "active") throw new AppError("conflict", `process ${processId} is not active (conveyor_is_not_active)`);
  if (proc.version_id === null) throw new AppError("conflict", `process ${processId} has no published version`);
  if (!proc.start_node_id) throw new AppError("conflict", `process ${processId} has no Start node`);
  return { processId, versionId: proc.version_id, startNodeId: proc.start_node_id };
}
