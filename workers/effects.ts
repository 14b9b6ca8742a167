import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { awaitsAnswer, queuedTaskPayload, type Command, type HttpFailure, type TaskEvent, type TaskSnapshot } from "../engine/index.ts";
import type { Pool } from "../server/db/pool.ts";
import type { ProcessCatalog } from "../server/execution/catalog.ts";
import type { Executor } from "../server/execution/executor.ts";
import { TASK_COLUMNS, toSnapshot, type TaskRow } from "../server/execution/task-row.ts";

type Http = Extract<Command, { type: "httpCall" }>;
type Code = Extract<Command, { type: "runCode" }>;

export type HttpOutcome = { status: number; headers: Record<string, string>; body: string; durationMs?: number; requestBytes?: number } | { error: HttpFailure; description?: string; durationMs?: number };
export type CodeOutcome = { data: unknown } | { error: "timeout" | "executing_error" | "return_format_error"; description?: string };

export interface EffectDeps {
  pool: Pool;
  redis: Redis;
  prefix: string;
  catalog: ProcessCatalog;
  executor: Executor;
  http(command: Http): Promise<HttpOutcome>;
  code(command: Code): Promise<CodeOutcome>;
  /** How long an API call may wait for a free max_threads slot before failing with `busy`. */
  maxThreadWaitMs?: number;
}

const threadsKey = (prefix: string, c: Http) => `${prefix}:threads:${c.processId}:${c.nodeId}`;

/** Whether the origin task still waits for this command's answer (else a replay has nothing to do). */
async function originAwaits(pool: Pool, c: Command): Promise<boolean> {
  const { rows } = await pool.query<{ status: TaskSnapshot["status"]; waiting: TaskSnapshot["waiting"] | null }>(
    "SELECT status, state->'waiting' AS waiting FROM task WHERE id = $1::uuid", [c.taskId],
  );
  const t = rows[0];
  return !!t && awaitsAnswer({ id: c.taskId, status: t.status, waiting: t.waiting ?? undefined }, c);
}

/**
 * Carries out one effect job and answers the origin task with the result
 * event. The result is saved into the job before it is delivered, so a retry
 * after a failed delivery does not call the API (or run the code) again.
 *
 * The same command can reach this queue again after its job is gone from
 * Redis (an outbox row replayed after the completed job was evicted, or
 * after Redis lost it): an API call or code run is made only while the
 * origin still waits for its answer, and modify-by-ref and get-from-queue
 * change the other task in the same transaction that answers the origin, so
 * a duplicate whose origin has moved on changes nothing.
 */
export async function processEffect(job: Job, token: string | undefined, deps: EffectDeps): Promise<void> {
  const c = job.data as Command & { __result?: TaskEvent };
  const answerTo = { nodeId: c.nodeId, visit: c.visit };
  const deliver = async (taskId: string, event: TaskEvent) => deps.executor.run([{ taskId, event }]);

  if (c.__result) {
    await deliver(c.taskId, c.__result);
    return;
  }
  const remember = async (event: TaskEvent) => {
    // A job Redis has lost (flushed while it ran) cannot keep its result: deliver it all the same.
    await job.updateData({ ...c, __result: event }).catch(() => {});
    await deliver(c.taskId, event);
  };
  if ((c.type === "httpCall" || c.type === "runCode") && !(await originAwaits(deps.pool, c))) return;

  switch (c.type) {
    case "httpCall": {
      // max_threads: a per-node slot counter in Redis shared by every worker.
      const key = threadsKey(deps.prefix, c);
      const inUse = await deps.redis.incr(key);
      await deps.redis.expire(key, Math.ceil(c.timeoutMs / 1000) + 30);
      if (inUse > c.maxThreads) {
        await deps.redis.decr(key);
        const waited = Date.now() - job.timestamp;
        if (waited < (deps.maxThreadWaitMs ?? 60_000)) {
          await job.moveToDelayed(Date.now() + 100 + Math.floor(Math.random() * 200), token);
          throw new DelayedError();
        }
        await remember({ type: "httpResult", ...answerTo, error: "busy", description: `all ${c.maxThreads} max_threads of the node stayed busy` });
        return;
      }
      let out: HttpOutcome;
      try {
        out = await deps.http(c);
      } finally {
        await deps.redis.decr(key);
      }
      await remember({ type: "httpResult", ...answerTo, ...out } as TaskEvent);
      return;
    }
    case "runCode": {
      const out = await deps.code(c);
      await remember({ type: "codeResult", ...answerTo, ...out } as TaskEvent);
      return;
    }
    case "modifyTask": {
      const target = await deps.catalog.target(c.convId, Date.now());
      let result: TaskEvent;
      if (!target.ok) {
        result = { type: "copyResult", ...answerTo, ok: false, errorTag: target.tag === "not_published" ? "access_denied" : target.tag, description: target.description };
      } else {
        const { rows } = await deps.pool.query<{ id: string }>("SELECT id FROM task WHERE process_id = $1 AND ref = $2 AND status <> 'finished' LIMIT 1", [target.target.processId, c.ref]);
        const targetId = rows[0]?.id;
        if (!targetId) {
          result = { type: "copyResult", ...answerTo, ok: false, errorTag: "not_found_task", description: `no live task with ref ${c.ref}` };
        } else if (targetId === c.taskId) {
          // It waits in its own Modify Task, not for a callback.
          result = { type: "copyResult", ...answerTo, ok: false, errorTag: "no_api_callback_in_node_with_task", description: "the task does not wait for a callback" };
        } else {
          // The modification and the origin's answer commit together, or not at all.
          const res = await deps.executor.runAtomic([
            { taskId: targetId, event: { type: "callback", data: c.data } },
            { taskId: c.taskId, event: { type: "copyResult", ...answerTo, ok: true, taskId: targetId } },
          ]);
          if (res.committed) return;
          const o = res.outcomes.get(targetId);
          const origin = res.outcomes.get(c.taskId);
          if (o?.outcome === "busy" || origin?.outcome === "busy") throw new Error("target or origin task is busy; retrying");
          // The origin no longer waits for this answer (a duplicate): modify nothing.
          if (origin?.outcome !== "moved") return;
          result = { type: "copyResult", ...answerTo, ok: false, errorTag: o?.tag ?? "no_api_callback_in_node_with_task", description: o?.reason ?? "the task does not wait for a callback" };
        }
      }
      await remember(result);
      return;
    }
    case "getFromQueue": {
      const target = await deps.catalog.target(c.convId, Date.now());
      if (!target.ok) {
        await remember({ type: "queueResult", ...answerTo, errorTag: "access_denied", description: target.description });
        return;
      }
      const node = target.target.scheme.nodes.find((n) => n.id === c.queueNodeId);
      if (!node || !node.condition.logics.some((l) => l.type === "api_queue")) {
        await remember({ type: "queueResult", ...answerTo, errorTag: "queue_wrong_logic", description: "the node is not a queue" });
        return;
      }
      // Oldest (ASC) or newest (DESC) parked task; if another taker wins it, try the next.
      // Taking it and answering the requester commit together: a duplicate of this job whose
      // requester has already been answered takes nothing (no queued task moves unseen).
      // The queue is empty only when no candidate is left: a candidate another taker holds
      // right now may yet be let go, so a pass that met one looks again after a pause.
      const order = c.order === "DESC" ? "DESC" : "ASC";
      for (let pass = 0; ; pass++) {
        const tried: string[] = [];
        let contended = false;
        for (;;) {
          const { rows } = await deps.pool.query<TaskRow>(
            `SELECT ${TASK_COLUMNS} FROM task WHERE process_id = $1 AND node_id = $2 AND status = 'waiting' AND state->'waiting'->>'kind' = 'queue'
               AND id <> ALL($3::uuid[])
             ORDER BY (state->'waiting'->>'since')::bigint ${order}, created_at ${order} LIMIT 1`,
            [target.target.processId, c.queueNodeId, tried],
          );
          if (!rows[0]) break;
          tried.push(rows[0].id);
          const queued = toSnapshot(rows[0]);
          const payload = queuedTaskPayload(queued);
          if (!payload || queued.id === c.taskId) continue;
          const res = await deps.executor.runAtomic([
            { taskId: c.taskId, event: { type: "queueResult", ...answerTo, taken: { taskId: queued.id, data: payload.__queue_task_data__ } } },
            { taskId: queued.id, seq: rows[0].seq, event: { type: "queueTaken", nodeId: queued.waiting!.nodeId, visit: queued.waiting!.visit } },
          ]);
          if (res.committed) return;
          const asker = res.outcomes.get(c.taskId)?.outcome;
          if (asker === "busy") throw new Error("the requesting task is busy; retrying");
          // The requester no longer waits for this answer (a duplicate): take nothing.
          if (asker !== "moved") return;
          // Else the candidate went to another taker (stale), or one holds it right now (busy).
          if (res.outcomes.get(queued.id)?.outcome === "busy") contended = true;
        }
        if (!contended) break;
        if (pass >= 50) throw new Error("the queue stayed contended; retrying");
        await new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 40)));
      }
      await remember({ type: "queueResult", ...answerTo, empty: true });
      return;
    }
    default:
      throw new Error(`effects worker cannot run ${c.type}`);
  }
}
