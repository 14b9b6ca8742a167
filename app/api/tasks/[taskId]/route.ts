import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { deliverCallback } from "@/server/tasks/deliver-callback";
import { getTaskDetail } from "@/server/tasks/task-queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ taskId: string }> };

/** A task with its data and the nodes it passed (with times). */
export const GET = route(async (req: Request, { params }: Ctx) => {
  await requireActor(req, "task:read");
  const { taskId } = await params;
  return Response.json(await getTaskDetail({ pool: webContext().pool, taskId }), { headers: { "cache-control": "no-store" } });
});

const patchSchema = z.object({ data: z.record(z.string(), z.unknown()) }).strict();

/**
 * Modifies a task that waits for a callback (or sits in a Set State): the
 * data is merged (Corezoid's modify) and the task moves on. 409 when the
 * task does not wait for one.
 */
export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "task:write");
  const { taskId } = await params;
  const ctx = webContext();
  const { data } = patchSchema.parse(await readJsonBody(req, { limitBytes: ctx.config.TASK_SIZE_LIMIT_BYTES * 2 }));
  const detail = await getTaskDetail({ pool: ctx.pool, taskId });
  const res = await deliverCallback({ pool: ctx.pool, executor: ctx.executor, target: { taskId }, data: data as never, userId: actor.id });
  await audit({
    db: ctx.db, actor: auditActor(actor), action: "task.modified_by_hand", target: { type: "task", id: taskId },
    details: { processId: detail.processId, nodeId: detail.nodeId, keys: Object.keys(data) }, ip: clientIp(req),
  });
  return Response.json(res);
});
