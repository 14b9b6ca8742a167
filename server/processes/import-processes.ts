import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { conveyorExportSchema, type ConveyorExport } from "./export-processes.ts";
import { importCorezoidExport } from "./import-corezoid.ts";
import { publishProcess } from "./process-service.ts";

export interface ImportedProcess {
  id: number;
  title: string;
  published: boolean;
  /** Why it stayed a draft: the first validation problems. */
  problems?: string[];
}

export interface ImportSummary {
  format: "conveyor" | "corezoid";
  folders: Array<{ id: number; name: string }>;
  processes: ImportedProcess[];
  skipped: number;
}

/** Conveyor's own files say so; anything else is read as a Corezoid export. */
export function detectFormat(json: unknown): "conveyor" | "corezoid" {
  return json && typeof json === "object" && !Array.isArray(json) && (json as { format?: unknown }).format === "conveyor" ? "conveyor" : "corezoid";
}

/** Conveyor's export as the Corezoid objects the importer reads (same ids, same re-mapping). */
export function conveyorToCorezoidObjects(file: ConveyorExport): unknown[] {
  return [
    ...file.folders.map((f) => ({ obj_type: 0, obj_id: f.id, parent_id: f.parentId, title: f.name, description: "" })),
    ...file.processes.map((p) => ({
      obj_type: 1, obj_id: p.id, parent_id: p.folderId, title: p.title, description: p.description,
      status: p.status, params: p.params, conv_type: p.convType, scheme: p.scheme,
    })),
  ];
}

/**
 * Imports a Corezoid export or a Conveyor export into `folderId` (or the top
 * level): one transaction creates the folders and processes (ids re-mapped),
 * then each process is published if it validates; one that does not stays a
 * draft and the answer says why, instead of failing the whole import.
 */
export async function importProcesses({ db, json, folderId = null, actorId = null }: { db: Db; json: unknown; folderId?: number | null; actorId?: string | null }): Promise<ImportSummary> {
  const format = detectFormat(json);
  let objects = json;
  if (format === "conveyor") {
    const parsed = conveyorExportSchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError("bad_request", `invalid Conveyor export: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    objects = conveyorToCorezoidObjects(parsed.data);
  }
  if (folderId !== null && !(await db.folder.findUnique({ where: { id: folderId }, select: { id: true } }))) {
    throw new AppError("not_found", `folder ${folderId} does not exist`);
  }
  const res = await importCorezoidExport({ db, json: objects, parentFolderId: folderId, publish: false, actorId });
  const processes: ImportedProcess[] = [];
  for (const p of res.processes) {
    try {
      await publishProcess({ db, processId: p.id, actorId });
      processes.push({ id: p.id, title: p.title, published: true });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "unprocessable") throw err;
      const issues = (err.details as { issues?: Array<{ message: string }> } | undefined)?.issues ?? [];
      processes.push({ id: p.id, title: p.title, published: false, problems: issues.slice(0, 5).map((i) => i.message) });
    }
  }
  return { format, folders: res.folders.map((f) => ({ id: f.id, name: f.name })), processes, skipped: res.skipped };
}
