import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { submitTasks } from "@/server/tasks/submit-tasks";

const bodySchema = z.union([
  z.object({ ref: z.string().max(255).nullish(), data: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ tasks: z.array(z.object({ ref: z.string().max(255).nullish(), data: z.record(z.string(), z.unknown()) }).strict()).min(1).max(1000) }).strict(),
]);

/**
 * Creates one task (`{ref?, data}`) or a batch (`{tasks: [...]}`) in the
 * process's published version. Answers 201 with the created ids and the
 * duplicates (a ref already live in the process).
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "task:write");
  const processId = parseId((await params).id, "process id");
  const ctx = webContext();
  const body = bodySchema.parse(await readJsonBody(req, { limitBytes: ctx.config.TASK_SIZE_LIMIT_BYTES * 2 }));
  const tasks = "tasks" in body ? body.tasks : [body];
  const result = await submitTasks({
    db: ctx.db,
    enqueue: (tasks) => ctx.producer.enqueueEnter(tasks),
    processId,
    tasks,
    taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES,
    onEnqueueError: (err) => ctx.log.error({ err, processId }, "enqueue after task creation failed; the reconciler will retry"),
  });
  return Response.json({ created: result.created.map(({ id, ref }) => ({ id, ref })), duplicates: result.duplicates.map(({ ref }) => ref) }, { status: 201 });
});
