import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, rateLimit, readJsonBody, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { acceptInvite } from "@/server/users/user-service";

/**
 * Public by design: the invitation token is the credential (32 random bytes,
 * stored hashed, single use, 7 days). Rate limited per address.
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ token: string }> }) => {
  await rateLimit(`invite:${clientIp(req) ?? "unknown"}`, { max: 20, windowSec: 600 });
  const { token } = await params;
  const { db } = webContext();
  const { password } = z.object({ password: z.string() }).strict().parse(await readJsonBody(req, { limitBytes: 4096 }));
  const user = await acceptInvite({ db, token, password });
  await audit({ db, actor: { type: "user", id: user.userId, label: user.email }, action: "user.invite_accepted", target: { type: "user", id: user.userId }, ip: clientIp(req) });
  return Response.json({ ok: true, email: user.email });
});
