import { webContext } from "@/app/_lib/context";
import { clientIp, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { rotateApiSecret } from "@/server/api-users/api-users";

/** A new secret, in this answer only; the old one stops working at once. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "apiuser:manage");
  const { id } = await params;
  const { db, box } = webContext();
  const { secret } = await rotateApiSecret({ db, box, id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "api_user.secret_rotated", target: { type: "api_user", id }, ip: clientIp(req) });
  return Response.json({ secret }, { headers: { "cache-control": "no-store" } });
});
