import type { Db, Prisma } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { validateProcess, type KnownProcess, type ValidationIssue } from "../../engine/index.ts";
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

/** Processes a scheme refers to (copy, call, get from queue), as validation wants them. */
export async function knownProcessesFor({ db, scheme }: { db: Db; scheme: unknown }): Promise<Record<string, KnownProcess>> {
  const ids = new Set<number>();
  const walk = (v: unknown, key?: string) => {
    if (key === "conv_id" && (typeof v === "number" || (typeof v === "string" && /^\d{1,9}$/.test(v)))) ids.add(Number(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(scheme);
  if (ids.size === 0) return {};
  const rows = await db.process.findMany({ where: { id: { in: [...ids] } }, select: { id: true, convType: true, draft: true, publishedVersion: { select: { scheme: true } } } });
  return Object.fromEntries(rows.map((r) => [String(r.id), { kind: r.convType === "state" ? "state" : "process", scheme: (r.publishedVersion?.scheme ?? r.draft) as never }]));
}

/** Validation problems of a process's draft (errors block publishing). */
export async function validateDraft({ db, processId }: { db: Db; processId: number }): Promise<ValidationIssue[]> {
  const proc = await db.process.findUnique({ where: { id: processId }, select: { draft: true, convType: true } });
  if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
  return validateProcess(proc.draft, { knownProcesses: await knownProcessesFor({ db, scheme: proc.draft }), processKind: proc.convType === "state" ? "state" : "process" });
}

/**
 * Publishes the draft as the next immutable version and makes it the one new
 * tasks enter with, after validation finds no error (422 with the issues
 * otherwise). Tasks already running stay on their version.
 */
export async function publishProcess({ db, processId, actorId = null }: { db: Db; processId: number; actorId?: string | null }): Promise<{ versionId: number; version: number }> {
  const issues = (await validateDraft({ db, processId })).filter((i) => i.severity === "error");
  if (issues.length > 0) {
    throw new AppError("unprocessable", `the process has ${issues.length} problem(s) to fix before publishing: ${issues.slice(0, 3).map((i) => i.message).join("; ")}`, { issues });
  }
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
