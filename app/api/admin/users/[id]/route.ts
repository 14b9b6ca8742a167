import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { ROLES } from "@/server/auth/roles";
import { updateUser } from "@/server/users/user-service";

const patchSchema = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }).strict().refine((v) => v.role !== undefined || v.disabled !== undefined, "give role or disabled");

export const PATCH = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "user:manage");
  const { id } = await params;
  const { db } = webContext();
  const input = patchSchema.parse(await readJsonBody(req, { limitBytes: 4096 }));
  const user = await updateUser({ db, id, ...input, actorId: actor.id });
  const who = { type: "user" as const, id: actor.id, label: actor.email };
  if (input.role) await audit({ db, actor: who, action: "user.role_changed", target: { type: "user", id }, details: { email: user.email, role: input.role }, ip: clientIp(req) });
  if (input.disabled !== undefined) await audit({ db, actor: who, action: input.disabled ? "user.disabled" : "user.enabled", target: { type: "user", id }, details: { email: user.email }, ip: clientIp(req) });
  return Response.json({ user });
});
