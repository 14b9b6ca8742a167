/**
 * The task snapshot: a plain, serialisable object the worker stores as is and hands back
 * to `step`. Nothing in it refers to memory outside itself.
 */
import type { JsonObject } from "../util/json.ts";

export type TaskStatus = "active" | "waiting" | "finished";

/**
 * How a finished task ended: in a success or error final node (from the node's icon), or
 * `stopped` by the engine (loop guard, a broken link, callback limit with no error exit).
 */
export type FinalKind = "success" | "error" | "stopped";

/** Where a Call a Process child replies: the caller task parked in its api_rpc node. */
export interface RpcParent {
  taskId: string;
  processId: string;
  nodeId: string;
  visit: number;
}

interface WaitingBase {
  nodeId: string;
  /** The visit of `nodeId` the task parked on; results for another visit are stale. */
  visit: number;
  /** The logic the task waits in (-1 when it waits on the node itself: delay, stuck). */
  logicIndex: number;
  /** When it parked (unix ms): queue order (FIFO/LIFO) and "time in node". */
  since: number;
}

/** What a parked task waits for. Each kind is released by its own event (and always by its node's timer). */
export type Waiting =
  | (WaitingBase & { kind: "http" }) // api: httpResult
  | (WaitingBase & { kind: "code" }) // api_code: codeResult
  | (WaitingBase & { kind: "copy" }) // api_copy create/modify: copyResult
  | (WaitingBase & { kind: "rpc" }) // api_rpc: rpcReply (copyResult when the child could not be created)
  | (WaitingBase & { kind: "queue"; data: JsonObject }) // api_queue: queueTaken; data = the queue node's extra data
  | (WaitingBase & { kind: "getTask" }) // api_get_task: queueResult
  | (WaitingBase & { kind: "callback" }) // api_callback (Waiting for Callback, Set State): callback
  | (WaitingBase & { kind: "delay" }) // a node with no exit but its time limit
  | (WaitingBase & { kind: "error"; tag: string }) // an action failed with no err_node_id: Corezoid keeps the task in the node
  | (WaitingBase & { kind: "stuck" }); // a node with no exit at all (validation reports it)

export type WaitingKind = Waiting["kind"];

/** A pending time limit of the node the task is parked in. */
export interface PendingTimer {
  nodeId: string;
  visit: number;
  /** Unix ms. */
  fireAt: number;
  /** `time_limit`: the node's time semaphor; `callback_limit`: the default limit of a callback node without one. */
  reason: "time_limit" | "callback_limit";
  key: string;
}

export interface TaskSnapshot {
  id: string;
  /** External id, unique among the live tasks of a process (storage enforces it). */
  ref: string | null;
  processId: string;
  nodeId: string;
  prevNodeId: string | null;
  data: JsonObject;
  /** Unix seconds. */
  createTime: number;
  /** Unix seconds: the last move or data change. */
  changeTime: number;
  /** Unix seconds: when the pending time limit fires (`{{root.end_time}}`). */
  endTime?: number;
  status: TaskStatus;
  finalKind?: FinalKind;
  waiting?: Waiting;
  timer?: PendingTimer;
  /** Entries per node over the task's life: part of every idempotency key. Never decreases. */
  visits: Record<string, number>;
  /**
   * Entries per node since the task last waited for a callback: the loop guard. A callback
   * is outside input, so a state diagram moving between states is not an infinite loop.
   */
  loopVisits: Record<string, number>;
  /** Set on a task created by Call a Process: Reply to Process answers there. */
  parent?: RpcParent;
  userId?: string | number | null;
}

export const REF_MAX_LENGTH = 255;
/** Corezoid's error for a ref already used by a live task of the process. */
export const NOT_UNICAL_REF = "not_unical_ref";
export const NOT_UNICAL_REF_DESCRIPTION = "not unical reference";

/** Checks a ref's shape (1-255 characters). Uniqueness among live tasks is storage's job. */
export function validateRef(ref: unknown): { ok: true; ref: string } | { ok: false; message: string } {
  if (typeof ref !== "string" && typeof ref !== "number") return { ok: false, message: "ref must be a string" };
  const text = String(ref);
  if (text.length < 1 || text.length > REF_MAX_LENGTH) return { ok: false, message: `ref must be 1-${REF_MAX_LENGTH} characters` };
  return { ok: true, ref: text };
}

/** Whether a task still occupies its node (counts toward node counters and ref uniqueness). */
export function isLive(task: Pick<TaskSnapshot, "status">): boolean {
  return task.status !== "finished";
}
