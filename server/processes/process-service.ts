import { randomBytes } from "node:crypto";
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

/** A new process's scheme: a Start node whose exit the operator connects. */
export function starterScheme(): SchemeJson {
  return {
    nodes: [{
      id: randomBytes(12).toString("hex"), obj_type: 1, title: "Start", description: "", x: 400, y: 60,
      extra: JSON.stringify({ modeForm: "collapse", icon: "" }), condition: { logics: [{ type: "go", to_node_id: "" }], semaphors: [] },
    }],
    web_settings: [[], []],
  };
}

/**
 * Replaces the draft if nobody saved since `baseRevision` (optimistic
 * concurrency: two editors on one process cannot silently overwrite each
 * other). A conflict answers 409 with the current revision so the editor can
 * offer to reload or overwrite.
 */
export async function saveDraft({ db, processId, scheme, params, baseRevision }: {
  db: Db;
  processId: number;
  scheme: SchemeJson;
  params?: unknown[];
  baseRevision: number;
}): Promise<{ revision: number }> {
  const res = await db.process.updateMany({
    where: { id: processId, draftRevision: baseRevision },
    data: { draft: scheme as Prisma.InputJsonValue, ...(params ? { params: params as Prisma.InputJsonValue } : {}), draftRevision: { increment: 1 } },
  });
  if (res.count === 0) {
    const current = await db.process.findUnique({ where: { id: processId }, select: { draftRevision: true } });
    if (!current) throw new AppError("not_found", `process ${processId} does not exist`);
    throw new AppError("conflict", `the draft changed since you loaded it (revision ${baseRevision}, now ${current.draftRevision}): reload it, or overwrite it with yours`, { revision: current.draftRevision });
  }
  return { revision: baseRevision + 1 };
}

export interface ProcessChanges {
  title?: string;
  description?: string;
  folderId?: number | null;
  status?: "active" | "paused";
}

/** Renames, describes, moves (to a folder, or out of folders with null) or pauses a process. */
export async function updateProcess({ db, processId, changes }: { db: Db; processId: number; changes: ProcessChanges }): Promise<{ before: Required<ProcessChanges> }> {
  const before = await db.process.findUnique({ where: { id: processId }, select: { title: true, description: true, folderId: true, status: true } });
  if (!before) throw new AppError("not_found", `process ${processId} does not exist`);
  if (changes.folderId !== undefined && changes.folderId !== null) await assertFolder(db, changes.folderId);
  await db.process.update({ where: { id: processId }, data: changes });
  return { before: { ...before, status: before.status === "paused" ? "paused" : "active" } };
}

/** Deletes a process with its versions, tasks and their history. Returns what it removed, for the audit log. */
export async function deleteProcess({ db, processId }: { db: Db; processId: number }): Promise<{ title: string; tasks: number }> {
  return db.$transaction(async (tx) => {
    const [proc] = await tx.$queryRawUnsafe<Array<{ title: string }>>("SELECT title FROM process WHERE id = $1", processId);
    if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
    // Tasks and their history have no foreign keys to cascade (docs/performance.md). The tasks go
    // first: that waits for steps holding some of them. Only then the process row FOR UPDATE,
    // which waits for steps that insert tasks into it (they hold it FOR KEY SHARE while they also
    // hold their own tasks, so taking it first could deadlock with them) and makes later inserts
    // find the process gone; the tasks those steps committed meanwhile are deleted next.
    const gone = await tx.$queryRawUnsafe<Array<{ id: string }>>("DELETE FROM task WHERE process_id = $1 RETURNING id", processId);
    const [locked] = await tx.$queryRawUnsafe<Array<{ id: number }>>("SELECT id FROM process WHERE id = $1 FOR UPDATE", processId);
    if (!locked) throw new AppError("not_found", `process ${processId} does not exist`);
    gone.push(...(await tx.$queryRawUnsafe<Array<{ id: string }>>("DELETE FROM task WHERE process_id = $1 RETURNING id", processId)));
    // History by the ids, in statements of their own, so they also see rows of steps that committed meanwhile.
    for (let i = 0; i < gone.length; i += 10_000) {
      await tx.$executeRawUnsafe("DELETE FROM task_history WHERE task_id = ANY($1::uuid[])", gone.slice(i, i + 10_000).map((t) => t.id));
    }
    await tx.process.delete({ where: { id: processId } });
    return { title: proc.title, tasks: gone.length };
  }, { maxWait: 10_000, timeout: 120_000 }); // a big process takes a while, and steps in flight are waited for
}

/** A new unpublished process with a copy of the draft and its parameters, in the same folder. */
export async function duplicateProcess({ db, processId, title }: { db: Db; processId: number; title?: string }): Promise<{ id: number; title: string }> {
  const src = await db.process.findUnique({ where: { id: processId }, select: { title: true, description: true, folderId: true, convType: true, draft: true, params: true } });
  if (!src) throw new AppError("not_found", `process ${processId} does not exist`);
  const newTitle = title?.trim() || `${src.title} (copy)`;
  const { id } = await createProcess({
    db, title: newTitle, description: src.description, folderId: src.folderId, scheme: src.draft as unknown as SchemeJson,
    params: (src.params as unknown[]) ?? [], convType: src.convType === "state" ? "state" : "process",
  });
  return { id, title: newTitle };
}

/** Copies a published version back into the draft (the versions themselves never change). */
export async function restoreVersion({ db, processId, version }: { db: Db; processId: number; version: number }): Promise<{ revision: number }> {
  const v = await db.processVersion.findUnique({ where: { processId_version: { processId, version } }, select: { scheme: true, params: true } });
  if (!v) throw new AppError("not_found", `process ${processId} has no version ${version}`);
  const updated = await db.process.update({
    where: { id: processId },
    data: { draft: v.scheme as Prisma.InputJsonValue, params: v.params as Prisma.InputJsonValue, draftRevision: { increment: 1 } },
    select: { draftRevision: true },
  });
  return { revision: updated.draftRevision };
}

async function assertFolder(db: Db, folderId: number): Promise<void> {
  if (!(await db.folder.findUnique({ where: { id: folderId }, select: { id: true } }))) throw new AppError("not_found", `folder ${folderId} does not exist`);
}
