/**
 * Events the worker feeds to `step`. Result events name the node and visit of the command
 * they answer (copied from it); a result for another node or visit is stale and ignored.
 */
import type { JsonObject } from "../util/json.ts";

interface ResultFor {
  nodeId: string;
  visit: number;
}

/** Failure codes of an HTTP call, as the worker sees them. */
export type HttpFailure =
  | "timeout" // no answer within the timeout
  | "failed_connect" // DNS, TCP or TLS failure
  | "blocked" // the SSRF guard refused the address
  | "response_too_large" // the body exceeded maxResponseBytes
  | "busy" // all max_threads slots stayed busy
  | "fatal"; // anything else on the worker's side

export type HttpResultEvent = { type: "httpResult" } & ResultFor &
  (
    | { status: number; headers: Record<string, string>; body: string; durationMs?: number; requestBytes?: number }
    | { error: HttpFailure; description?: string; durationMs?: number }
  );

export type CodeResultEvent = { type: "codeResult" } & ResultFor &
  ({ data: unknown } | { error: "timeout" | "executing_error" | "return_format_error"; description?: string });

export type CopyResultEvent = { type: "copyResult" } & ResultFor &
  ({ ok: true; taskId?: string } | { ok: false; errorTag: string; description?: string });

export type QueueResultEvent = { type: "queueResult" } & ResultFor &
  ({ taken: { taskId: string; data: JsonObject } } | { empty: true } | { errorTag: string; description?: string });

export type TaskEvent =
  /** Process the node the task is in from its first logic (a new task at Start, or one placed in a node). */
  | { type: "enter" }
  /** A scheduled time limit fired. Ignored unless the task is still in that node on that visit. */
  | { type: "timer"; nodeId: string; visit: number }
  /** Modify by ref / callback URL: merges data and releases a task waiting for a callback. */
  | { type: "callback"; data: JsonObject; nodeId?: string; userId?: string | number | null }
  /** The child of a Call a Process replied (`exception` when it threw). */
  | ({ type: "rpcReply"; data: JsonObject; exception?: { reason: string } } & ResultFor)
  | HttpResultEvent
  | CodeResultEvent
  | CopyResultEvent
  /** A Get from Queue took this queued task: it moves on. */
  | ({ type: "queueTaken" } & ResultFor)
  /** The answer to this task's own Get from Queue. */
  | QueueResultEvent;

export type TaskEventType = TaskEvent["type"];
