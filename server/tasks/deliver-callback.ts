import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import type { Executor } from "../execution/executor.ts";
import type { JsonObject } from "../../engine/util/json.ts";

export type CallbackTarget = { taskId: string } | { processId: number; ref: string };

/**
 * Modify a task (Corezoid `modify` by ref or id, a node's callback URL): merges
 * the data and, if the task waits for a callback (or sits in a Set State), lets
 * it move on — in one transaction, answering whether it was accepted.
 */
export async function deliverCallback({ pool, executor, target, data, nodeId, userId }: {
  pool: Pool;
  executor: Executor;
  target: CallbackTarget;
  data: JsonObject;
  nodeId?: string;
  userId?: string | null;
}): Promise<{ taskId: string; accepted: true }> {
  const { rows } = "taskId" in target
    ? await pool.query<{ id: string }>("SELECT id FROM task WHERE id = $1::uuid", [target.taskId])
    : await pool.query<{ id: string }>("SELECT id FROM task WHERE process_id = $1 AND ref = $2 AND status <> 'finished' LIMIT 1", [target.processId, target.ref]);
  const taskId = rows[0]?.id;
  if (!taskId) throw new AppError("not_found", "not_found_task: no live task with that ref or id", { tag: "not_found_task" });
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await executor.run([{ taskId, event: { type: "callback", data, ...(nodeId ? { nodeId } : {}), ...(userId ? { userId } : {}) } }]);
    const o = res.outcomes.get(taskId);
    if (o?.outcome === "moved") return { taskId, accepted: true };
    if (o?.outcome === "busy") {
      await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
      continue;
    }
    const tag = o?.tag ?? (o?.outcome === "stale" ? "not_found_task" : "no_api_callback_in_node_with_task");
    throw new AppError("conflict", `${tag}: ${o?.reason ?? "the task does not wait for a callback"}`, { tag });
  }
  throw new AppError("unavailable", "duplicate_callback: the task stayed busy; retry later", { tag: "duplicate_callback" });
}
