/**
 * Commands: the side effects a step asks for. The worker writes them to the outbox in the
 * same transaction as the task and carries them out after commit. `key` is deterministic
 * (kind, task, node, visit, logic), so replaying a step or an outbox row acts once.
 */
import type { JsonObject } from "../util/json.ts";
import type { RpcParent, TaskSnapshot } from "./task.ts";

/**
 * A command's key: `<kind>:<taskId>:<nodeId>:<visit>`, then `:<logicIndex>` when the logic is
 * not the node's first, then `:<part>`.
 */
export function commandKey(kind: string, taskId: string, nodeId: string, visit: number, logicIndex: number, part?: string | number): string {
  let key = `${kind}:${taskId}:${nodeId}:${visit}`;
  if (logicIndex > 0) key += `:${logicIndex}`;
  if (part !== undefined) key += `:${part}`;
  return key;
}

/**
 * Whether the task still waits for the answer to this command: parked in the same node, on
 * the same visit, in the logic that issued it. When it does not, the answer would be stale,
 * so a worker holding a replayed or duplicated command need not act on it at all.
 */
export function awaitsAnswer(task: Pick<TaskSnapshot, "id" | "status" | "waiting">, command: Pick<CommandOrigin, "key" | "nodeId" | "visit"> & { type: string }): boolean {
  const w = task.waiting;
  if (task.status !== "waiting" || !w || w.nodeId !== command.nodeId || w.visit !== command.visit) return false;
  return commandKey(command.type, task.id, w.nodeId, w.visit, w.logicIndex) === command.key;
}

/** Which task, node and visit a command comes from; its result event carries nodeId and visit back. */
export interface CommandOrigin {
  key: string;
  taskId: string;
  processId: string;
  nodeId: string;
  visit: number;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

export interface HttpRequest {
  method: HttpMethod;
  /** Query string included (GET/HEAD/OPTIONS parameters, send_sys fields). */
  url: string;
  headers: Record<string, string>;
  /** Absent for methods that carry parameters in the URL. */
  body?: string;
}

export type Command =
  | (CommandOrigin & {
      type: "httpCall";
      request: HttpRequest;
      /** `corezoid`: the answer must be `{request_proc, ops:[{proc, res_data}]}`. */
      format: "default" | "corezoid" | "raw";
      timeoutMs: number;
      maxResponseBytes: number;
      /** Concurrent requests allowed for this node (Corezoid `max_threads`). */
      maxThreads: number;
      certPem?: string;
    })
  | (CommandOrigin & { type: "runCode"; lang: string; src: string; data: JsonObject; timeoutMs: number })
  | (CommandOrigin & {
      type: "createTask";
      /** copy: Copy Task (answer copyResult); rpc: Call a Process (answer copyResult only on failure; the child replies). */
      purpose: "copy" | "rpc";
      /** The target process as written in the logic (id, `@alias`), templates rendered. */
      convId: string;
      ref: string | null;
      data: JsonObject;
      /** For rpc: where the child's Reply to Process goes. */
      parent?: RpcParent;
    })
  | (CommandOrigin & {
      type: "modifyTask";
      convId: string;
      ref: string;
      data: JsonObject;
      /** Synchronous: the target must wait in a callback node, concurrent modifies fail with duplicate_callback. */
      isSync: boolean;
    })
  | (CommandOrigin & { type: "rpcReply"; to: RpcParent; data: JsonObject; exception?: { reason: string } })
  | (CommandOrigin & {
      type: "scheduleTimer";
      /** Unix ms. Job id: `key` (`timer:{task}:{node}:{visit}`). */
      fireAt: number;
      reason: "time_limit" | "callback_limit";
    })
  | (CommandOrigin & { type: "cancelTimer"; timerKey: string })
  | (CommandOrigin & {
      type: "getFromQueue";
      convId: string;
      queueNodeId: string;
      /** ASC: oldest first (FIFO); DESC: newest first (LIFO). */
      order: "ASC" | "DESC";
    })
  | (CommandOrigin & {
      type: "notify";
      channel: string;
      title: string;
      message: string;
      severity: NotifySeverity;
      fields: Record<string, string>;
      /** `taskId:nodeId:visit`: one alert per pass of a task through a notify node. */
      dedupKey: string;
    })
  | (CommandOrigin & {
      type: "sumAdd";
      /** The sum's id (`{{node[id].<sumId>}}`). */
      sumId: string;
      name: string;
      value: number;
    });

export type CommandType = Command["type"];

export const NOTIFY_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type NotifySeverity = (typeof NOTIFY_SEVERITIES)[number];
