/** Creating a task snapshot; the worker then runs `step` with an `enter` event. */
import type { Clock } from "./options.ts";
import type { ProcessScheme } from "../model/scheme.ts";
import { startNode } from "../model/scheme.ts";
import type { JsonObject } from "../util/json.ts";
import type { RpcParent, TaskSnapshot } from "./task.ts";

export interface NewTaskInput {
  id: string;
  processId: string;
  scheme: ProcessScheme;
  data: JsonObject;
  clock: Clock;
  ref?: string | null;
  /** For a Call a Process child: where Reply to Process answers. */
  parent?: RpcParent;
  /** Place the task in this node instead of Start (count-semaphor signal tasks go to the escalation node). */
  nodeId?: string;
  userId?: string | number | null;
}

/** A fresh, active task in Start (or `nodeId`), not yet processed. */
export function newTask(input: NewTaskInput): TaskSnapshot {
  const now = Math.floor(input.clock.now() / 1000);
  return {
    id: input.id,
    ref: input.ref ?? null,
    processId: input.processId,
    nodeId: input.nodeId ?? startNode(input.scheme).id,
    prevNodeId: null,
    data: input.data,
    createTime: now,
    changeTime: now,
    status: "active",
    visits: {},
    loopVisits: {},
    ...(input.parent ? { parent: input.parent } : {}),
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
  };
}
