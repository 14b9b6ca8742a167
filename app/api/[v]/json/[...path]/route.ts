import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { parseId, readLimited, route } from "@/app/_lib/http";
import { authenticateSignedRequest } from "@/server/api-users/api-users";
import { envelopeSchema, handleOps } from "@/server/corezoid-api/handle-ops";
import { authorizeDirectUrl } from "@/server/processes/direct-url";
import { submitTasks } from "@/server/tasks/submit-tasks";
import { AppError } from "@/server/errors";

/**
 * Corezoid-compatible API, one route for its URL shapes:
 * - `/api/{1|2}/json/{login}/{unixtime}/{signature}`: signed ops (create/modify/show task)
 *   for an API user, signature `hex(sha1(time + secret + body + secret))`;
 * - `/api/{1|2}/json/public/{processId}/{hash}`: Direct URL, the body is the task data
 *   (or an ops envelope of creates); the unguessable hash is the credential.
 * Answers use Corezoid's envelope `{request_proc, ops}`; a rejected request
 * answers 4xx with `{request_proc: "error", description}` naming the problem.
 */
const MAX_BODY = 10 * 1024 * 1024;

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw new AppError("bad_request", `body is not valid JSON: ${(err as Error).message}`);
  }
}

const corezoidError = (status: number, description: string) => Response.json({ request_proc: "error", description }, { status });

export const POST = route(async (req: Request, ctx: { params: Promise<{ v: string; path: string[] }> }) => {
  try {
    return await handle(req, ctx);
  } catch (err) {
    // Rejections in Corezoid's envelope, with the status that names the problem.
    if (err instanceof AppError) return corezoidError(err.status, err.message);
    if (err instanceof z.ZodError) return corezoidError(400, `${err.issues[0].path.join(".")}: ${err.issues[0].message}`);
    throw err;
  }
});

async function handle(req: Request, { params }: { params: Promise<{ v: string; path: string[] }> }): Promise<Response> {
  const { v, path } = await params;
  if (v !== "1" && v !== "2") return corezoidError(404, "unknown API version: use /api/1/json or /api/2/json");
  if (path.length !== 3) return corezoidError(404, "expected /api/{1|2}/json/{login}/{unixtime}/{signature} or /api/{1|2}/json/public/{processId}/{hash}");
  const ctx = webContext();
  const type = req.headers.get("content-type") ?? "";
  if (type && !/json|text\/plain/i.test(type)) return corezoidError(415, `expected a JSON body, got Content-Type ${type}`);
  const body = await readLimited(req, MAX_BODY);
  const enqueue = (tasks: Array<{ taskId: string; seq: number }>) => ctx.producer.enqueueEnter(tasks);
  const onEnqueueError = (err: unknown) => ctx.log.error({ err }, "enqueue after task creation failed; the reconciler will retry");

  if (path[0] === "public") {
    const processId = parseId(path[1], "process id");
    await authorizeDirectUrl({ db: ctx.db, processId, hash: path[2] });
    const parsed = parseJson(body);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return corezoidError(400, 'body must be a JSON object (the task data, or {"ops": [...]})');
    const envelope = "ops" in parsed
      ? z.object({ ops: z.array(z.object({ type: z.literal("create"), obj: z.literal("task").optional(), ref: z.union([z.string().max(255), z.number()]).transform(String).nullish(), data: z.record(z.string(), z.unknown()).default({}), id: z.union([z.string(), z.number()]).transform(String).optional() }).passthrough()).min(1).max(1000) }).parse(parsed)
      : null;
    const tasks = envelope ? envelope.ops.map((o) => ({ ref: o.ref ?? null, data: o.data })) : [{ ref: null, data: parsed as Record<string, unknown> }];
    const result = await submitTasks({ db: ctx.db, enqueue, processId, tasks, taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES, onEnqueueError });
    const byIndex = new Map(result.created.map((c) => [c.index, c]));
    const ops = tasks.map((t, i) => {
      const id = envelope?.ops[i]?.id ?? "";
      const c = byIndex.get(i);
      return c ? { id, proc: "ok", obj: "task", ref: c.ref, obj_id: c.id } : { id, proc: "not_unical_ref", obj: "task", ref: t.ref, description: "not unical reference" };
    });
    return Response.json({ request_proc: "ok", ops });
  }

  const [login, time, signature] = path;
  const principal = await authenticateSignedRequest({ db: ctx.db, box: ctx.box, redis: ctx.redis, prefix: ctx.config.QUEUE_PREFIX, login, time, signature, body });
  const envelope = envelopeSchema.safeParse(parseJson(body));
  if (!envelope.success) return corezoidError(400, `body must be {"ops": [...]}: ${envelope.error.issues[0].message}`);
  const ops = await handleOps({ db: ctx.db, pool: ctx.pool, executor: ctx.executor, enqueue, principal, ops: envelope.data.ops, taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES });
  return Response.json({ request_proc: "ok", ops });
}
