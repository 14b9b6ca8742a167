import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import type { Executor } from "../execution/executor.ts";
import { folderChainOf, grantAllows, type ApiPrincipal, type ApiRight } from "../api-users/api-users.ts";
import { deliverCallback } from "../tasks/deliver-callback.ts";
import { submitTasks, type EnqueueSteps } from "../tasks/submit-tasks.ts";

const convId = z.union([z.number().int().positive(), z.string().regex(/^\d{1,9}$/, "conv_id must be a process id")]).transform(Number);
const data = z.record(z.string(), z.unknown());
const ref = z.union([z.string().min(1).max(255), z.number()]).transform(String);
const opId = z.union([z.string(), z.number()]).transform(String).optional();

export const opSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("create"), obj: z.literal("task"), conv_id: convId, ref: ref.nullish(), data: data.default({}), id: opId }).passthrough(),
  z.object({ type: z.literal("modify"), obj: z.literal("task"), conv_id: convId, ref: ref.optional(), obj_id: z.string().uuid().optional(), data: data.default({}), id: opId }).passthrough(),
  z.object({ type: z.literal("show"), obj: z.literal("task"), conv_id: convId, ref: ref.optional(), obj_id: z.string().uuid().optional(), id: opId }).passthrough(),
]);
export const envelopeSchema = z.object({ ops: z.array(z.unknown()).min(1, "ops is empty").max(1000, "at most 1000 ops per request") }).passthrough();

type OpResult = Record<string, unknown> & { id: string; proc: string };

/**
 * Runs the ops of a Corezoid API request for an API user. Each op is checked
 * and answered on its own (matched by `id`, in request order): a bad op or a
 * missing right fails that op, not the request. Creates for one process go in
 * as one batch (a redelivered batch with refs creates nothing twice).
 */
export async function handleOps({ db, pool, executor, enqueue, principal, ops, taskSizeLimit }: {
  db: Db;
  pool: Pool;
  executor: Executor;
  enqueue: EnqueueSteps;
  principal: ApiPrincipal;
  ops: unknown[];
  taskSizeLimit: number;
}): Promise<OpResult[]> {
  const results: OpResult[] = new Array(ops.length);
  const chains = new Map<number, Promise<number[] | null>>();
  const allowed = async (processId: number, right: ApiRight): Promise<"ok" | "not_found" | "denied"> => {
    if (!chains.has(processId)) chains.set(processId, folderChainOf({ db, processId }));
    const chain = await chains.get(processId)!;
    if (chain === null) return "not_found";
    return grantAllows(principal.grants, chain, right) ? "ok" : "denied";
  };
  const fail = (i: number, id: string | undefined, proc: string, description: string) => (results[i] = { id: id ?? "", proc, obj: "task", description });

  const creates = new Map<number, Array<{ i: number; id?: string; ref: string | null; data: Record<string, unknown> }>>();
  for (const [i, raw] of ops.entries()) {
    const parsed = opSchema.safeParse(raw);
    const rawId = raw && typeof raw === "object" && "id" in raw ? String((raw as { id: unknown }).id) : undefined;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(i, rawId, "error", `op ${i}: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
      continue;
    }
    const op = parsed.data;
    const right: ApiRight = op.type === "create" ? "create" : op.type === "modify" ? "modify" : "view";
    const access = await allowed(op.conv_id, right);
    if (access === "not_found") {
      fail(i, op.id, "error", `process ${op.conv_id} does not exist`);
      continue;
    }
    if (access === "denied") {
      fail(i, op.id, "access_denied", `API user ${principal.login} may not ${right} tasks in process ${op.conv_id}`);
      continue;
    }
    if (op.type === "create") {
      const list = creates.get(op.conv_id) ?? [];
      list.push({ i, id: op.id, ref: op.ref ?? null, data: op.data });
      creates.set(op.conv_id, list);
      continue;
    }
    if (!op.ref && !op.obj_id) {
      fail(i, op.id, "error", `op ${i}: give ref or obj_id`);
      continue;
    }
    const target = op.obj_id ? { taskId: op.obj_id } : { processId: op.conv_id, ref: op.ref! };
    if (op.type === "modify") {
      try {
        const res = await deliverCallback({ pool, executor, target, data: op.data, userId: principal.login });
        results[i] = { id: op.id ?? "", proc: "ok", obj: "task", ref: op.ref ?? null, obj_id: res.taskId };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const tag = (err.details as { tag?: string } | undefined)?.tag ?? "error";
        fail(i, op.id, tag, err.message);
      }
      continue;
    }
    const task = await db.task.findFirst({
      where: op.obj_id ? { id: op.obj_id, processId: op.conv_id } : { processId: op.conv_id, ref: op.ref, status: { not: "finished" } },
      select: { id: true, ref: true, status: true, nodeId: true, prevNodeId: true, data: true, createdAt: true, changedAt: true, state: true },
    }) ?? (op.ref ? await db.task.findFirst({ where: { processId: op.conv_id, ref: op.ref }, orderBy: { createdAt: "desc" }, select: { id: true, ref: true, status: true, nodeId: true, prevNodeId: true, data: true, createdAt: true, changedAt: true, state: true } }) : null);
    if (!task) {
      fail(i, op.id, "obj_id_not_found", "no such task");
      continue;
    }
    results[i] = {
      id: op.id ?? "", proc: "ok", obj: "task", obj_id: task.id, ref: task.ref,
      status: task.status === "finished" ? "processed" : "active",
      user_id: (task.state as { userId?: unknown }).userId ?? null,
      create_time: Math.floor(task.createdAt.getTime() / 1000), change_time: Math.floor(task.changedAt.getTime() / 1000),
      node_id: task.nodeId, node_prev_id: task.prevNodeId, data: task.data,
    };
  }

  for (const [processId, list] of creates) {
    try {
      const res = await submitTasks({ pool, enqueue, processId, tasks: list.map((c) => ({ ref: c.ref, data: c.data })), taskSizeLimit });
      const byIndex = new Map(res.created.map((c) => [c.index, c]));
      list.forEach((c, k) => {
        const made = byIndex.get(k);
        results[c.i] = made
          ? { id: c.id ?? "", proc: "ok", obj: "task", ref: made.ref, obj_id: made.id }
          : { id: c.id ?? "", proc: "not_unical_ref", obj: "task", ref: c.ref, description: "not unical reference" };
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const c of list) results[c.i] = { id: c.id ?? "", proc: err.code === "conflict" && /not active/.test(err.message) ? "conveyor_is_not_active" : "error", obj: "task", description: err.message };
    }
  }
  return results;
}
