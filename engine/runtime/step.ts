/**
 * The step reducer: `(scheme, task, event, clock, lookup, options) → { task, commands, trail }`.
 *
 * Pure: it reads the clock once, performs no I/O and never mutates its input. Instant logics
 * (conditions, go, set parameter, sum, reply, notify emission) run inline until the task
 * parks (waits for an event) or finishes; blocking logics return commands and park it.
 *
 * Events that do not apply (a timer for another visit, a result for a node the task has
 * left, a callback for a task that is not waiting for one) change nothing: the result has
 * `ignored` set and returns the input task as it was.
 */
import type { BlockContext, BlockDefinition, EdgeKind, LogicFailure, Outcome, ParkAs } from "../blocks/block.ts";
import { blockFor } from "../blocks/registry.ts";
import { TemplateError } from "../expr/errors.ts";
import type { Lookup, TemplateScope } from "../expr/scope.ts";
import { renderTemplate } from "../expr/template.ts";
import type { Logic } from "../model/logic.ts";
import { DIMENSION_SECONDS, type TimeSemaphor } from "../model/semaphor.ts";
import { finalKindOf, findNode, isSetStateNode, NODE_TYPES, timeSemaphorOf, type ProcessScheme, type SchemeNode } from "../model/scheme.ts";
import { assertNever } from "../util/assert-never.ts";
import { jsonFits, type JsonObject } from "../util/json.ts";
import { commandKey, type Command, type CommandOrigin } from "./commands.ts";
import { CALLBACK_LIMIT_TAG, errorFields, LOOP_LIMIT_TAG, NODE_NOT_FOUND_TAG, TASK_ERROR_PREFIX } from "./errors.ts";
import type { TaskEvent } from "./events.ts";
import { resolveOptions, type Clock, type ResolvedOptions, type StepOptions } from "./options.ts";
import type { FinalKind, TaskSnapshot, Waiting, WaitingKind } from "./task.ts";

export interface StepInput {
  scheme: ProcessScheme;
  task: TaskSnapshot;
  event: TaskEvent;
  clock: Clock;
  lookup?: Lookup;
  options?: StepOptions;
}

/** One node the task passed through during this step. */
export interface TrailEntry {
  nodeId: string;
  title: string;
  visit: number;
  /** Unix ms. */
  at: number;
  /** How the task came here; `resume` for the node it was parked in when the event came. */
  via: EdgeKind | "enter" | "resume";
  /** For `via: "condition"`: the index of the matching go_if_const logic in the previous node. */
  branch?: number;
  outcome: "passed" | "parked" | "finished" | "stopped";
  waiting?: WaitingKind;
  /** The error that sent the task out of (or kept it in) this node. */
  error?: { prefix: string; tag: string };
  /** The task data after this node (shared, never copied: data is replaced, not mutated). */
  data: JsonObject;
  note?: string;
}

export interface StepResult {
  task: TaskSnapshot;
  commands: Command[];
  trail: TrailEntry[];
  /** Set when the event did not apply; `tag` is the Corezoid error an API caller should get. */
  ignored?: { reason: string; tag?: string };
}

/** A move to make: arrive at `nodeId` (counting a visit) or continue in it from `startIndex`. */
interface Hop {
  nodeId: string;
  via: TrailEntry["via"];
  branch?: number;
  arrive: boolean;
  startIndex: number;
  /** After a callback: a go back to this node means "stay" (Set State), not a new visit. */
  stayIndex?: number;
}

type Applied = "continue" | Hop | null;

export function step(input: StepInput): StepResult {
  return new StepRun(input).run();
}

class StepRun {
  private readonly task: TaskSnapshot;
  private readonly commands: Command[] = [];
  private readonly trail: TrailEntry[] = [];
  private readonly nowMs: number;
  private readonly options: ResolvedOptions;
  private readonly lookup: Lookup;
  private readonly random: () => number;
  /** Sum additions of this step, so a later node of the same step reads its own total. */
  private readonly pendingSums = new Map<string, number>();

  constructor(private readonly input: StepInput) {
    const t = input.task;
    this.task = { ...t, visits: { ...t.visits }, loopVisits: { ...t.loopVisits } };
    this.nowMs = input.clock.now();
    this.random = input.clock.random ? () => input.clock.random!() : () => 0;
    this.options = resolveOptions(input.options);
    this.lookup = withOwnSums(input.lookup ?? {}, this.pendingSums);
  }

  run(): StepResult {
    const event = this.input.event;
    if (this.task.status === "finished") return this.ignore("task_finished", "not_found_task");
    switch (event.type) {
      case "enter":
        return this.onEnter();
      case "timer":
        return this.onTimer(event.nodeId, event.visit);
      case "callback":
        return this.onCallback(event);
      case "rpcReply":
      case "httpResult":
      case "codeResult":
      case "copyResult":
      case "queueTaken":
      case "queueResult":
        return this.onResult(event);
      default:
        return assertNever(event, "event");
    }
  }

  // ---- events -------------------------------------------------------------------------

  private onEnter(): StepResult {
    if (this.task.waiting) return this.ignore("task_is_waiting");
    this.travel({ nodeId: this.task.nodeId, via: "enter", arrive: true, startIndex: 0 });
    return this.result();
  }

  private onTimer(nodeId: string, visit: number): StepResult {
    const timer = this.task.timer;
    if (this.task.nodeId !== nodeId || (this.task.visits[nodeId] ?? 0) !== visit) return this.ignore("stale_timer");
    if (!timer || timer.nodeId !== nodeId || timer.visit !== visit) return this.ignore("no_pending_timer");
    const node = findNode(this.input.scheme, nodeId);
    if (!node) return this.ignore("node_not_in_scheme");
    delete this.task.timer;
    delete this.task.endTime;
    this.resumeEntry(node, "time limit expired");
    if (timer.reason === "time_limit") {
      const sem = timeSemaphorOf(node);
      if (!sem) return this.ignore("node_has_no_time_limit");
      this.travel(this.leave(node, sem.to_node_id, "timeout"));
      return this.result();
    }
    // A callback node's default limit: its error exit, else the engine stops the task.
    const waiting = this.task.waiting;
    const logic = waiting ? node.condition.logics[waiting.logicIndex] : undefined;
    const fail: LogicFailure = {
      prefix: "callback",
      tag: CALLBACK_LIMIT_TAG,
      type: "software",
      description: `no callback within ${this.options.callbackDefaultLimitSec} s`,
    };
    if (logic && "err_node_id" in logic && typeof logic.err_node_id === "string" && logic.err_node_id) {
      this.travel(this.failTo(node, logic.err_node_id, fail));
    } else {
      this.stop(fail);
    }
    return this.result();
  }

  private onCallback(event: Extract<TaskEvent, { type: "callback" }>): StepResult {
    const w = this.task.waiting;
    if (!w || w.kind !== "callback") return this.ignore("task_not_waiting_for_callback", "no_api_callback_in_node_with_task");
    if (event.nodeId !== undefined && event.nodeId !== this.task.nodeId) {
      return this.ignore("task_in_another_node", "task_not_in_current_sync_callback_node");
    }
    const data = { ...this.task.data, ...event.data };
    if (!jsonFits(data, this.options.taskSizeLimit)) return this.ignore("task_size_overflow", "task_size_overflow_limit");
    const node = findNode(this.input.scheme, w.nodeId);
    if (!node) return this.ignore("node_not_in_scheme");
    this.task.data = data;
    if (event.userId !== undefined) this.task.userId = event.userId;
    this.task.changeTime = Math.floor(this.nowMs / 1000);
    // Outside input: a task cycling through callback nodes is not an infinite loop.
    this.task.loopVisits = {};
    this.unpark();
    this.resumeEntry(node);
    this.travel({ nodeId: node.id, via: "resume", arrive: false, startIndex: w.logicIndex + 1, stayIndex: w.logicIndex });
    return this.result();
  }

  private onResult(event: Exclude<TaskEvent, { type: "enter" | "timer" | "callback" }>): StepResult {
    const w = this.task.waiting;
    if (!w) return this.ignore("task_not_waiting");
    if (w.nodeId !== event.nodeId || w.visit !== event.visit) return this.ignore("stale_result");
    const node = findNode(this.input.scheme, w.nodeId);
    const logic = node?.condition.logics[w.logicIndex];
    if (!node || !logic) return this.ignore("task_not_waiting_in_a_logic");
    const def = blockFor(logic);
    if (!def.resume || !def.accepts?.includes(event.type)) return this.ignore(`${logic.type}_does_not_take_${event.type}`);
    const out = def.resume(logic, this.context(node, w.logicIndex, w), event);
    if (out.kind === "ignore") return this.ignore(out.reason);
    this.unpark();
    this.resumeEntry(node);
    const next = this.apply(out, node, w.logicIndex, logic, def, undefined);
    if (next === "continue") this.travel({ nodeId: node.id, via: "resume", arrive: false, startIndex: w.logicIndex + 1 });
    else if (next) this.travel(next);
    return this.result();
  }

  // ---- movement -----------------------------------------------------------------------

  private travel(first: Hop): void {
    let hop: Hop | null = first;
    while (hop) hop = this.visit(hop);
  }

  private visit(hop: Hop): Hop | null {
    const node = hop.arrive ? this.arrive(hop) : findNode(this.input.scheme, hop.nodeId);
    if (!node) return null;
    const logics = node.condition.logics;
    for (let i = hop.startIndex; i < logics.length; i++) {
      const logic = logics[i];
      const def = blockFor(logic);
      const out = def.run(logic, this.context(node, i));
      const next = this.apply(out, node, i, logic, def, hop.stayIndex);
      if (next !== "continue") return next;
    }
    // No exit taken: a Delay waits for its time limit; anything else is stuck (validation says so).
    this.park(node, -1, timeSemaphorOf(node) ? { kind: "delay" } : { kind: "stuck" });
    return null;
  }

  /** Enters a node: counts the visit, applies the loop guard, ends the task in a final node. */
  private arrive(hop: Hop): SchemeNode | null {
    const t = this.task;
    const node = findNode(this.input.scheme, hop.nodeId);
    if (hop.via !== "enter") {
      t.prevNodeId = t.nodeId;
      t.nodeId = hop.nodeId;
    }
    t.changeTime = Math.floor(this.nowMs / 1000);
    const visit = (t.visits[hop.nodeId] = (t.visits[hop.nodeId] ?? 0) + 1);
    const loops = (t.loopVisits[hop.nodeId] = (t.loopVisits[hop.nodeId] ?? 0) + 1);
    this.trail.push({
      nodeId: hop.nodeId, title: node?.title ?? "", visit, at: this.nowMs, via: hop.via, branch: hop.branch,
      outcome: "passed", data: t.data,
    });
    if (!node) {
      this.stop({ prefix: TASK_ERROR_PREFIX, tag: NODE_NOT_FOUND_TAG, type: "software", description: `node ${hop.nodeId} is not in the process` });
      return null;
    }
    if (loops > this.options.loopLimit) {
      this.stop({
        prefix: TASK_ERROR_PREFIX, tag: LOOP_LIMIT_TAG, type: "software",
        description: `the task entered node ${node.id} more than ${this.options.loopLimit} times`,
      });
      return null;
    }
    if (node.obj_type === NODE_TYPES.final) {
      this.finish(finalKindOf(node));
      return null;
    }
    return node;
  }

  private apply(out: Outcome, node: SchemeNode, index: number, logic: Logic, def: BlockDefinition<Logic>, stayIndex: number | undefined): Applied {
    switch (out.kind) {
      case "next": {
        this.record(out.commands);
        if (out.data && !this.setData(out.data)) return this.failAt(node, logic, this.sizeFailure(def));
        return "continue";
      }
      case "goto":
        if (stayIndex !== undefined && out.to === node.id) {
          // Set State: no condition matched after a modification; the task stays as it was.
          this.park(node, stayIndex, { kind: "callback" });
          return null;
        }
        return this.leave(node, out.to, out.edge, out.branch);
      case "park":
        this.record(out.commands);
        this.park(node, index, out.as);
        return null;
      case "fail":
        this.record(out.commands);
        if (out.data && !this.setData(out.data)) return this.failAt(node, logic, this.sizeFailure(def));
        return this.failAt(node, logic, out.failure);
      case "ignore":
        return "continue";
      default:
        return assertNever(out, "outcome");
    }
  }

  private record(commands: Command[] | undefined): void {
    for (const c of commands ?? []) {
      this.commands.push(c);
      if (c.type === "sumAdd") {
        const key = sumKey(c.processId, c.nodeId, c.sumId);
        this.pendingSums.set(key, (this.pendingSums.get(key) ?? 0) + c.value);
      }
    }
  }

  private sizeFailure(def: BlockDefinition<Logic>): LogicFailure {
    return {
      prefix: def.errorPrefix ?? def.type,
      tag: def.sizeOverflowTag ?? `${def.type}_task_size_overflow_limit`,
      type: "software",
      description: `task size would exceed the limit of ${this.options.taskSizeLimit} bytes`,
    };
  }

  /** Merges the error fields and takes the error exit; without one the task stays in the node. */
  private failAt(node: SchemeNode, logic: Logic, f: LogicFailure): Hop | null {
    const errNode = "err_node_id" in logic && typeof logic.err_node_id === "string" ? logic.err_node_id : "";
    if (errNode) return this.failTo(node, errNode, f);
    this.markError(f);
    this.park(node, node.condition.logics.indexOf(logic), { kind: "error", tag: f.tag });
    return null;
  }

  private failTo(node: SchemeNode, errNode: string, f: LogicFailure): Hop {
    this.markError(f);
    return this.leave(node, errNode, "error");
  }

  private markError(f: LogicFailure): void {
    this.task.data = { ...this.task.data, ...errorFields(f) };
    this.task.changeTime = Math.floor(this.nowMs / 1000);
    const entry = this.trail[this.trail.length - 1];
    if (entry) entry.error = { prefix: f.prefix, tag: f.tag };
  }

  private leave(node: SchemeNode, to: string, via: EdgeKind, branch?: number): Hop {
    this.closeEntry("passed");
    this.disarm(node);
    this.unpark();
    return { nodeId: to, via, branch, arrive: true, startIndex: 0 };
  }

  private park(node: SchemeNode, logicIndex: number, as: ParkAs | { kind: "delay" } | { kind: "stuck" } | { kind: "error"; tag: string }): void {
    const visit = this.task.visits[node.id] ?? 0;
    this.task.status = "waiting";
    this.task.waiting = { ...as, nodeId: node.id, visit, logicIndex, since: this.nowMs } as Waiting;
    this.arm(node, visit, as.kind);
    this.closeEntry("parked");
  }

  private unpark(): void {
    this.task.status = "active";
    delete this.task.waiting;
  }

  private finish(kind: FinalKind): void {
    this.task.status = "finished";
    this.task.finalKind = kind;
    delete this.task.waiting;
    this.closeEntry("finished");
  }

  /** The engine ends the task where it is (loop guard, broken link, callback limit without an error exit). */
  private stop(f: LogicFailure): void {
    this.markError(f);
    const node = findNode(this.input.scheme, this.task.nodeId);
    if (node) this.disarm(node);
    this.task.status = "finished";
    this.task.finalKind = "stopped";
    delete this.task.waiting;
    this.closeEntry("stopped");
  }

  // ---- timers -------------------------------------------------------------------------

  /** Schedules the node's time limit when the task parks there (once per visit). */
  private arm(node: SchemeNode, visit: number, kind: WaitingKind): void {
    const t = this.task;
    if (t.timer && t.timer.nodeId === node.id && t.timer.visit === visit) return;
    const sem = timeSemaphorOf(node);
    let fireAt: number | undefined;
    let reason: "time_limit" | "callback_limit" = "time_limit";
    if (sem) {
      const res = timerFireAt(sem, this.scope(), this.nowMs, this.options.minTimerSec);
      if (res.ok) fireAt = res.fireAt;
      else this.note(res.note);
    } else if (kind === "callback" && this.options.callbackDefaultLimitSec > 0 && !isSetStateNode(node)) {
      fireAt = this.nowMs + this.options.callbackDefaultLimitSec * 1000;
      reason = "callback_limit";
    }
    if (fireAt === undefined) return;
    const origin = this.origin(node, visit, "timer", -1);
    t.timer = { nodeId: node.id, visit, fireAt, reason, key: origin.key };
    t.endTime = Math.floor(fireAt / 1000);
    this.commands.push({ ...origin, type: "scheduleTimer", fireAt, reason });
  }

  /** Cancels the pending time limit of a node the task leaves. */
  private disarm(node: SchemeNode): void {
    const timer = this.task.timer;
    if (!timer || timer.nodeId !== node.id) return;
    this.commands.push({ ...this.origin(node, timer.visit, "cancelTimer", -1), type: "cancelTimer", timerKey: timer.key });
    delete this.task.timer;
    delete this.task.endTime;
  }

  // ---- context ------------------------------------------------------------------------

  private scope(): TemplateScope {
    const t = this.task;
    return {
      data: t.data,
      root: {
        task_id: t.id, ref: t.ref, conv_id: t.processId, node_id: t.nodeId, prev_node_id: t.prevNodeId,
        create_time: t.createTime, change_time: t.changeTime, end_time: t.endTime, user_id: t.userId,
      },
      processId: t.processId,
      lookup: this.lookup,
      nowMs: this.nowMs,
      random: this.random,
    };
  }

  private context(node: SchemeNode, logicIndex: number, waiting?: Waiting): BlockContext {
    const visit = this.task.visits[node.id] ?? 0;
    return {
      task: this.task,
      node,
      logicIndex,
      visit,
      scope: this.scope(),
      options: this.options,
      nowMs: this.nowMs,
      waiting,
      origin: this.originOf(node, visit, logicIndex),
    };
  }

  /** Returned, not declared: a closure that is not named costs nothing more per logic under the dev loader's keepNames. */
  private originOf(node: SchemeNode, visit: number, logicIndex: number): BlockContext["origin"] {
    return (kind, part) => this.origin(node, visit, kind, logicIndex, part);
  }

  /** Idempotency key: `kind:task:node:visit`, then `:logicIndex` past the first logic, then `:part`. */
  private origin(node: SchemeNode, visit: number, kind: string, logicIndex: number, part?: string | number): CommandOrigin {
    const key = commandKey(kind, this.task.id, node.id, visit, logicIndex, part);
    return { key, taskId: this.task.id, processId: this.task.processId, nodeId: node.id, visit };
  }

  private setData(data: JsonObject): boolean {
    if (!jsonFits(data, this.options.taskSizeLimit)) return false;
    this.task.data = data;
    this.task.changeTime = Math.floor(this.nowMs / 1000);
    return true;
  }

  // ---- trail --------------------------------------------------------------------------

  private resumeEntry(node: SchemeNode, note?: string): void {
    this.trail.push({
      nodeId: node.id, title: node.title ?? "", visit: this.task.visits[node.id] ?? 0, at: this.nowMs, via: "resume",
      outcome: "passed", data: this.task.data, ...(note ? { note } : {}),
    });
  }

  private closeEntry(outcome: TrailEntry["outcome"]): void {
    const entry = this.trail[this.trail.length - 1];
    if (!entry) return;
    entry.outcome = outcome;
    entry.data = this.task.data;
    if (outcome === "parked" && this.task.waiting) entry.waiting = this.task.waiting.kind;
  }

  private note(text: string): void {
    const entry = this.trail[this.trail.length - 1];
    if (entry) entry.note = entry.note ? `${entry.note}; ${text}` : text;
  }

  private result(): StepResult {
    return { task: this.task, commands: this.commands, trail: this.trail };
  }

  private ignore(reason: string, tag?: string): StepResult {
    return { task: this.input.task, commands: [], trail: [], ignored: { reason, ...(tag ? { tag } : {}) } };
  }
}

const sumKey = (processId: string, nodeId: string, sumId: string) => `${processId}\u0000${nodeId}\u0000${sumId}`;

/** The lookup, with this step's own Sum additions added to the totals it reports. */
function withOwnSums(lookup: Lookup, pending: Map<string, number>): Lookup {
  return new OwnSumsLookup(lookup, pending);
}

/**
 * Delegates method by method (a lookup may be a class instance, whose methods a spread would
 * lose). A class, not an object of closures: one allocation per step.
 */
class OwnSumsLookup implements Lookup {
  constructor(private readonly lookup: Lookup, private readonly pending: Map<string, number>) {}
  nodeCount(q: Parameters<NonNullable<Lookup["nodeCount"]>>[0]) {
    return this.lookup.nodeCount?.(q);
  }
  stateTask(q: Parameters<NonNullable<Lookup["stateTask"]>>[0]) {
    return this.lookup.stateTask?.(q);
  }
  envVar(name: string) {
    return this.lookup.envVar?.(name);
  }
  channelExists(channel: string) {
    return this.lookup.channelExists?.(channel);
  }
  nodeSum(q: Parameters<NonNullable<Lookup["nodeSum"]>>[0]) {
    const own = this.pending.size === 0 ? undefined : this.pending.get(sumKey(q.processId, q.nodeId, q.sumId));
    const base = this.lookup.nodeSum?.(q);
    if (own === undefined) return base;
    return (base ?? 0) + own;
  }
}

const NUMERIC = /^\s*\d+(\.\d+)?\s*$/;

/**
 * When a time limit fires (unix ms). A number is relative (value × dimension, raised to the
 * minimum); a template (`{{param}}`, `$.unixtime(...)`) is an absolute unix time in seconds,
 * which may be sooner than the minimum and fires at once when already past.
 */
export function timerFireAt(
  sem: TimeSemaphor,
  scope: TemplateScope,
  nowMs: number,
  minTimerSec: number,
): { ok: true; fireAt: number; dynamic: boolean } | { ok: false; note: string } {
  const raw = sem.value;
  if (typeof raw === "number" || NUMERIC.test(raw)) {
    const seconds = Number(raw) * DIMENSION_SECONDS[sem.dimension ?? "sec"];
    return { ok: true, fireAt: nowMs + Math.max(seconds, minTimerSec) * 1000, dynamic: false };
  }
  let text: string;
  try {
    text = renderTemplate(raw, scope).trim();
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, note: `time limit not set: ${e.message}` };
    throw e;
  }
  if (!NUMERIC.test(text)) return { ok: false, note: `time limit not set: "${text}" is not a unix time` };
  return { ok: true, fireAt: Math.max(nowMs, Number(text) * 1000), dynamic: true };
}
