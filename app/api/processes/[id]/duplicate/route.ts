import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { duplicateProcess } from "@/server/processes/process-service";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ title: z.string().trim().max(200).optional() }).strict();

/** A new unpublished process with a copy of this one's draft, in the same folder. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "process id");
  const { db } = webContext();
  const { title } = bodySchema.parse(await readJsonBody(req, { limitBytes: 4096 }));
  const copy = await duplicateProcess({ db, processId: id, title });
  await audit({ db, actor: auditActor(actor), action: "process.created", target: { type: "process", id: copy.id }, details: { title: copy.title, duplicateOf: id }, ip: clientIp(req) });
  return Response.json(copy, { status: 201 });
});
