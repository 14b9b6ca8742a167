import { webContext } from "@/app/_lib/context";
import { clientIp, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { rotateSourceCredential } from "@/server/ingest/sources";

/** A new token or signing secret, in this answer only; the old one stops working at once. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "source:manage");
  const { id } = await params;
  const { db, box } = webContext();
  const { credential } = await rotateSourceCredential({ db, box, id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "source.updated", target: { type: "source", id }, details: { credential: "rotated" }, ip: clientIp(req) });
  return Response.json({ credential }, { headers: { "cache-control": "no-store" } });
});
