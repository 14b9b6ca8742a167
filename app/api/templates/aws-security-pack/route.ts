import { webContext } from "@/app/_lib/context";
import { clientIp, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { installAwsSecurityPack } from "@/templates/install";

/** Installs another copy of the AWS security pack (a new folder; existing processes are left alone). */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "process:write");
  const { db } = webContext();
  const res = await installAwsSecurityPack({ db, actorId: actor.id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "process.imported", target: { type: "folder", id: res.folders[0]?.id ?? 0 }, details: { template: "aws-security-pack", processes: res.processes.map((p) => p.id) }, ip: clientIp(req) });
  return Response.json(res, { status: 201 });
});
