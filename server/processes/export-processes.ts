import { z } from "zod";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { folderSubtree } from "./folder-service.ts";

export const EXPORT_FORMATS = ["conveyor", "corezoid"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Conveyor's own export: folders and processes with Conveyor's field names,
 * each process's draft scheme in Corezoid's node format. Ids are the
 * exporting installation's; an import re-maps them (folders, and `conv_id`
 * references between the exported processes) as a Corezoid import does.
 */
export const conveyorExportSchema = z.object({
  format: z.literal("conveyor"),
  version: z.literal(1),
  exportedAt: z.string().optional(),
  folders: z.array(z.object({ id: z.number().int(), parentId: z.number().int().nullable(), name: z.string().min(1) })),
  processes: z.array(z.object({
    id: z.number().int(),
    folderId: z.number().int().nullable(),
    title: z.string().min(1),
    description: z.string().default(""),
    convType: z.enum(["process", "state"]).default("process"),
    status: z.enum(["active", "paused"]).default("active"),
    params: z.array(z.unknown()).default([]),
    scheme: z.looseObject({ nodes: z.array(z.unknown()) }),
  })),
});
export type ConveyorExport = z.infer<typeof conveyorExportSchema>;

export interface ExportFile {
  fileName: string;
  body: unknown;
}

/**
 * Exports one process, or a folder with everything below it, as Conveyor's
 * JSON or as a Corezoid export (a JSON array of folder and process objects,
 * `folder_<id>_<unixtime>.json` / `conv_<id>_<unixtime>.json`). The draft is
 * exported: it is what the editor shows, published or not.
 */
export async function exportProcesses({ db, target, format, now = new Date() }: {
  db: Db;
  target: { folderId: number } | { processId: number };
  format: ExportFormat;
  now?: Date;
}): Promise<ExportFile> {
  const folders = "folderId" in target ? await folderSubtree({ db, folderId: target.folderId }) : [];
  const processes = await db.process.findMany({
    where: "folderId" in target ? { folderId: { in: folders.map((f) => f.id) } } : { id: target.processId },
    orderBy: { id: "asc" },
    select: { id: true, folderId: true, title: true, description: true, convType: true, status: true, params: true, draft: true },
  });
  if ("processId" in target && processes.length === 0) throw new AppError("not_found", `process ${target.processId} does not exist`);
  const unixtime = Math.floor(now.getTime() / 1000);
  const what = "folderId" in target ? `folder_${target.folderId}` : `conv_${target.processId}`;
  const params = (v: unknown) => (Array.isArray(v) ? v : []);

  if (format === "corezoid") {
    // Outside the exported subtree a parent is unknown to the reader: 0, as Corezoid writes a root.
    const inExport = new Set(folders.map((f) => f.id));
    const parent = (id: number | null) => (id !== null && inExport.has(id) ? id : 0);
    return {
      fileName: `${what}_${unixtime}.json`,
      body: [
        ...processes.map((p) => ({
          obj_type: 1, obj_id: p.id, parent_id: parent(p.folderId), title: p.title, description: p.description,
          status: p.status, params: params(p.params), conv_type: p.convType, scheme: p.draft,
        })),
        ...folders.map((f) => ({ obj_type: 0, obj_id: f.id, parent_id: parent(f.parentId), title: f.name, description: "" })),
      ],
    };
  }
  const body: ConveyorExport = {
    format: "conveyor",
    version: 1,
    exportedAt: now.toISOString(),
    folders: folders.map((f, i) => ({ id: f.id, parentId: i === 0 ? null : f.parentId, name: f.name })),
    processes: processes.map((p) => ({
      id: p.id, folderId: "folderId" in target ? p.folderId : null, title: p.title, description: p.description,
      convType: p.convType === "state" ? "state" : "process", status: p.status === "paused" ? "paused" : "active",
      params: params(p.params), scheme: p.draft as ConveyorExport["processes"][number]["scheme"],
    })),
  };
  return { fileName: `conveyor_${what}_${unixtime}.json`, body };
}
