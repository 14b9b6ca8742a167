import type { Db, Prisma } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { ExportParseError, parseCorezoidExport, type ExportedProcess } from "../../engine/index.ts";
import { newDirectUrlHash } from "./direct-url.ts";
import { publishProcess } from "./process-service.ts";

export interface ImportResult {
  folders: Array<{ originalId: string; id: number; name: string }>;
  processes: Array<{ originalId: string | null; id: number; title: string; published: boolean }>;
  skipped: number;
}

/**
 * Imports a Corezoid export (a folder or a process, as Corezoid writes it):
 * folders and processes are created, and every reference to a process of the
 * export — `conv_id` of Copy/Modify Task, Call a Process and Get from Queue,
 * and `{{conv[id]...}}` in any template — is rewritten to the new process id,
 * as Corezoid itself re-maps ids on import. Node ids and everything else are
 * kept as they are, so the imported processes run unchanged. Each process is
 * published unless `publish` is false. All or nothing: one transaction.
 */
export async function importCorezoidExport({ db, json, parentFolderId = null, publish = true, actorId = null }: {
  db: Db;
  json: unknown;
  parentFolderId?: number | null;
  publish?: boolean;
  actorId?: string | null;
}): Promise<ImportResult> {
  let parsed;
  try {
    parsed = parseCorezoidExport(json);
  } catch (err) {
    if (err instanceof ExportParseError || err instanceof SyntaxError) throw new AppError("bad_request", err.message);
    throw err;
  }
  if (parsed.processes.length === 0 && parsed.folders.length === 0) throw new AppError("bad_request", "the export holds no folder and no process");

  const result = await db.$transaction(async (tx) => {
    const folderIds = new Map<string, number>();
    const folders: ImportResult["folders"] = [];
    // Parents first: a folder whose parent is in the export goes under it.
    const pending = [...parsed.folders];
    while (pending.length > 0) {
      const i = pending.findIndex((f) => f.parent_id === null || f.parent_id === undefined || !parsed.folders.some((p) => String(p.obj_id) === String(f.parent_id)) || folderIds.has(String(f.parent_id)));
      const f = pending.splice(i === -1 ? 0 : i, 1)[0];
      const parentId = f.parent_id !== null && f.parent_id !== undefined && folderIds.has(String(f.parent_id)) ? folderIds.get(String(f.parent_id))! : parentFolderId;
      const created = await tx.folder.create({ data: { name: f.title, parentId }, select: { id: true } });
      folderIds.set(String(f.obj_id), created.id);
      folders.push({ originalId: String(f.obj_id), id: created.id, name: f.title });
    }
    const procIds = new Map<string, number>();
    const created: Array<{ p: ExportedProcess; id: number }> = [];
    for (const p of parsed.processes) {
      const folderId = p.parent_id !== null && p.parent_id !== undefined && folderIds.has(String(p.parent_id)) ? folderIds.get(String(p.parent_id))! : parentFolderId;
      const row = await tx.process.create({
        data: {
          title: p.title, description: p.description ?? "", folderId, convType: p.conv_type ?? "process",
          status: p.status === "paused" ? "paused" : "active", params: (p.params ?? []) as Prisma.InputJsonValue,
          draft: { nodes: [] }, directUrlHash: newDirectUrlHash(),
        },
        select: { id: true },
      });
      if (p.obj_id !== null && p.obj_id !== undefined) procIds.set(String(p.obj_id), row.id);
      created.push({ p, id: row.id });
    }
    for (const { p, id } of created) {
      await tx.process.update({ where: { id }, data: { draft: remapScheme(p.scheme, procIds) as Prisma.InputJsonValue } });
    }
    return { folders, created, procIds };
  });

  const processes: ImportResult["processes"] = [];
  for (const { p, id } of result.created) {
    if (publish) await publishProcess({ db, processId: id, actorId });
    processes.push({ originalId: p.obj_id === null || p.obj_id === undefined ? null : String(p.obj_id), id, title: p.title, published: publish });
  }
  return { folders: result.folders, processes, skipped: parsed.skipped.length };
}

const CONV_REF = /conv\[(\d+)\]/g;

/** Rewrites process references of the export to the new ids; leaves references to other processes alone. */
export function remapScheme(scheme: unknown, ids: ReadonlyMap<string, number>): unknown {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") {
      if (key === "conv_id" && ids.has(value)) return ids.get(value);
      return value.replace(CONV_REF, (m, id: string) => (ids.has(id) ? `conv[${ids.get(id)}]` : m));
    }
    if (typeof value === "number" && key === "conv_id") return ids.get(String(value)) ?? value;
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return walk(scheme);
}
