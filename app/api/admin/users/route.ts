import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { ROLES } from "@/server/auth/roles";
import { inviteUser, listUsers } from "@/server/users/user-service";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  await requireActor(req, "user:manage");
  return Response.json({ users: await listUsers({ db: webContext().db }) });
});

const inviteSchema = z.object({ email: z.string().trim().email("a valid e-mail address is required").max(254), name: z.string().trim().min(1, "a name is required").max(120), role: z.enum(ROLES) }).strict();

/** Invites an operator; answers the invitation link once (the admin hands it over). */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "user:manage");
  const { db, config } = webContext();
  const input = inviteSchema.parse(await readJsonBody(req, { limitBytes: 16 * 1024 }));
  const { user, token } = await inviteUser({ db, ...input, actorId: actor.id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "user.invited", target: { type: "user", id: user.id }, details: { email: user.email, role: user.role }, ip: clientIp(req) });
  return Response.json({ user, inviteUrl: `${config.APP_URL}/invite/${token}` }, { status: 201 });
});
