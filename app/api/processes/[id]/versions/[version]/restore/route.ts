import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { restoreVersion } from "@/server/processes/process-service";

export const dynamic = "force-dynamic";

/** Copies a published version into the draft; answers the draft's new revision. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string; version: string }> }) => {
  const actor = await requireActor(req, "process:write");
  const p = await params;
  const id = parseId(p.id, "process id");
  const version = parseId(p.version, "version");
  const { db } = webContext();
  const res = await restoreVersion({ db, processId: id, version });
  await audit({ db, actor: auditActor(actor), action: "process.restored", target: { type: "process", id }, details: { version, revision: res.revision }, ip: clientIp(req) });
  return Response.json(res);
});
