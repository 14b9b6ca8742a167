import { webContext } from "@/app/_lib/context";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { auditActor } from "@/app/_lib/audit-actor";
import { audit } from "@/server/audit/audit-log";
import { removeRetentionPolicy, retentionInputSchema, setRetentionPolicy } from "@/server/observability/retention";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** Sets a process's policy: keep finished tasks `keepFinishedSec`, archive them first or not. */
export const PUT = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "retention:manage");
  const processId = parseId((await params).id, "process id");
  const { db } = webContext();
  const input = retentionInputSchema.strict().parse(await readJsonBody(req, { limitBytes: 4096 }));
  const { before } = await setRetentionPolicy({ db, processId, input, actorId: actor.id });
  await audit({ db, actor: auditActor(actor), action: "retention.changed", target: { type: "process", id: processId }, details: { before, after: input }, ip: clientIp(req) });
  return Response.json({ ok: true });
});

/** Removes the policy: the process keeps its finished tasks (or follows the installation default). */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "retention:manage");
  const processId = parseId((await params).id, "process id");
  const { db } = webContext();
  const { removed } = await removeRetentionPolicy({ db, processId });
  if (removed) await audit({ db, actor: auditActor(actor), action: "retention.removed", target: { type: "process", id: processId }, ip: clientIp(req) });
  return Response.json({ ok: true, removed });
});
