import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { setApiGrants } from "@/server/api-users/api-users";
import { grantsSchema } from "@/server/api-users/grant-schema";
import { AppError } from "@/server/errors";

const patchSchema = z.object({ name: z.string().trim().min(1).max(120).optional(), disabled: z.boolean().optional(), grants: grantsSchema.optional() }).strict();

export const PATCH = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "apiuser:manage");
  const { id } = await params;
  const { db } = webContext();
  const input = patchSchema.parse(await readJsonBody(req, { limitBytes: 32 * 1024 }));
  const existing = await db.apiUser.findUnique({ where: { id } });
  if (!existing) throw new AppError("not_found", "no such API user");
  const who = { type: "user" as const, id: actor.id, label: actor.email };
  if (input.name !== undefined || input.disabled !== undefined) {
    await db.apiUser.update({ where: { id }, data: { ...(input.name ? { name: input.name } : {}), ...(input.disabled !== undefined ? { disabled: input.disabled } : {}) } });
    if (input.disabled !== undefined) await audit({ db, actor: who, action: "api_user.disabled", target: { type: "api_user", id }, details: { login: existing.login, disabled: input.disabled }, ip: clientIp(req) });
  }
  if (input.grants) {
    await setApiGrants({ db, id, grants: input.grants });
    await audit({ db, actor: who, action: "api_user.grants_changed", target: { type: "api_user", id }, details: { login: existing.login, grants: input.grants }, ip: clientIp(req) });
  }
  return Response.json({ ok: true });
});

export const DELETE = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "apiuser:manage");
  const { id } = await params;
  const { db } = webContext();
  const existing = await db.apiUser.findUnique({ where: { id } });
  if (!existing) throw new AppError("not_found", "no such API user");
  await db.apiUser.delete({ where: { id } });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "api_user.deleted", target: { type: "api_user", id }, details: { login: existing.login }, ip: clientIp(req) });
  return Response.json({ ok: true });
});
