/**
 * Test helper: a one-action process `Start → act → ok ✓` with the action's error exit to
 * `err ✗`, to exercise one block through the real reducer.
 */
import type { TaskEvent } from "../runtime/events.ts";
import { newTask } from "../runtime/new-task.ts";
import type { StepOptions } from "../runtime/options.ts";
import { step, type StepResult } from "../runtime/step.ts";
import type { Lookup } from "../expr/scope.ts";
import type { JsonObject } from "../util/json.ts";
import { buildScheme, fakeClock, finalNode, go, logicNode, startNode, type FakeClock } from "./builders.ts";

export interface SingleNode {
  clock: FakeClock;
  /** The task after entering (parked in `act`, or already through). */
  entered: StepResult;
  /** Feeds an event to the task as it is after the last step. */
  send(event: TaskEvent): StepResult;
  last(): StepResult;
}

export function singleNode(
  logic: Record<string, unknown> & { type: string },
  data: JsonObject = {},
  opts: { options?: StepOptions; lookup?: Lookup; withErrorExit?: boolean; semaphors?: Array<Record<string, unknown> & { type: "time" | "count" }> } = {},
): SingleNode {
  const withErr = opts.withErrorExit ?? true;
  const scheme = buildScheme(
    startNode("s", "act"),
    logicNode("act", [{ ...logic, ...(withErr ? { err_node_id: "err" } : {}) }, go("ok")], opts.semaphors ?? []),
    finalNode("ok"),
    finalNode("err", "error"),
  );
  const clock = fakeClock();
  const task = newTask({ id: "t1", processId: "p1", scheme, data, clock, ref: "ref-1" });
  let last = step({ scheme, task, event: { type: "enter" }, clock, options: opts.options, lookup: opts.lookup });
  const entered = last;
  return {
    clock,
    entered,
    send(event) {
      const res = step({ scheme, task: last.task, event, clock, options: opts.options, lookup: opts.lookup });
      if (!res.ignored) last = res;
      return res;
    },
    last: () => last,
  };
}

/** The error fields a failed logic wrote, without their long names. */
export function errorOf(data: JsonObject, prefix: string): { type: unknown; tag: unknown; description: unknown } {
  return {
    type: data[`__conveyor_${prefix}_return_type_error__`],
    tag: data[`__conveyor_${prefix}_return_type_tag__`],
    description: data[`__conveyor_${prefix}_return_description__`],
  };
}
