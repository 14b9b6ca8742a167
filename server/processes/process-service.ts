import type { Db, Prisma } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { newDirectUrlHash } from "./direct-url.ts";

export interface SchemeJson {
  nodes: Array<Record<string, unknown> & { id: string; obj_type: number }>;
  [k: string]: unknown;
}

export async function createProcess({ db, title, description = "", folderId = null, scheme, params = [], convType = "process" }: {
  db: Db;
  title: string;
  description?: string;
  folderId?: number | null;
  scheme: SchemeJson;
  params?: unknown[];
  convType?: "process" | "state";
}): Promise<{ id: number }> {
  const proc = await db.process.create({
    data: { title, description, folderId, convType, draft: scheme as Prisma.InputJsonValue, params: params as Prisma.InputJsonValue, directUrlHash: newDirectUrlHash() },
    select: { id: true },
  });
  return proc;
}

/**
 * Publishes the draft as the next immutable version and makes it the one new
 * tasks enter with. Tasks already running stay on their version.
 */
export async function publishProcess({ db, processId, actorId = null }: { db: Db; processId: number; actorId?: string | null }): Promise<{ versionId: number; version: number }> {
  return db.$transaction(async (tx) => {
    // Lock the process row so two publishes cannot pick the same version number.
    const locked = await tx.$queryRaw<Array<{ id: number }>>`SELECT id FROM process WHERE id = ${processId} FOR UPDATE`;
    if (locked.length === 0) throw new AppError("not_found", `process ${processId} does not exist`);
    const proc = await tx.process.findUniqueOrThrow({ where: { id: processId }, select: { draft: true, params: true } });
    const last = await tx.processVersion.aggregate({ where: { processId }, _max: { version: true } });
    const version = (last._max.version ?? 0) + 1;
    const v = await tx.processVersion.create({
      data: { processId, version, scheme: proc.draft as Prisma.InputJsonValue, params: proc.params as Prisma.InputJsonValue, createdById: actorId },
      select: { id: true },
    });
    await tx.process.update({ where: { id: processId }, data: { publishedVersionId: v.id } });
    return { versionId: v.id, version };
  });
}
