/**
 * A fake world that carries out the engine's commands in memory, so multi-process flows run
 * to quiescence without I/O: HTTP and code answered by handlers, child tasks created,
 * replies and queue hand-overs delivered, timers fired as the fake clock moves, node counters
 * and count-semaphor signals kept. Scenario tests use it; the app can use it for dry runs.
 *
 * It is deliberately simple and synchronous: one event at a time, in order.
 */
import { queuedTaskPayload } from "../blocks/queue.ts";
import type { Lookup } from "../expr/scope.ts";
import { findNode, NODE_TYPES, type ProcessScheme } from "../model/scheme.ts";
import type { Command, HttpRequest } from "../runtime/commands.ts";
import { countSignal } from "../runtime/count-semaphor.ts";
import type { HttpFailure, TaskEvent } from "../runtime/events.ts";
import { newTask } from "../runtime/new-task.ts";
import type { StepOptions } from "../runtime/options.ts";
import { step, type StepResult, type TrailEntry } from "../runtime/step.ts";
import { isLive, NOT_UNICAL_REF, type RpcParent, type TaskSnapshot } from "../runtime/task.ts";
import { assertNever } from "../util/assert-never.ts";
import type { JsonObject } from "../util/json.ts";
import { fakeClock, type FakeClock } from "./builders.ts";

export interface WorldProcess {
  id: string;
  scheme: ProcessScheme;
  /** State diagrams answer `{{conv[id].ref[r]}}` reads. */
  kind?: "process" | "state";
  /** Other names a logic may use for it (`@alias`, an old Corezoid id). */
  aliases?: string[];
}

export type HttpAnswer =
  | { status: number; headers?: Record<string, string>; body: string | JsonObject | unknown[]; durationMs?: number }
  | { error: HttpFailure; description?: string };

export type CodeAnswer = { data: unknown } | { error: "timeout" | "executing_error" | "return_format_error"; description?: string };

export interface WorldOptions {
  processes: WorldProcess[];
  clock?: FakeClock;
  options?: StepOptions;
  http?: (request: HttpRequest, command: Extract<Command, { type: "httpCall" }>) => HttpAnswer;
  code?: (src: string, data: JsonObject, command: Extract<Command, { type: "runCode" }>) => CodeAnswer;
  /** Makes a createTask/modifyTask fail: return the error to answer with, or null to let it through. */
  copyFailure?: (command: Extract<Command, { type: "createTask" | "modifyTask" }>) => { errorTag: string; description?: string } | null;
  /** Known notification channels; when given, notify blocks are checked against it. */
  channels?: string[];
  /** Events processed by one `run` before the world gives up (a runaway flow is a test bug). */
  maxEvents?: number;
}

interface PendingTimer {
  taskId: string;
  nodeId: string;
  visit: number;
  fireAt: number;
}

export class FakeWorld {
  readonly clock: FakeClock;
  readonly tasks = new Map<string, TaskSnapshot>();
  /** Every command in the order the engine emitted it. */
  readonly commands: Command[] = [];
  readonly notifications: Array<Extract<Command, { type: "notify" }>> = [];
  /** Every trail entry per task, across steps. */
  readonly trails = new Map<string, TrailEntry[]>();
  /** Steps whose event was ignored, for assertions. */
  readonly ignored: Array<{ taskId: string; event: TaskEvent; reason: string }> = [];
  readonly timers = new Map<string, PendingTimer>();
  readonly sums = new Map<string, number>();
  /** Live tasks per `process:node`; final nodes count every task that ever ended there. */
  readonly counts = new Map<string, number>();
  private readonly processes = new Map<string, WorldProcess>();
  private readonly inbox: Array<{ taskId: string; event: TaskEvent }> = [];
  private seq = 0;

  constructor(private readonly opts: WorldOptions) {
    this.clock = opts.clock ?? fakeClock();
    for (const p of opts.processes) {
      this.processes.set(p.id, p);
      for (const a of p.aliases ?? []) this.processes.set(a, p);
    }
  }

  process(id: string): WorldProcess | undefined {
    return this.processes.get(id);
  }

  task(id: string): TaskSnapshot {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  tasksOf(processId: string): TaskSnapshot[] {
    const p = this.processes.get(processId);
    return [...this.tasks.values()].filter((t) => t.processId === p?.id);
  }

  findLiveByRef(processId: string, ref: string): TaskSnapshot | undefined {
    return this.tasksOf(processId).find((t) => t.ref === ref && isLive(t));
  }

  /** Creates a task at Start (or `nodeId`) and runs the world until nothing is left to do now. */
  createTask(processId: string, data: JsonObject, extra: { ref?: string; parent?: RpcParent; nodeId?: string } = {}): TaskSnapshot {
    const res = this.spawn(processId, data, extra);
    if (!res.ok) throw new Error(`cannot create task in ${processId}: ${res.errorTag}`);
    this.run();
    return this.task(res.taskId);
  }

  /** Modify by ref / callback URL. Returns the step's result (look at `ignored` for a refusal). */
  callback(target: { taskId: string } | { processId: string; ref: string }, data: JsonObject, nodeId?: string): StepResult | null {
    const task = "taskId" in target ? this.tasks.get(target.taskId) : this.findLiveByRef(target.processId, target.ref);
    if (!task) return null;
    const res = this.dispatch(task.id, { type: "callback", data, ...(nodeId ? { nodeId } : {}) });
    this.run();
    return res;
  }

  /** Moves the clock, firing due timers in time order, and runs the world after each. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.fireAt <= target).sort((a, b) => a[1].fireAt - b[1].fireAt)[0];
      if (!next) break;
      const [key, timer] = next;
      this.clock.set(Math.max(this.clock.now(), timer.fireAt));
      this.timers.delete(key);
      this.inbox.push({ taskId: timer.taskId, event: { type: "timer", nodeId: timer.nodeId, visit: timer.visit } });
      this.run();
    }
    this.clock.set(target);
  }

  /** Processes queued events until none is left. */
  run(): void {
    const max = this.opts.maxEvents ?? 10_000;
    for (let n = 0; this.inbox.length > 0; n++) {
      if (n >= max) throw new Error(`world did not settle after ${max} events`);
      const { taskId, event } = this.inbox.shift()!;
      this.dispatch(taskId, event);
    }
  }

  /** Steps one task with one event now, carrying out the commands it returns. */
  dispatch(taskId: string, event: TaskEvent): StepResult | null {
    const task = this.tasks.get(taskId);
    if (!task) return null;
    const proc = this.processes.get(task.processId)!;
    const res = step({ scheme: proc.scheme, task, event, clock: this.clock, lookup: this.lookup(), options: this.opts.options });
    if (res.ignored) {
      this.ignored.push({ taskId, event, reason: res.ignored.reason });
      return res;
    }
    this.tasks.set(taskId, res.task);
    this.trails.set(taskId, [...(this.trails.get(taskId) ?? []), ...res.trail]);
    this.recount(task, res.task);
    for (const c of res.commands) this.execute(c);
    return res;
  }

  lookup(): Lookup {
    return {
      nodeCount: ({ processId, nodeId }) => {
        const p = this.processes.get(processId);
        return p ? (this.counts.get(`${p.id}:${nodeId}`) ?? 0) : undefined;
      },
      nodeSum: ({ processId, nodeId, sumId }) => {
        const p = this.processes.get(processId);
        return p ? this.sums.get(`${p.id}:${nodeId}:${sumId}`) : undefined;
      },
      stateTask: ({ processId, ref }) => {
        const p = this.processes.get(processId);
        return p?.kind === "state" ? this.findLiveByRef(p.id, ref)?.data : undefined;
      },
      channelExists: (channel) => (this.opts.channels ? this.opts.channels.includes(channel) : undefined),
    };
  }

  private spawn(
    convId: string,
    data: JsonObject,
    extra: { ref?: string | null; parent?: RpcParent; nodeId?: string },
  ): { ok: true; taskId: string } | { ok: false; errorTag: string } {
    const proc = this.processes.get(convId);
    if (!proc) return { ok: false, errorTag: "access_denied" };
    if (extra.ref && this.findLiveByRef(proc.id, extra.ref)) return { ok: false, errorTag: NOT_UNICAL_REF };
    const id = `t${++this.seq}`;
    const task = newTask({ id, processId: proc.id, scheme: proc.scheme, data, clock: this.clock, ref: extra.ref ?? null, parent: extra.parent, nodeId: extra.nodeId });
    this.tasks.set(id, task);
    this.inbox.push({ taskId: id, event: { type: "enter" } });
    return { ok: true, taskId: id };
  }

  /** Keeps node counters and fires count-semaphor signals on threshold crossings. */
  private recount(before: TaskSnapshot, after: TaskSnapshot): void {
    const changes: Array<[string, number]> = [];
    // A task that has never been processed (visits empty) is not yet counted anywhere.
    if (Object.keys(before.visits).length > 0 && isLive(before)) changes.push([before.nodeId, -1]);
    if (isLive(after) || this.isFinal(after)) changes.push([after.nodeId, +1]);
    const proc = this.processes.get(after.processId)!;
    for (const [nodeId, delta] of changes) {
      const key = `${proc.id}:${nodeId}`;
      const prev = this.counts.get(key) ?? 0;
      const next = prev + delta;
      this.counts.set(key, next);
      const node = findNode(proc.scheme, nodeId);
      const signal = node && countSignal({ node, before: prev, after: next });
      if (signal) this.spawn(proc.id, signal.data, { nodeId: signal.escNodeId });
    }
  }

  private isFinal(task: TaskSnapshot): boolean {
    const node = findNode(this.processes.get(task.processId)!.scheme, task.nodeId);
    return task.status === "finished" && node?.obj_type === NODE_TYPES.final;
  }

  private execute(c: Command): void {
    this.commands.push(c);
    const answerTo = { nodeId: c.nodeId, visit: c.visit };
    switch (c.type) {
      case "httpCall": {
        const answer: HttpAnswer = this.opts.http?.(c.request, c) ?? { error: "failed_connect", description: "no HTTP handler in this world" };
        const event: TaskEvent = "error" in answer
          ? { type: "httpResult", ...answerTo, error: answer.error, description: answer.description }
          : {
              type: "httpResult", ...answerTo, status: answer.status, durationMs: answer.durationMs,
              headers: answer.headers ?? { "content-type": "application/json" },
              body: typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body),
            };
        this.inbox.push({ taskId: c.taskId, event });
        return;
      }
      case "runCode": {
        const answer = this.opts.code?.(c.src, structuredClone(c.data), c) ?? { error: "executing_error", description: "no code runner in this world" };
        this.inbox.push({ taskId: c.taskId, event: { type: "codeResult", ...answerTo, ...answer } as TaskEvent });
        return;
      }
      case "createTask": {
        const forced = this.opts.copyFailure?.(c);
        const res = forced ? { ok: false as const, errorTag: forced.errorTag } : this.spawn(c.convId, c.data, { ref: c.ref, parent: c.parent });
        if (res.ok && c.purpose === "rpc") return;
        this.inbox.push({
          taskId: c.taskId,
          event: res.ok ? { type: "copyResult", ...answerTo, ok: true, taskId: res.taskId } : { type: "copyResult", ...answerTo, ok: false, errorTag: res.errorTag, description: forced?.description },
        });
        return;
      }
      case "modifyTask": {
        const forced = this.opts.copyFailure?.(c);
        const target = this.processes.get(c.convId) && this.findLiveByRef(c.convId, c.ref);
        let failure = forced?.errorTag ?? (target ? undefined : "not_found_task");
        if (!failure && target) {
          const res = this.dispatch(target.id, { type: "callback", data: c.data });
          if (res?.ignored) failure = res.ignored.tag ?? res.ignored.reason;
        }
        this.inbox.push({
          taskId: c.taskId,
          event: failure ? { type: "copyResult", ...answerTo, ok: false, errorTag: failure } : { type: "copyResult", ...answerTo, ok: true },
        });
        return;
      }
      case "rpcReply":
        this.inbox.push({ taskId: c.to.taskId, event: { type: "rpcReply", nodeId: c.to.nodeId, visit: c.to.visit, data: c.data, ...(c.exception ? { exception: c.exception } : {}) } });
        return;
      case "scheduleTimer":
        this.timers.set(c.key, { taskId: c.taskId, nodeId: c.nodeId, visit: c.visit, fireAt: c.fireAt });
        return;
      case "cancelTimer":
        this.timers.delete(c.timerKey);
        return;
      case "getFromQueue": {
        const proc = this.processes.get(c.convId);
        const node = proc && findNode(proc.scheme, c.queueNodeId);
        if (!proc || !node || !node.condition.logics.some((l) => l.type === "api_queue")) {
          this.inbox.push({ taskId: c.taskId, event: { type: "queueResult", ...answerTo, errorTag: "queue_wrong_logic" } });
          return;
        }
        const queued = this.tasksOf(proc.id)
          .filter((t) => t.waiting?.kind === "queue" && t.nodeId === c.queueNodeId)
          .sort((a, b) => a.waiting!.since - b.waiting!.since || Number(a.id.slice(1)) - Number(b.id.slice(1)));
        const taken = c.order === "DESC" ? queued[queued.length - 1] : queued[0];
        if (!taken) {
          this.inbox.push({ taskId: c.taskId, event: { type: "queueResult", ...answerTo, empty: true } });
          return;
        }
        const payload = queuedTaskPayload(taken)!;
        // Hand over at once so a second request in the same run cannot take the same task.
        this.dispatch(taken.id, { type: "queueTaken", nodeId: taken.waiting!.nodeId, visit: taken.waiting!.visit });
        this.inbox.push({ taskId: c.taskId, event: { type: "queueResult", ...answerTo, taken: { taskId: taken.id, data: payload.__queue_task_data__ } } });
        return;
      }
      case "notify":
        this.notifications.push(c);
        return;
      case "sumAdd": {
        const key = `${c.processId}:${c.nodeId}:${c.sumId}`;
        this.sums.set(key, (this.sums.get(key) ?? 0) + c.value);
        return;
      }
      default:
        assertNever(c, "command");
    }
  }
}
