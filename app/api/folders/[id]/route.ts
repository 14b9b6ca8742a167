import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { deleteFolder, renameFolder } from "@/server/processes/folder-service";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

const patchSchema = z.object({ name: z.string().trim().min(1, "the name cannot be empty").max(200) }).strict();

export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "folder id");
  const { db } = webContext();
  const { name } = patchSchema.parse(await readJsonBody(req, { limitBytes: 4096 }));
  const { before } = await renameFolder({ db, folderId: id, name });
  await audit({ db, actor: auditActor(actor), action: "folder.renamed", target: { type: "folder", id }, details: { from: before, to: name }, ip: clientIp(req) });
  return Response.json({ ok: true });
});

/** Deletes an empty folder (409 while it holds processes or folders). */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "folder id");
  const { db } = webContext();
  const removed = await deleteFolder({ db, folderId: id });
  await audit({ db, actor: auditActor(actor), action: "folder.deleted", target: { type: "folder", id }, details: removed, ip: clientIp(req) });
  return Response.json({ ok: true });
});
