import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { publishProcess } from "@/server/processes/process-service";

export const dynamic = "force-dynamic";

/**
 * Publishes the saved draft as the next immutable version. A draft with
 * validation errors answers 422 with `details.issues` (node, logic, field).
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "process id");
  const { db } = webContext();
  const published = await publishProcess({ db, processId: id, actorId: actor.id });
  await audit({ db, actor: auditActor(actor), action: "process.published", target: { type: "process", id }, details: { version: published.version }, ip: clientIp(req) });
  return Response.json(published, { status: 201 });
});
