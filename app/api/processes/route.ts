import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { AppError } from "@/server/errors";
import { listProcessTree } from "@/server/processes/process-queries";
import { createProcess, starterScheme } from "@/server/processes/process-service";

export const dynamic = "force-dynamic";

/** The folder tree and every process (the process browser). */
export const GET = route(async (req: Request) => {
  await requireActor(req, "process:read");
  return Response.json(await listProcessTree({ db: webContext().db }), { headers: { "cache-control": "no-store" } });
});

const createSchema = z.object({
  title: z.string().trim().min(1, "give the process a title").max(200),
  description: z.string().max(2000).optional(),
  folderId: z.number().int().positive().nullish(),
  convType: z.enum(["process", "state"]).optional(),
}).strict();

/** Creates a process whose draft holds only a Start node. */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "process:write");
  const { db } = webContext();
  const input = createSchema.parse(await readJsonBody(req, { limitBytes: 16_384 }));
  if (input.folderId && !(await db.folder.findUnique({ where: { id: input.folderId }, select: { id: true } }))) {
    throw new AppError("not_found", `folder ${input.folderId} does not exist`);
  }
  const { id } = await createProcess({ db, title: input.title, description: input.description, folderId: input.folderId ?? null, scheme: starterScheme(), convType: input.convType });
  await audit({ db, actor: auditActor(actor), action: "process.created", target: { type: "process", id }, details: { title: input.title, folderId: input.folderId ?? null }, ip: clientIp(req) });
  return Response.json({ id }, { status: 201 });
});
