import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { importProcesses } from "@/server/processes/import-processes";

export const dynamic = "force-dynamic";

const IMPORT_LIMIT_BYTES = 20 * 1024 * 1024;

const bodySchema = z.object({
  /** The file's JSON: a Corezoid export (array or object) or a Conveyor export. */
  file: z.unknown().refine((v) => v !== undefined && v !== null, "choose a file to import"),
  folderId: z.number().int().positive().nullish(),
}).strict();

/**
 * Imports a Corezoid or Conveyor export into a folder (or the top level).
 * Processes that validate are published; the others stay drafts, and the
 * answer lists their problems.
 */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "process:write");
  const { db } = webContext();
  const input = bodySchema.parse(await readJsonBody(req, { limitBytes: IMPORT_LIMIT_BYTES }));
  const summary = await importProcesses({ db, json: input.file, folderId: input.folderId ?? null, actorId: actor.id });
  const ip = clientIp(req);
  for (const p of summary.processes) {
    await audit({ db, actor: auditActor(actor), action: "process.imported", target: { type: "process", id: p.id }, details: { title: p.title, format: summary.format, published: p.published }, ip });
  }
  for (const f of summary.folders) await audit({ db, actor: auditActor(actor), action: "folder.created", target: { type: "folder", id: f.id }, details: { name: f.name, imported: true }, ip });
  return Response.json(summary, { status: 201 });
});
