import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { parseId, readJsonBody, route } from "@/app/_lib/http";
import { authorizeDirectUrl } from "@/server/processes/direct-url";
import { submitTasks } from "@/server/tasks/submit-tasks";
import { AppError } from "@/server/errors";

const opsSchema = z.object({
  ops: z.array(z.object({ type: z.literal("create"), obj: z.literal("task"), ref: z.string().max(255).nullish(), data: z.record(z.string(), z.unknown()).default({}), id: z.string().optional() }).passthrough()).min(1).max(1000),
});

/**
 * Corezoid's Direct URL: the unguessable hash is the credential. The body is
 * the task data itself, or an ops envelope of `create` ops. Answers in
 * Corezoid's envelope: `{request_proc, ops: [{id, proc, obj, obj_id, ref}]}`.
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ processId: string; hash: string }> }) => {
  const p = await params;
  const processId = parseId(p.processId, "process id");
  const ctx = webContext();
  await authorizeDirectUrl({ db: ctx.db, processId, hash: p.hash });
  const body = await readJsonBody(req, { limitBytes: ctx.config.TASK_SIZE_LIMIT_BYTES * 2 });
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_request", "body must be a JSON object (the task data, or {\"ops\": [...]})");
  const envelope = "ops" in body ? opsSchema.parse(body) : null;
  const tasks = envelope ? envelope.ops.map((o) => ({ ref: o.ref ?? null, data: o.data })) : [{ ref: null, data: body as Record<string, unknown> }];
  const result = await submitTasks({
    db: ctx.db,
    enqueue: (tasks) => ctx.producer.enqueueEnter(tasks),
    processId,
    tasks,
    taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES,
    onEnqueueError: (err) => ctx.log.error({ err, processId }, "enqueue after task creation failed; the reconciler will retry"),
  });
  const byIndex = new Map(result.created.map((c) => [c.index, c]));
  const ops = tasks.map((t, i) => {
    const id = envelope?.ops[i]?.id ?? "";
    const c = byIndex.get(i);
    return c
      ? { id, proc: "ok", obj: "task", ref: c.ref, obj_id: c.id }
      : { id, proc: "not_unical_ref", obj: "task", ref: t.ref, description: "not unical reference" };
  });
  return Response.json({ request_proc: "ok", ops });
});
