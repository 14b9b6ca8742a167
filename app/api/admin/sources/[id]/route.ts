import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { AppError } from "@/server/errors";

const patchSchema = z.object({ name: z.string().trim().min(1).max(120).optional(), processId: z.number().int().positive().optional(), disabled: z.boolean().optional(), replayWindowSec: z.number().int().min(30).max(3600).optional() }).strict();

export const PATCH = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "source:manage");
  const { id } = await params;
  const { db } = webContext();
  const input = patchSchema.parse(await readJsonBody(req, { limitBytes: 4096 }));
  if (!(await db.ingestSource.findUnique({ where: { id } }))) throw new AppError("not_found", "no such source");
  if (input.processId && !(await db.process.findUnique({ where: { id: input.processId } }))) throw new AppError("bad_request", `process ${input.processId} does not exist`);
  await db.ingestSource.update({ where: { id }, data: input });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "source.updated", target: { type: "source", id }, details: input, ip: clientIp(req) });
  return Response.json({ ok: true });
});

export const DELETE = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "source:manage");
  const { id } = await params;
  const { db } = webContext();
  const existing = await db.ingestSource.findUnique({ where: { id } });
  if (!existing) throw new AppError("not_found", "no such source");
  await db.ingestSource.delete({ where: { id } });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "source.deleted", target: { type: "source", id }, details: { name: existing.name }, ip: clientIp(req) });
  return Response.json({ ok: true });
});
