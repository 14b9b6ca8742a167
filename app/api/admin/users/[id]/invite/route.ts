import { webContext } from "@/app/_lib/context";
import { clientIp, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { reinviteUser } from "@/server/users/user-service";
import { AppError } from "@/server/errors";

/** A fresh invitation link (the previous ones stop working). */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "user:manage");
  const { id } = await params;
  const { db, config } = webContext();
  if (!(await db.user.findUnique({ where: { id } }))) throw new AppError("not_found", "no such user");
  const { token } = await reinviteUser({ db, userId: id, actorId: actor.id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "user.invited", target: { type: "user", id }, details: { again: true }, ip: clientIp(req) });
  return Response.json({ inviteUrl: `${config.APP_URL}/invite/${token}` });
});
