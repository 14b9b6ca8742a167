import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { createFolder } from "@/server/processes/folder-service";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  name: z.string().trim().min(1, "give the folder a name").max(200),
  parentId: z.number().int().positive().nullish(),
}).strict();

export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "process:write");
  const { db } = webContext();
  const input = bodySchema.parse(await readJsonBody(req, { limitBytes: 4096 }));
  const folder = await createFolder({ db, name: input.name, parentId: input.parentId ?? null });
  await audit({ db, actor: auditActor(actor), action: "folder.created", target: { type: "folder", id: folder.id }, details: { name: folder.name, parentId: folder.parentId }, ip: clientIp(req) });
  return Response.json(folder, { status: 201 });
});
