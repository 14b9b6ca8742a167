import type { Pool } from "../db/pool.ts";
import { createTasks, type CreateTasksResult, type NewTask } from "./create-tasks.ts";

/** Enqueues the first step of new tasks (the producer's `enqueueEnter`). */
export type EnqueueSteps = (tasks: Array<{ taskId: string; seq: number }>) => Promise<void>;

/**
 * Creates tasks and enqueues their first step after the commit. If the enqueue
 * fails the tasks are still stored (accepted work is never lost): the
 * reconciler finds active tasks without work and re-enqueues them.
 */
export async function submitTasks({ pool, enqueue, processId, tasks, taskSizeLimit, onEnqueueError, dedupeForever }: {
  pool: Pick<Pool, "query">;
  enqueue: EnqueueSteps;
  processId: number;
  tasks: NewTask[];
  taskSizeLimit: number;
  onEnqueueError?: (err: unknown) => void;
  dedupeForever?: boolean;
}): Promise<CreateTasksResult> {
  const result = await createTasks({ pool, processId, tasks, taskSizeLimit, dedupeForever });
  try {
    await enqueue(result.jobs);
  } catch (err) {
    onEnqueueError?.(err);
  }
  return result;
}
