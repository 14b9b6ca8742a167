import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { deleteTasks } from "@/server/tasks/delete-tasks";
import { submitTasks } from "@/server/tasks/submit-tasks";
import { listNodeTasks } from "@/server/tasks/task-queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

const nodeIdSchema = z.string().min(1).max(64);

const listSchema = z.object({
  nodeId: nodeIdSchema,
  ref: z.string().max(255).optional(),
  q: z.string().max(500).optional(),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** The tasks in one node, newest change first: `?nodeId=&ref=&q=&cursor=` (`q`: `path=value` or any text in the data). */
export const GET = route(async (req: Request, { params }: Ctx) => {
  await requireActor(req, "task:read");
  const processId = parseId((await params).id, "process id");
  const query = listSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const page = await listNodeTasks({ pool: webContext().pool, processId, ...query });
  return Response.json(page, { headers: { "cache-control": "no-store" } });
});

const bodySchema = z.union([
  z.object({ ref: z.string().max(255).nullish(), data: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ tasks: z.array(z.object({ ref: z.string().max(255).nullish(), data: z.record(z.string(), z.unknown()) }).strict()).min(1).max(1000) }).strict(),
]);

/**
 * Creates one task (`{ref?, data}`) or a batch (`{tasks: [...]}`) in the
 * process's published version. Answers 201 with the created ids and the
 * duplicates (a ref already live in the process).
 */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "task:write");
  const processId = parseId((await params).id, "process id");
  const ctx = webContext();
  const body = bodySchema.parse(await readJsonBody(req, { limitBytes: ctx.config.TASK_SIZE_LIMIT_BYTES * 2 }));
  const tasks = "tasks" in body ? body.tasks : [body];
  const result = await submitTasks({
    pool: ctx.pool,
    enqueue: (tasks) => ctx.producer.enqueueEnter(tasks),
    processId,
    tasks,
    taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES,
    onEnqueueError: (err) => ctx.log.error({ err, processId }, "enqueue after task creation failed; the reconciler will retry"),
  });
  if (result.created.length > 0) {
    await audit({
      db: ctx.db, actor: auditActor(actor), action: "task.created_by_hand", target: { type: "process", id: processId },
      details: { tasks: result.created.slice(0, 50).map(({ id, ref }) => ({ id, ref })), count: result.created.length }, ip: clientIp(req),
    });
  }
  return Response.json({ created: result.created.map(({ id, ref }) => ({ id, ref })), duplicates: result.duplicates.map(({ ref }) => ref) }, { status: 201 });
});

const deleteSchema = z.union([
  z.object({ nodeId: nodeIdSchema, taskIds: z.array(z.uuid()).min(1).max(1000) }).strict(),
  z.object({ nodeId: nodeIdSchema, all: z.literal(true) }).strict(),
]);

/** Deletes tasks from a node: `{nodeId, taskIds}` or `{nodeId, all: true}`. */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "task:write");
  const processId = parseId((await params).id, "process id");
  const ctx = webContext();
  const body = deleteSchema.parse(await readJsonBody(req, { limitBytes: 128_000 }));
  const { deleted } = await deleteTasks({ db: ctx.db, executor: ctx.executor, processId, nodeId: body.nodeId, taskIds: "taskIds" in body ? body.taskIds : undefined });
  if (deleted.length > 0) {
    await audit({
      db: ctx.db, actor: auditActor(actor), action: "task.deleted_by_hand", target: { type: "process", id: processId },
      details: { nodeId: body.nodeId, count: deleted.length, tasks: deleted.slice(0, 50) }, ip: clientIp(req),
    });
  }
  return Response.json({ deleted: deleted.length });
});
