import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, parseId, rateLimit, readLimited, route } from "@/app/_lib/http";
import { authenticateSignedRequest } from "@/server/api-users/api-users";
import { envelopeSchema, handleOps } from "@/server/corezoid-api/handle-ops";
import { authorizeCallbackUrl, authorizeDirectUrl } from "@/server/processes/direct-url";
import { deliverCallback } from "@/server/tasks/deliver-callback";
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
  // Corezoid's on-prem default is 100 requests a second per user; the same here, per caller and address.
  await rateLimit(`corezoid:${path[0]}:${path[0] === "public" || path[0] === "callback" ? path[1] : ""}:${clientIp(req) ?? "unknown"}`, { max: 6000, windowSec: 60 });
  if (path.length === 4 && path[0] === "callback") return handleCallback(req, path);
  if (path.length !== 3) return corezoidError(404, "expected /api/{1|2}/json/{login}/{unixtime}/{signature}, /api/{1|2}/json/public/{processId}/{hash} or /api/{1|2}/json/callback/{processId}/{nodeId}/{hash}");
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
    const result = await submitTasks({ pool: ctx.pool, enqueue, processId, tasks, taskSizeLimit: ctx.config.TASK_SIZE_LIMIT_BYTES, onEnqueueError });
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

/**
 * A node's callback URL: the body is merged into the task waiting in that
 * node, found by the node's "path to task ID" (`obj_id_path` of its
 * api_callback logic), else by `task_id` or `ref` in the body.
 */
async function handleCallback(req: Request, path: string[]): Promise<Response> {
  const [, pid, nodeId, hash] = path;
  const processId = parseId(pid, "process id");
  const ctx = webContext();
  await authorizeCallbackUrl({ db: ctx.db, processId, nodeId, hash });
  const body = parseJson(await readLimited(req, MAX_BODY));
  if (body === null || typeof body !== "object" || Array.isArray(body)) return corezoidError(400, "the callback body must be a JSON object");
  const data = body as Record<string, unknown>;
  const proc = await ctx.db.process.findUniqueOrThrow({ where: { id: processId }, select: { publishedVersion: { select: { scheme: true } } } });
  const node = (proc.publishedVersion?.scheme as { nodes?: Array<{ id: string; condition?: { logics?: Array<{ type: string; obj_id_path?: string }> } }> } | undefined)?.nodes?.find((n) => n.id === nodeId);
  const idPath = node?.condition?.logics?.find((l) => l.type === "api_callback")?.obj_id_path;
  const byPath = idPath ? idPath.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), data) : undefined;
  const taskId = typeof byPath === "string" ? byPath : typeof data.task_id === "string" ? data.task_id : undefined;
  const ref = typeof data.ref === "string" || typeof data.ref === "number" ? String(data.ref) : undefined;
  if (!taskId && !ref) return corezoidError(400, `say which task: put its id at ${idPath ? `"${idPath}"` : '"task_id"'} or its ref at "ref" in the body`);
  if (taskId && !/^[0-9a-f-]{36}$/i.test(taskId)) return corezoidError(400, "the task id is not a task id");
  const res = await deliverCallback({ pool: ctx.pool, executor: ctx.executor, target: taskId ? { taskId } : { processId, ref: ref! }, data, nodeId });
  return Response.json({ request_proc: "ok", ops: [{ proc: "ok", obj: "task", obj_id: res.taskId }] });
}
