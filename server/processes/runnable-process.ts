import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";

export interface RunnableProcess {
  processId: number;
  versionId: number;
  startNodeId: string;
}

/** The published version a new task of the process enters with; 404/409 when there is none or the process is paused. */
export async function loadRunnableProcess({ db, processId }: { db: Db; processId: number }): Promise<RunnableProcess> {
  const proc = await db.process.findUnique({
    where: { id: processId },
    select: { id: true, status: true, publishedVersion: { select: { id: true, scheme: true } } },
  });
  if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
  if (proc.status !== "active") throw new AppError("conflict", `process ${processId} is not active (conveyor_is_not_active)`);
  if (!proc.publishedVersion) throw new AppError("conflict", `process ${processId} has no published version`);
  const nodes = (proc.publishedVersion.scheme as { nodes?: Array<{ id: string; obj_type: number }> }).nodes ?? [];
  const start = nodes.find((n) => n.obj_type === 1);
  if (!start) throw new AppError("conflict", `process ${processId} has no Start node`);
  return { processId: proc.id, versionId: proc.publishedVersion.id, startNodeId: start.id };
}
