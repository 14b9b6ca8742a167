import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { AppError } from "@/server/errors";
import { getEditorProcess } from "@/server/processes/process-queries";
import { deleteProcess, updateProcess } from "@/server/processes/process-service";
import { countersKey } from "@/server/tasks/node-counters";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** The process as the editor loads it: draft with its revision, the published version, parameters. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  await requireActor(req, "process:read");
  const id = parseId((await params).id, "process id");
  const proc = await getEditorProcess({ db: webContext().db, id });
  if (!proc) throw new AppError("not_found", `process ${id} does not exist`);
  return Response.json(proc, { headers: { "cache-control": "no-store" } });
});

const patchSchema = z.object({
  title: z.string().trim().min(1, "the title cannot be empty").max(200).optional(),
  description: z.string().max(2000).optional(),
  folderId: z.number().int().positive().nullable().optional(),
  status: z.enum(["active", "paused"]).optional(),
}).strict();

/** Rename, describe, move to a folder (null: top level), pause or resume. */
export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "process id");
  const { db } = webContext();
  const changes = patchSchema.parse(await readJsonBody(req, { limitBytes: 16_384 }));
  const { before } = await updateProcess({ db, processId: id, changes });
  const who = auditActor(actor);
  const target = { type: "process", id };
  const ip = clientIp(req);
  if (changes.title !== undefined && changes.title !== before.title) await audit({ db, actor: who, action: "process.renamed", target, details: { from: before.title, to: changes.title }, ip });
  if (changes.folderId !== undefined && changes.folderId !== before.folderId) await audit({ db, actor: who, action: "process.moved", target, details: { from: before.folderId, to: changes.folderId }, ip });
  const other = Object.fromEntries(Object.entries({ description: changes.description, status: changes.status }).filter(([k, v]) => v !== undefined && v !== before[k as "description" | "status"]));
  if (Object.keys(other).length > 0) await audit({ db, actor: who, action: "process.updated", target, details: other, ip });
  return Response.json({ ok: true });
});

/** Deletes the process with its versions and tasks (the UI asks for confirmation first). */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "process id");
  const { db, redis, config } = webContext();
  const removed = await deleteProcess({ db, processId: id });
  await redis.del(countersKey(config.QUEUE_PREFIX, id));
  await audit({ db, actor: auditActor(actor), action: "process.deleted", target: { type: "process", id }, details: removed, ip: clientIp(req) });
  return Response.json({ ok: true });
});
